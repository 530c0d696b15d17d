import { expect, test, type Page } from '@playwright/test';
import { compactVerify, EmbeddedJWK } from 'jose';
import { DEMO } from './demo-env';

// Smoke tests over every demo page (npm start's site + collector, started by playwright.config.ts).

const SITE = DEMO.site;
const COLLECTOR = DEMO.collector;
const PAGES = ['/', '/product.html', '/zh.html', '/privacy.html', '/record.html', '/collector.html', '/spa/', '/spa/teas', '/spa/account'];

/** Fails the test on any console error or uncaught exception in the page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Every receipt the demo collector stored for a subject, verified with jose. */
async function storedReceipts(subjectId: string) {
  const res = await fetch(`${COLLECTOR}/receipts?subjectId=${subjectId}`, { headers: { authorization: `Bearer ${DEMO.token}` } });
  expect(res.status).toBe(200);
  const lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { jws: string; receiptId: string });
  return Promise.all(lines.map(async (r) => JSON.parse(new TextDecoder().decode((await compactVerify(r.jws, EmbeddedJWK)).payload))));
}

for (const path of PAGES) {
  test(`${path} loads without console errors and shows the banner`, async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto(SITE + path);
    await expect(page.getByRole('button', { name: path === '/zh.html' ? '全部接受' : 'Accept all' })).toBeVisible();
    expect(errors).toEqual([]);
  });
}

test('shop: accepting runs the gated scripts and the collector stores a verifiable receipt', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(SITE + '/');
  await expect(page.locator('#analytics-status')).toHaveText(/Analytics is off/);
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(page.locator('#analytics-status')).toHaveText(/Analytics is on/);
  await expect(page.locator('#marketing-status')).toHaveText(/Marketing is on/);
  await expect(page.getByRole('button', { name: 'Accept all' })).toBeHidden();
  const subjectId = await page.evaluate(() => (window as any).ConsentSeal.getState().subjectId as string);
  await expect.poll(async () => (await storedReceipts(subjectId)).length).toBe(1);
  const [receipt] = await storedReceipts(subjectId);
  expect(receipt).toMatchObject({ action: 'accept-all', method: 'banner', seq: 1, prev: null, page: `${SITE}/`, purposes: { necessary: true, analytics: true, marketing: true } });
  expect(errors).toEqual([]);
});

test('footer link re-opens the preferences; withdrawing is recorded and the scripts stay off', async ({ page }) => {
  await page.goto(SITE + '/');
  await page.getByRole('button', { name: 'Accept all' }).click();
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('switch', { name: 'Analytics' }).or(dialog.getByRole('checkbox', { name: 'Analytics' }))).toBeChecked();
  await dialog.getByRole('switch', { name: 'Analytics' }).or(dialog.getByRole('checkbox', { name: 'Analytics' })).click();
  await dialog.getByRole('button', { name: 'Save choices' }).click();
  await expect(dialog).toBeHidden();
  const subjectId = await page.evaluate(() => (window as any).ConsentSeal.getState().subjectId as string);
  await expect.poll(async () => (await storedReceipts(subjectId)).map((r) => r.action)).toEqual(['accept-all', 'withdraw']);
  await page.reload();
  await expect(page.locator('#analytics-status')).toHaveText(/Analytics is off/);
  await expect(page.locator('#marketing-status')).toHaveText(/Marketing is on/);
});

test('product: the video waits behind a placeholder until allowed', async ({ page }) => {
  await page.goto(SITE + '/product.html');
  await page.getByRole('button', { name: 'Reject all' }).click();
  const frame = page.locator('iframe[data-consent="marketing"]');
  await expect(frame).not.toHaveAttribute('src', /./);
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(frame).toHaveAttribute('src', '/embed/video.html');
  await expect(page.frameLocator('iframe[data-consent="marketing"]').locator('#video-title')).toHaveText(/How to brew sencha/);
});

test('language page: the banner speaks Simplified Chinese and receipts say so', async ({ page }) => {
  await page.goto(SITE + '/zh.html');
  await expect(page.getByRole('button', { name: '全部拒绝' })).toBeVisible();
  await page.getByRole('button', { name: '全部拒绝' }).click();
  const subjectId = await page.evaluate(() => (window as any).ConsentSeal.getState().subjectId as string);
  await expect.poll(async () => (await storedReceipts(subjectId))[0]?.language).toBe('zh-CN');
});

test('record page lists the receipts this browser signed', async ({ page }) => {
  await page.goto(SITE + '/');
  await page.getByRole('button', { name: 'Reject all' }).click();
  // Left at once: a receipt not yet signed when the page goes is signed by the next page.
  await page.goto(SITE + '/record.html');
  await expect(page.locator('#receipt-count')).toHaveText('1 receipt(s) signed in this browser.');
  await expect(page.locator('#record')).toContainText('reject-all via banner');
});

test('SPA: route changes neither re-show the banner nor break gating', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(SITE + '/spa/');
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect(page.getByRole('button', { name: 'Accept all' })).toBeHidden();
  await page.getByRole('link', { name: 'Teas' }).click();
  await expect(page.locator('#analytics-status')).toHaveText('Analytics is on: 1 route view(s) counted in this session.');
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.locator('#consent-id')).toHaveText(/^[0-9a-f-]{36}$/);
  await page.getByRole('link', { name: 'Teas' }).click();
  await expect(page.locator('#analytics-status')).toHaveText('Analytics is on: 2 route view(s) counted in this session.');
  await expect(page.getByRole('button', { name: 'Accept all' })).toBeHidden();
  expect(await page.evaluate(() => location.pathname)).toBe('/spa/teas');
  expect(errors).toEqual([]);
});
