import { expect, test, type Page } from '@playwright/test';

// Google Consent Mode v2 with the script-tag build: what the dataLayer holds when a Google tag
// placed after consentseal.js runs, and what each decision pushes.

const D = 'denied';
const G = 'granted';
const TYPES = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage', 'functionality_storage', 'personalization_storage', 'security_storage'];
const values = (granted: string[]) => Object.fromEntries(TYPES.map((t) => [t, granted.includes(t) || t === 'security_storage' ? G : D]));
const DEFAULT = ['consent', 'default', { ...values([]), wait_for_update: 500 }];
const ALL = values(TYPES);
const ANALYTICS_ONLY = values(['analytics_storage']);
/** The event that follows a returning visitor's update at start: the stored purposes. */
const restored = (analytics: boolean, marketing: boolean) => ({ event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics, marketing } } });

type Win = { dataLayer: unknown[]; atStart: string; tagSaw?: string; tagRuns?: number; ConsentSeal: { acceptAll(): Promise<unknown>; rejectAll(): Promise<unknown> } };
/** The dataLayer as plain data: `arguments` entries as arrays, events as objects. */
const dataLayer = (page: Page) =>
  page.evaluate(() => (window as unknown as Win).dataLayer.map((a) => (Object.prototype.toString.call(a) === '[object Arguments]' ? Array.from(a as ArrayLike<unknown>) : a)));
const atStart = async (page: Page) => JSON.parse(await page.evaluate(() => (window as unknown as Win).atStart));
const tagSaw = async (page: Page) => JSON.parse((await page.evaluate(() => (window as unknown as Win).tagSaw)) ?? 'null');

test.describe('advanced mode (tags load, consent denied until granted)', () => {
  test('the default is in the dataLayer, as an arguments object, before the Google tag runs', async ({ page }) => {
    await page.goto('/e2e/pages/gcm-advanced.html');
    expect(await atStart(page)).toEqual([DEFAULT]);
    expect(await tagSaw(page)).toEqual([DEFAULT]);
    expect(await page.evaluate(() => Object.prototype.toString.call((window as unknown as Win).dataLayer[0]))).toBe('[object Arguments]');
  });

  test('every decision pushes an update and a consentseal_update event', async ({ page }) => {
    await page.goto('/e2e/pages/gcm-advanced.html');
    await page.getByRole('button', { name: 'Customize' }).click();
    const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
    await dialog.getByRole('switch', { name: 'Analytics' }).click();
    await dialog.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(() => dataLayer(page)).toEqual([
      DEFAULT,
      ['consent', 'update', ANALYTICS_ONLY],
      { event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics: true, marketing: false }, action: 'custom', method: 'preferences', gpc: false } },
    ]);
    await page.getByRole('link', { name: 'Privacy settings' }).click();
    await dialog.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(async () => (await dataLayer(page)).slice(3)).toEqual([
      ['consent', 'update', ALL],
      { event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics: true, marketing: true }, action: 'accept-all', method: 'preferences', gpc: false } },
    ]);
    await page.evaluate(() => (window as unknown as Win).ConsentSeal.rejectAll());
    await expect.poll(async () => (await dataLayer(page)).slice(5)).toEqual([
      ['consent', 'update', values([])],
      { event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics: false, marketing: false }, action: 'reject-all', method: 'api', gpc: false } },
    ]);
  });

  test('a returning visitor gets the stored consent as an update, and its consentseal_update event, before the Google tag runs', async ({ page }) => {
    await page.goto('/e2e/pages/gcm-advanced.html');
    await page.getByRole('button', { name: 'Customize' }).click();
    const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
    await dialog.getByRole('switch', { name: 'Analytics' }).click();
    await dialog.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(async () => (await dataLayer(page)).length).toBe(3);

    await page.reload();
    expect(await atStart(page)).toEqual([DEFAULT, ['consent', 'update', ANALYTICS_ONLY], restored(true, false)]);
    expect(await tagSaw(page)).toEqual([DEFAULT, ['consent', 'update', ANALYTICS_ONLY], restored(true, false)]);

    await page.evaluate(() => (window as unknown as Win).ConsentSeal.acceptAll());
    await page.reload();
    expect(await atStart(page)).toEqual([DEFAULT, ['consent', 'update', ALL], restored(true, true)]);
  });
});

