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

test('an IndexedDB that never answers: acceptAll() still resolves, and the cookie keeps the decision', async ({ page }) => {
  type Cs = { acceptAll(): Promise<{ status: string }>; getState(): { status: string }; ready: Promise<void> };
  await page.addInitScript(() => {
    IDBFactory.prototype.open = () => ({}) as IDBOpenDBRequest;
  });
  await page.goto('/e2e/pages/headless.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  // Well past the 2.5 s the SDK gives IndexedDB; a promise that never settles answers 'hung'.
  const accepted = await page.evaluate(() =>
    Promise.race([(window as unknown as { cs: Cs }).cs.acceptAll().then((s) => s.status), new Promise((r) => setTimeout(r, 6000, 'hung'))]),
  );
  expect(accepted).toBe('decided');
  expect(await page.evaluate(() => (window as unknown as { errors: string[] }).errors)).toContainEqual(expect.stringMatching(/^storage: /));
  await page.reload();
  expect(await page.evaluate(() => (window as unknown as { cs: Cs }).cs.getState().status)).toBe('decided');
});

test('a config that is not valid JSON but asks for Consent Mode still denies every type before the Google tag runs', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto('/e2e/pages/r9-gcm-bad-json.html');
  const types = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage', 'functionality_storage', 'personalization_storage'];
  const denied = { ...Object.fromEntries(types.map((t) => [t, 'denied'])), security_storage: 'granted' };
  expect(JSON.parse(await page.evaluate(() => (window as unknown as { tagSaw: string }).tagSaw))).toEqual([['consent', 'default', denied]]);
  expect(errors).toEqual([expect.stringContaining('ConsentSeal: SyntaxError')]);
  await expect(page.locator('cs-layer')).toHaveCount(0);
});

test('two sites on one origin with their own cookie names keep their decisions apart, at a reload and between open tabs', async ({ context }) => {
  type Cs = { ready: Promise<void>; getState(): { status: string; purposes: Record<string, boolean> } };
  const state = (page: Page) => page.evaluate(async () => {
    const cs = (window as unknown as { ConsentSeal: Cs }).ConsentSeal;
    await cs.ready;
    return cs.getState();
  });
  const [shop, blog] = [await context.newPage(), await context.newPage()];
  await blog.goto('/e2e/pages/r9-cookie-name.html?site=blog');
  await shop.goto('/e2e/pages/r9-cookie-name.html?site=shop');
  await shop.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(async () => (await context.cookies()).map((c) => c.name)).toEqual(['shop_consent']);
  // A tab of the shop hears it; the blog's open tab does not.
  const shop2 = await context.newPage();
  await shop2.goto('/e2e/pages/r9-cookie-name.html?site=shop');
  await shop.evaluate(() => (window as unknown as { ConsentSeal: { rejectAll(): Promise<unknown> } }).ConsentSeal.rejectAll());
  await expect.poll(async () => (await state(shop2)).purposes.analytics).toBe(false);
  expect(await state(blog)).toMatchObject({ status: 'pending', purposes: { analytics: false } });
  await blog.reload();
  expect(await state(blog)).toMatchObject({ status: 'pending', purposes: { analytics: false } });
  await expect(blog.getByRole('button', { name: 'Accept all' })).toBeVisible();
});
