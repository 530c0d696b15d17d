import { expect, test, type Page } from '@playwright/test';
import { ORIGIN } from './ports';

// Global Privacy Control with the script-tag build: opt-out purposes (marketing) stay denied on
// Accept all while the signal is on, for gated scripts, embeds and Google Consent Mode alike.

const D = 'denied';
const G = 'granted';
type Win = { ran: string[]; atStart: string; dataLayer: unknown[]; ConsentSeal: { getState(): { status: string; purposes: Record<string, boolean> } } };

test.beforeEach(async ({ context }) => {
  // Chromium sends no GPC: pages opened with ?gpc=1 get the signal.
  await context.addInitScript(() => {
    if (location.search.includes('gpc=1')) Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });
  });
});

const ran = (page: Page) => page.evaluate(() => (window as unknown as Win).ran.slice());
const purposes = (page: Page) => page.evaluate(() => (window as unknown as Win).ConsentSeal.getState().purposes);
/** The last Consent Mode update and the last consentseal_update event. */
const lastUpdate = (page: Page) =>
  page.evaluate(() => {
    const dl = (window as unknown as Win).dataLayer;
    const args = dl.filter((a) => Object.prototype.toString.call(a) === '[object Arguments]').map((a) => Array.from(a as ArrayLike<unknown>));
    const events = dl.filter((a) => (a as { event?: string }).event === 'consentseal_update');
    return { update: args.filter((a) => a[1] === 'update').at(-1)?.[2], event: events.at(-1) };
  });
const ads = (v: string) => ({ ad_storage: v, ad_user_data: v, ad_personalization: v });

test('GPC on: Accept all leaves marketing denied everywhere; only the visitor’s own toggle turns it on', async ({ page }) => {
  await page.goto('/e2e/pages/gpc.html?gpc=1');
  expect(await page.evaluate(() => (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl)).toBe(true);
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => ran(page)).toEqual(['analytics']);
  expect(await purposes(page)).toEqual({ necessary: true, analytics: true, marketing: false });
  const after = await lastUpdate(page);
  expect(after.update).toMatchObject({ ...ads(D), analytics_storage: G });
  expect(after.event).toMatchObject({ consentseal: { action: 'accept-all', gpc: true, purposes: { marketing: false } } });
  await expect(page.locator('.consentseal-placeholder')).toContainText('Marketing');
  expect(await page.locator('#ad').getAttribute('src')).toBeNull();

  await page.getByRole('link', { name: 'Privacy settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
  await expect(dialog.getByText('Opt-Out Preference Signal Honored')).toBeVisible();
  await expect(dialog.getByRole('switch', { name: 'Marketing' })).not.toBeChecked();
  await dialog.getByRole('switch', { name: 'Marketing' }).click();
  await dialog.getByRole('button', { name: 'Save choices' }).click();
  await expect.poll(() => ran(page)).toEqual(['analytics', 'marketing']);
  expect((await lastUpdate(page)).update).toMatchObject({ ...ads(G), analytics_storage: G });
  await expect(page.locator('#ad')).toHaveAttribute('src', '/e2e/pages/gating-frame.html');

  // That grant was the visitor's own, made with GPC on: it holds on the next visit.
  await page.reload();
  await expect.poll(() => ran(page)).toEqual(['analytics', 'marketing']);
  expect(await purposes(page)).toEqual({ necessary: true, analytics: true, marketing: true });

  // Accept all never takes that grant back.
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  await dialog.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(async () => (await lastUpdate(page)).event).toMatchObject({ consentseal: { action: 'accept-all', gpc: true } });
  expect((await lastUpdate(page)).update).toMatchObject({ ...ads(G), analytics_storage: G });
  expect(await purposes(page)).toEqual({ necessary: true, analytics: true, marketing: true });
  await expect(page.locator('#ad')).toHaveAttribute('src', '/e2e/pages/gating-frame.html');
});

test('GPC off: Accept all grants marketing too', async ({ page }) => {
  await page.goto('/e2e/pages/gpc.html');
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => ran(page)).toEqual(['analytics', 'marketing']);
  const after = await lastUpdate(page);
  expect(after.update).toMatchObject({ ...ads(G), analytics_storage: G });
  expect(after.event).toMatchObject({ consentseal: { action: 'accept-all', gpc: false, purposes: { marketing: true } } });
  await expect(page.locator('#ad')).toHaveAttribute('src', '/e2e/pages/gating-frame.html');
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  await expect(page.getByRole('dialog', { name: 'Privacy preferences' }).getByText('Opt-Out Preference Signal Honored')).toHaveCount(0);
});

test('GPC turned on after a grant made without it withdraws marketing before any tag or script runs', async ({ page, context }) => {
  await page.goto('/e2e/pages/gpc.html');
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => ran(page)).toEqual(['analytics', 'marketing']);
  await context.addCookies([{ name: '_fbp', value: 'ad-id', url: `${ORIGIN}/` }]);

  await page.goto('/e2e/pages/gpc.html?gpc=1');
  // The snapshot taken right after consentseal.js: Google tags placed there see marketing denied.
  const start = JSON.parse(await page.evaluate(() => (window as unknown as Win).atStart)) as unknown[][];
  expect(start[0]?.slice(0, 2)).toEqual(['consent', 'default']);
  const updates = start.filter((a) => a[1] === 'update');
  expect(updates.length).toBeGreaterThan(0);
  for (const u of updates) expect(u[2]).toMatchObject({ ...ads(D), analytics_storage: G });
  await expect.poll(() => ran(page)).toEqual(['analytics']);
  expect(await purposes(page)).toEqual({ necessary: true, analytics: true, marketing: false });
  // The signal alone decided: the event says so, and marketing's cookie is gone.
  expect((await lastUpdate(page)).event).toMatchObject({ consentseal: { action: 'withdraw', method: 'gpc', gpc: true } });
  await expect.poll(async () => (await context.cookies()).map((c) => c.name)).not.toContain('_fbp');
  await expect(page.getByRole('button', { name: 'Accept all' })).toHaveCount(0);
});
