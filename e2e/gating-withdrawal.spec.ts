import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { PORTS } from './ports';

// Withdrawal with the script-tag build: cookies of a withdrawn purpose go on every domain and
// path they could have been set on, and `reloadOnWithdraw` reloads the page.

const SHOP = `http://a.b.shop.consentseal.test:${PORTS.pages}/e2e/pages/gating-cookies/shop.html`;
const jar = async (context: BrowserContext) =>
  (await context.cookies(`http://a.b.shop.consentseal.test:${PORTS.pages}/e2e/pages/gating-cookies/shop.html`))
    .filter((c) => c.name !== 'consentseal')
    .map((c) => `${c.name}=${c.value}@${c.domain}${c.path}`)
    .sort();

async function withdrawInPreferences(page: Page, title: string) {
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
  await dialog.getByRole('switch', { name: title }).click();
  await dialog.getByRole('button', { name: 'Save choices' }).click();
}

test('withdrawing a purpose deletes its cookies on the host, each parent domain up to the cookie domain, and every path', async ({ page, context }) => {
  await page.goto(SHOP);
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(page.getByRole('button', { name: 'Accept all' })).toHaveCount(0);
  await context.addCookies([
    { name: '_ga', value: 'hostonly', url: `http://a.b.shop.consentseal.test:${PORTS.pages}/` },
    { name: '_ga_XYZ', value: 'hostonly-deep', url: `http://a.b.shop.consentseal.test:${PORTS.pages}/e2e/pages/gating-cookies/` },
    { name: '_ga_XYZ', value: 'host', domain: '.a.b.shop.consentseal.test', path: '/e2e' },
    { name: '_ga', value: 'parent', domain: '.b.shop.consentseal.test', path: '/' },
    { name: '_ga', value: 'shop', domain: '.shop.consentseal.test', path: '/e2e/pages/' },
    { name: '_ga', value: 'above', domain: '.consentseal.test', path: '/' },
    { name: '_fbp', value: 'marketing', domain: '.shop.consentseal.test', path: '/' },
    { name: 'other', value: 'site', domain: '.shop.consentseal.test', path: '/' },
  ]);
  expect(await jar(context)).toHaveLength(8);

  await withdrawInPreferences(page, 'Analytics');
  await expect.poll(() => jar(context)).toEqual([
    '_fbp=marketing@.shop.consentseal.test/',
    // Above the configured cookie domain (shop.consentseal.test) is another site's business.
    '_ga=above@.consentseal.test/',
    'other=site@.shop.consentseal.test/',
  ]);
  expect((await page.evaluate(() => document.cookie)).split('; ').filter((c) => c.startsWith('_ga')).sort()).toEqual(['_ga=above']);

  // Withdrawing marketing takes its cookie too, and leaves the site's own.
  await withdrawInPreferences(page, 'Marketing');
  await expect.poll(() => jar(context)).toEqual(['_ga=above@.consentseal.test/', 'other=site@.shop.consentseal.test/']);
  // The decision itself stays, on the configured domain.
  expect((await context.cookies(SHOP)).find((c) => c.name === 'consentseal')?.domain).toBe('.shop.consentseal.test');
});

test('withdrawing a purpose also deletes its __Host- and __Secure- cookies (they can only be overwritten as Secure)', async ({ page }) => {
  // localhost is a secure context over http, so the browser accepts prefixed cookies there.
  await page.goto(`http://localhost:${PORTS.pages}/e2e/pages/gating-cookies/secure-prefixes.html`);
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(page.getByRole('button', { name: 'Accept all' })).toHaveCount(0);
  const prefixed = () => page.evaluate(() => document.cookie.split('; ').filter((c) => c.startsWith('__')).sort());
  await page.evaluate(() => {
    document.cookie = '__Host-stats=1;path=/;secure';
    document.cookie = '__Secure-ga=2;path=/;secure;samesite=none';
    document.cookie = '__Secure-other=3;path=/;secure';
  });
  expect(await prefixed()).toEqual(['__Host-stats=1', '__Secure-ga=2', '__Secure-other=3']);
  await withdrawInPreferences(page, 'Analytics');
  await expect.poll(prefixed).toEqual(['__Secure-other=3']);
});

test.describe('reloadOnWithdraw', () => {
  type Win = { ran: string[]; receipts: string[]; marker?: number; ConsentSeal: { getState(): { purposes: Record<string, boolean> } } };

  test('reloads after a withdrawal, and the withdrawn scripts do not run again', async ({ page }) => {
    await page.goto('/e2e/pages/gating-reload.html');
    await page.evaluate(() => ((window as unknown as Win).marker = 1));
    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as Win).ran)).toEqual(['analytics', 'marketing']);
    // Granting is no withdrawal: once its receipt is stored the page is still the same page.
    await expect.poll(() => page.evaluate(() => (window as unknown as Win).receipts)).toContain('signed');
    expect(await page.evaluate(() => (window as unknown as Win).marker)).toBe(1);

    const reloaded = page.waitForEvent('load');
    await withdrawInPreferences(page, 'Analytics');
    await reloaded;
    expect(await page.evaluate(() => (window as unknown as Win).marker)).toBeUndefined();
    expect(await page.evaluate(() => (window as unknown as Win).ConsentSeal.getState().purposes)).toEqual({ necessary: true, analytics: false, marketing: true });
    await expect.poll(() => page.evaluate(() => (window as unknown as Win).ran)).toEqual(['marketing']);
  });

  test('does not reload for a decision that only grants', async ({ page }) => {
    await page.goto('/e2e/pages/gating-reload.html');
    await page.getByRole('button', { name: 'Reject all' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as Win).receipts.filter((s) => s === 'signed').length)).toBe(1);
    await page.evaluate(() => ((window as unknown as Win).marker = 2));
    await page.getByRole('link', { name: 'Privacy settings' }).click();
    await page.getByRole('dialog', { name: 'Privacy preferences' }).getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as Win).receipts.filter((s) => s === 'signed').length)).toBe(2);
    expect(await page.evaluate(() => (window as unknown as Win).marker)).toBe(2);
    expect(await page.evaluate(() => (window as unknown as Win).ran)).toEqual(['analytics', 'marketing']);
  });
});
