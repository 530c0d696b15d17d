import { expect, test, type ConsoleMessage, type Page } from '@playwright/test';
import { banner, pageConfig, prefs, type W } from './widget-helpers';

// How dist/consentseal.js starts on a page: config sources, bad config, strict CSP, languages,
// hostile texts, manual init, and the ESM build called twice.

const errorsOf = (page: Page) => {
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  return errors;
};

test('a strict CSP page (no inline style or script) shows a styled widget with zero violations', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as W).violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as W).violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const errors = errorsOf(page);
  const response = await page.goto('/e2e/pages/widget-strict.csp.html');
  expect(response!.headers()['content-security-policy']).toContain("style-src 'self'");
  await expect(banner(page)).toBeVisible();
  // Styled by the adopted stylesheet: fixed to the bottom, with the accent-coloured buttons.
  expect(await banner(page).evaluate((b) => getComputedStyle(b).position)).toBe('fixed');
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  await expect(prefs(page)).toBeVisible();
  await prefs(page).getByRole('switch', { name: 'Analytics' }).check();
  await prefs(page).getByRole('button', { name: 'Save choices' }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as W).ConsentSeal.getState().status)).toBe('decided');
  expect(await page.evaluate(() => (window as unknown as W).violations)).toEqual([]);
  expect(errors).toEqual([]);
});

test('<html lang="zh-CN"> shows the built-in Chinese texts', async ({ page }) => {
  await page.goto('/e2e/pages/widget-zh.html');
  const region = page.getByRole('region', { name: '我们重视您的隐私' });
  await expect(region).toBeVisible();
  for (const name of ['全部接受', '全部拒绝', '自定义']) await expect(region.getByRole('button', { name })).toBeVisible();
  await expect(page.locator('cs-layer .r')).toHaveAttribute('lang', 'zh-CN');
  await region.getByRole('button', { name: '自定义' }).click();
  const dialog = page.getByRole('dialog', { name: '隐私偏好设置' });
  await expect(dialog.getByRole('button', { name: '保存选择' })).toBeVisible();
  await expect(dialog.getByRole('switch', { name: '统计分析' })).not.toBeChecked();
});

test('on a page in another charset (windows-1252, script sent without one), the Chinese texts stay intact', async ({ page }) => {
  // A script without a charset of its own is decoded in the page's: the build is ASCII only.
  await page.route(/widget-zh\.html$|consentseal\.js$/, async (route) => {
    const response = await route.fetch();
    const html = route.request().url().endsWith('.html');
    await route.fulfill({ response, headers: { 'content-type': html ? 'text/html; charset=windows-1252' : 'text/javascript' } });
  });
  await page.goto('/e2e/pages/widget-zh.html');
  expect(await page.evaluate(() => document.characterSet)).toBe('windows-1252');
  const region = page.getByRole('region', { name: '我们重视您的隐私' });
  for (const name of ['全部接受', '全部拒绝', '自定义']) await expect(region.getByRole('button', { name })).toBeVisible();
});

test('HTML in site texts is shown as text: no element is created and no script runs', async ({ page }) => {
  await page.goto('/e2e/pages/widget-inject.html');
  const region = page.getByRole('region', { name: '<b id=evil>Hi</b>' });
  await expect(region).toBeVisible();
  await expect(region).toContainText('<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>');
  await expect(region).toContainText('[x](javascript:window.__pwned=1)');
  await region.getByRole('button', { name: 'Customize' }).click();
  await expect(prefs(page).getByRole('switch', { name: '<i id=evil2>Analytics</i>' })).toBeVisible();
  const created = await page.evaluate(() => {
    const root = document.querySelector('cs-layer')!.shadowRoot!;
    return [...root.querySelectorAll('img, script, b, i, [id^=evil]')].length + document.querySelectorAll('[id^=evil]').length;
  });
  expect(created).toBe(0);
  expect(await page.evaluate(() => (window as unknown as W).__pwned)).toBeUndefined();
  await expect(prefs(page).getByRole('link')).toHaveCount(1); // only the policy link
});

test('a bad config logs one console error naming the field, renders nothing, and the page still works', async ({ page }) => {
  const errors = errorsOf(page);
  await page.goto('/e2e/pages/widget-bad.html');
  await page.getByRole('button', { name: 'Page button' }).click();
  await expect(page.locator('#page-result')).toHaveText('page works');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('purposes[1].id');
  await expect(page.locator('cs-layer')).toHaveCount(0);
  expect(await page.evaluate(() => typeof (window as unknown as W).ConsentSeal.init)).toBe('function');
});