test('a config the SDK refuses still denies every type before the Google tag runs (fail closed)', async ({ page }) => {
  // Without any consent command Google tags behave as if everything were granted.
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto('/e2e/pages/gcm-bad-config.html');
  expect(await tagSaw(page)).toEqual([['consent', 'default', values([])]]);
  expect(await page.evaluate(() => Object.prototype.toString.call((window as unknown as Win).dataLayer[0]))).toBe('[object Arguments]');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('theme: is unknown');
  await expect(page.locator('cs-layer')).toHaveCount(0);
});

for (const [what, file, error] of [
  ['is not even JSON', 'gcm-bad-json', 'JSON'],
  ['has its mapping under the wrong key', 'gcm-misplaced', 'ui.googleConsentMode: is unknown'],
] as const) {
  test(`a config that ${what}, but is meant for Consent Mode, denies every type before the Google tag runs`, async ({ page }) => {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`/e2e/pages/${file}.html`);
    expect(await tagSaw(page)).toEqual([['consent', 'default', values([])]]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(error);
  });
}

test.describe('basic mode (Google tags gated with data-consent)', () => {
  test('the tag does not load before consent, then sees the granted update', async ({ page }) => {
    await page.goto('/e2e/pages/gcm-basic.html');
    await expect(page.getByRole('button', { name: 'Accept all' })).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as Win).tagRuns)).toBeUndefined();
    expect(await dataLayer(page)).toEqual([DEFAULT]);

    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as Win).tagRuns)).toBe(1);
    expect(await tagSaw(page)).toEqual([
      DEFAULT,
      ['consent', 'update', ALL],
      { event: 'consentseal_update', consentseal: { purposes: { necessary: true, analytics: true, marketing: true }, action: 'accept-all', method: 'banner', gpc: false } },
    ]);

    await page.reload();
    await expect.poll(() => page.evaluate(() => (window as unknown as Win).tagRuns)).toBe(1);
    expect(await tagSaw(page)).toEqual([DEFAULT, ['consent', 'update', ALL], restored(true, true)]);
  });

  test('an inline gated gtag snippet runs after the granted update is queued, so its config is measured as granted', async ({ page }) => {
    // Inline gated scripts run synchronously when their purpose is granted: the update must already be
    // in the dataLayer then, or gtag.js processes the snippet's config (the first page_view) as denied.
    const snippetSaw = async () => JSON.parse((await page.evaluate(() => (window as unknown as { snippetSaw?: string }).snippetSaw)) ?? 'null');
    await page.goto('/e2e/pages/gcm-basic-inline.html');
    await page.getByRole('button', { name: 'Customize' }).click();
    const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
    await dialog.getByRole('switch', { name: 'Analytics' }).click();
    await dialog.getByRole('button', { name: 'Save choices' }).click();
    await expect.poll(snippetSaw).toEqual([DEFAULT, ['consent', 'update', ANALYTICS_ONLY]]);

    // A decision made in another tab reaches this one the same way.
    const other = await page.context().newPage();
    await other.goto('/e2e/pages/gcm-basic-inline.html');
    expect(await other.evaluate(() => (window as unknown as { snippetSaw?: string }).snippetSaw)).toBeDefined();
    await page.evaluate(() => (window as unknown as Win).ConsentSeal.rejectAll());
    await other.reload();
    expect(await other.evaluate(() => (window as unknown as { snippetSaw?: string }).snippetSaw)).toBeUndefined();
    await page.evaluate(() => (window as unknown as Win).ConsentSeal.acceptAll());
    await expect.poll(async () => JSON.parse((await other.evaluate(() => (window as unknown as { snippetSaw?: string }).snippetSaw)) ?? 'null')).toEqual([DEFAULT, ['consent', 'update', values([])], restored(false, false), ['consent', 'update', ALL]]);
  });

  test('the tag never loads after Reject all', async ({ page }) => {
    await page.goto('/e2e/pages/gcm-basic.html');
    await page.getByRole('button', { name: 'Reject all' }).click();
    await expect.poll(async () => (await dataLayer(page)).length).toBe(3);
    await page.reload();
    expect(await dataLayer(page)).toEqual([DEFAULT, ['consent', 'update', values([])], restored(false, false)]);
    expect(await page.evaluate(() => (window as unknown as Win).tagRuns)).toBeUndefined();
  });
});
