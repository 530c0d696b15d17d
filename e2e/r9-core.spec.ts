import { expect, test, type Page } from '@playwright/test';

// Round 9 (core): the decision's life and the public API, in real Chromium against dist/.

type Api = { language: string };
/** `window.ConsentSeal.language`. */
const language = (page: Page) => page.evaluate(() => (window as unknown as { ConsentSeal: Api }).ConsentSeal.language);

test('window.ConsentSeal.language follows a switch of <html lang>, as the ESM instance does', async ({ page }) => {
  await page.goto('/e2e/pages/r5-i18n-spa.html');
  expect(await language(page)).toBe('en');
  await page.getByRole('button', { name: '简体中文' }).click();
  await expect(page.getByRole('button', { name: '全部接受' })).toBeVisible();
  expect(await language(page)).toBe('zh-CN');
});
