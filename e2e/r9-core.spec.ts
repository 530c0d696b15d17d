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

test('with GPC on, the preferences’ Accept all keeps the visitor’s own grant of an opt-out purpose', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  await page.goto('/e2e/pages/gpc.html');
  await page.getByRole('button', { name: 'Customize' }).click();
  const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
  await dialog.getByRole('switch', { name: 'Marketing' }).click();
  await dialog.getByRole('button', { name: 'Save choices' }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole('link', { name: 'Privacy settings' }).click();
  await expect(dialog.getByRole('switch', { name: 'Marketing' })).toBeChecked();
  await dialog.getByRole('button', { name: 'Accept all' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  await expect(dialog.getByRole('switch', { name: 'Analytics' })).toBeChecked();
  await expect(dialog.getByRole('switch', { name: 'Marketing' })).toBeChecked();
});