test('no config at all: one console error that says what is missing, nothing rendered', async ({ page }) => {
  const errors = errorsOf(page);
  await page.goto('/e2e/pages/widget-none.html');
  await page.getByRole('button', { name: 'Page button' }).click();
  await expect(page.locator('#page-result')).toHaveText('page works');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('consentseal-config');
  expect(errors[0]).toContain('window.consentsealConfig');
  await expect(page.locator('cs-layer')).toHaveCount(0);
});

test('window.consentsealConfig works as the config source', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { consentsealConfig: unknown }).consentsealConfig = {
      policyVersion: '1', policyUrl: '/privacy', purposes: [{ id: 'necessary', required: true }, { id: 'stats' }],
    };
  });
  await page.goto('/e2e/pages/widget-none.html');
  await expect(banner(page)).toBeVisible();
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  await expect(prefs(page).getByRole('switch', { name: 'stats' })).toBeVisible();
});

test('data-auto="false" waits for ConsentSeal.init(config); a second init keeps one widget', async ({ page }) => {
  const errors = errorsOf(page);
  await page.goto('/e2e/pages/widget-manual.html');
  expect(await page.evaluate(() => typeof (window as unknown as W).ConsentSeal.init)).toBe('function');
  await expect(page.locator('cs-layer')).toHaveCount(0);
  const config = await pageConfig(page);
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.evaluate((c) => (window as unknown as W).ConsentSeal.init(c), config);
  await expect(banner(page)).toBeVisible();
  await page.evaluate((c) => (window as unknown as W).ConsentSeal.init(c), config);
  await expect(page.locator('cs-layer')).toHaveCount(1);
  expect(warnings.join('\n')).toContain('already running');
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as W).ConsentSeal.getState().status)).toBe('decided');
  await page.evaluate(() => (window as unknown as W).ConsentSeal.init({ policyVersion: 1 }));
  expect(errors).toEqual([]);
});

test('ConsentSeal.init with a bad config logs one error and never throws', async ({ page }) => {
  const errors = errorsOf(page);
  await page.goto('/e2e/pages/widget-manual.html');
  const result = await page.evaluate(() => {
    try {
      return String((window as unknown as W).ConsentSeal.init({ policyVersion: '1', policyUrl: 'javascript:alert(1)', purposes: [] }));
    } catch (e) {
      return 'threw ' + String(e);
    }
  });
  expect(result).toBe('undefined');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('policyUrl');
  await expect(page.locator('cs-layer')).toHaveCount(0);
});

test('the ESM build called twice returns the live instance and mounts one widget', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.goto('/e2e/pages/widget-esm.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  expect(await page.evaluate(() => (window as unknown as W).same)).toBe(true);
  await expect(banner(page)).toHaveCount(1);
  await expect(page.locator('cs-layer')).toHaveCount(1);
  expect(warnings.join('\n')).toContain('already running');
});

test('a first-time visitor sees the banner without waiting for IndexedDB', async ({ page }) => {
  // IndexedDB that never answers: the core gives up on it only after its load timeout.
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => ({ open: () => ({}) }) });
  });
  await page.goto('/e2e/pages/widget-bar.html');
  await expect(banner(page)).toBeVisible();
  const readyYet = await page.evaluate(async () => {
    let done = false;
    void (window as unknown as W).ConsentSeal.ready.then(() => (done = true));
    await null;
    await null;
    return done;
  });
  expect(readyYet).toBe(false);
  await page.getByRole('button', { name: 'Reject all' }).click();
  await expect(banner(page)).toBeHidden();
});

test('a page script that loads slowly still hears the banner being shown (never before DOMContentLoaded)', async ({ page }) => {
  // The page's own script after the SDK arrives only once the SDK is ready: without the wait for
  // DOMContentLoaded, the banner would be shown (and `show` fired) before the page could listen.
  await page.route('**/e2e/pages/widget-page.js', async (route) => {
    // Timer polling: animation frames do not run while the parser waits in <head>.
    await page.waitForFunction(() => (window as unknown as W).ConsentSeal?.ready.then(() => true), undefined, { polling: 20 });
    await route.continue();
  });
  await page.goto('/e2e/pages/widget-bar.html');
  await expect(banner(page)).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as W).events)).toEqual(['show:banner']);
});
