import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { noticeHash } from '../src/receipts/notice';
import { ORIGIN } from './ports';
import { banner, prefs, type W } from './widget-helpers';

// Languages the widget shows and is marked with (lang, dir), in real Chromium against dist/: a
// configured language without texts, Traditional Chinese, and a single-page app that switches
// `<html lang>` after start (the banner, the preferences and the embed placeholders follow it), down
// to the notice hash of the receipt signed after the switch, in the headless build too.

const SPA = '/e2e/pages/r5-i18n-spa.html';
const SPA_CONFIG = JSON.parse(/id="consentseal-config">([\s\S]*?)<\/script>/.exec(readFileSync(new URL('pages/r5-i18n-spa.html', import.meta.url), 'utf8'))![1]!);

const root = (page: Page) => page.locator('cs-layer .r');
/** The widget root's lang and dir. */
const marked = async (page: Page) => [await root(page).getAttribute('lang'), await root(page).getAttribute('dir')];
/** Starts the script-tag build on widget-manual.html with the box page's config changed by `patch`, `<html lang>` set to `lang`. */
const init = (page: Page, patch: object, lang = 'en') =>
  page.evaluate(
    async ([patch, lang]) => {
      const html = await fetch('/e2e/pages/widget-box.html').then((r) => r.text());
      const cfg = JSON.parse(/id="consentseal-config">([\s\S]*?)<\/script>/.exec(html)![1]!);
      document.documentElement.lang = lang as string;
      (window as unknown as W).ConsentSeal.init({ ...cfg, ...(patch as object) });
    },
    [patch, lang] as const,
  );
/** The payload of the n-th receipt this page signed. */
const receipt = async (page: Page, n: number) => {
  await expect.poll(() => page.evaluate(() => (window as unknown as { receipts: string[] }).receipts.length)).toBeGreaterThan(n);
  const jws = await page.evaluate((n) => (window as unknown as { receipts: string[] }).receipts[n]!, n);
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString());
};

test.describe('a configured language', () => {
  test('without texts of its own, the widget is marked with the English it shows, left to right and not mirrored', async ({ page }) => {
    await page.goto('/e2e/pages/widget-manual.html');
    await init(page, { language: 'ar' });
    await expect(banner(page)).toBeVisible();
    expect(await marked(page)).toEqual(['en', 'ltr']);
    // The box sits in the right-hand corner, as in English; the site's English purpose titles show.
    const box = (await banner(page).boundingBox())!;
    expect(box.x + box.width).toBeGreaterThan(1280 - 40);
    await banner(page).getByRole('button', { name: 'Customize' }).click();
    await expect(prefs(page).getByRole('switch', { name: 'Analytics' })).toBeVisible();
  });

  test('with its texts, the widget is marked with it and mirrored', async ({ page }) => {
    await page.goto('/e2e/pages/widget-manual.html');
    const ar = { bannerTitle: 'نحن نقدّر خصوصيتك', acceptAll: 'قبول الكل', rejectAll: 'رفض الكل', customize: 'تخصيص' };
    await init(page, { language: 'ar-EG', texts: { ar } });
    const region = page.getByRole('region', { name: ar.bannerTitle });
    await expect(region.getByRole('button', { name: ar.acceptAll })).toBeVisible();
    expect(await marked(page)).toEqual(['ar', 'rtl']);
    expect((await region.boundingBox())!.x).toBeLessThan(40);
  });
});

test.describe('Traditional Chinese', () => {
  test.use({ locale: 'zh-TW' });

  test('a zh-TW visitor never gets the built-in Simplified Chinese: English, marked as such', async ({ page }) => {
    await page.goto('/e2e/pages/widget-manual.html');
    expect(await page.evaluate(() => navigator.languages)).toEqual(['zh-TW']);
    await init(page, { language: 'auto' }, 'zh-Hant-TW');
    await expect(banner(page).getByRole('button', { name: 'Accept all' })).toBeVisible();
    expect(await marked(page)).toEqual(['en', 'ltr']);
  });

  test("a zh-HK page gets the site's own Traditional texts (texts['zh-TW'])", async ({ page }) => {
    await page.goto(SPA + '?lang=zh-HK');
    const region = page.getByRole('region', { name: '我們重視您的隱私' });
    await expect(region.getByRole('button', { name: '全部拒絕' })).toBeVisible();
    expect(await marked(page)).toEqual(['zh-TW', 'ltr']);
  });

  test('a zh-SG page gets the built-in Simplified Chinese', async ({ page }) => {
    await page.goto(SPA + '?lang=zh-SG');
    await expect(page.getByRole('region', { name: '我们重视您的隐私' })).toBeVisible();
    expect(await marked(page)).toEqual(['zh-CN', 'ltr']);
  });
});

test.describe('a single-page app switching <html lang> (language: "auto")', () => {
  test('the banner follows the switch, and the receipt of the decision records and hashes the texts shown then', async ({ page }) => {
    await page.goto(SPA);
    await expect(banner(page)).toBeVisible();
    expect(await marked(page)).toEqual(['en', 'ltr']);

    await page.getByRole('button', { name: '简体中文' }).click();
    const zh = page.getByRole('region', { name: '我们重视您的隐私' });
    await expect(zh.getByRole('button', { name: '全部接受' })).toBeVisible();
    await expect(banner(page)).toHaveCount(0);
    expect(await marked(page)).toEqual(['zh-CN', 'ltr']);

    await zh.getByRole('button', { name: '全部接受' }).click();
    const p = await receipt(page, 0);
    const pageUrl = ORIGIN + SPA;
    expect(p).toMatchObject({ action: 'accept-all', method: 'banner', language: 'zh-CN', page: pageUrl });
    expect(p.noticeHash).toBe(await noticeHash(SPA_CONFIG, 'zh-CN', pageUrl));
    expect(p.noticeHash).not.toBe(await noticeHash(SPA_CONFIG, 'en', pageUrl));
  });

  test('the open preferences follow it too, keeping the toggles and focus; the receipt is in the new language', async ({ page }) => {
    await page.goto(SPA + '?lang=zh-CN');
    await page.getByRole('button', { name: '自定义' }).click();
    const zh = page.getByRole('dialog', { name: '隐私偏好设置' });
    await zh.getByRole('switch', { name: '统计分析' }).click();
    await expect(zh.getByRole('switch', { name: '统计分析' })).toBeFocused();

    // The app switches language while the (modal) preferences are open.
    await page.evaluate(() => (document.documentElement.lang = 'zh-TW'));
    const tw = page.getByRole('dialog', { name: '隱私偏好設定' });
    await expect(tw.getByRole('switch', { name: '統計分析' })).toBeChecked();
    await expect(tw.getByRole('switch', { name: '統計分析' })).toBeFocused();
    await expect(tw.getByRole('switch', { name: 'marketing' })).not.toBeChecked();
    expect(await marked(page)).toEqual(['zh-TW', 'ltr']);

    await tw.getByRole('button', { name: '儲存選擇' }).click();
    const p = await receipt(page, 0);
    expect(p).toMatchObject({ action: 'custom', method: 'preferences', language: 'zh-TW', purposes: { necessary: true, analytics: true, marketing: false } });
    expect(p.noticeHash).toBe(await noticeHash(SPA_CONFIG, 'zh-TW', ORIGIN + SPA));
  });
});

test.describe('embed placeholders on a page switching <html lang> (language: "auto")', () => {
  test('follow the switch: text, Allow, link and lang; focus stays on Allow, which still allows the embed', async ({ page }) => {
    await page.goto(SPA);
    const placeholder = page.locator('.consentseal-placeholder');
    const box = placeholder.locator('.r');
    await expect(placeholder.locator('p')).toHaveText('Video: This content needs your consent to “marketing”.');
    await expect(box).toHaveAttribute('lang', 'en');
    await placeholder.getByRole('button', { name: 'Allow' }).focus();

    await page.evaluate(() => (document.documentElement.lang = 'zh-CN'));
    // The site's zh-CN title of the purpose, in the built-in Simplified Chinese sentence.
    await expect(placeholder.locator('p')).toHaveText('Video: 此内容需要您同意“营销”。');
    await expect(placeholder.getByRole('link', { name: '在别处打开' })).toHaveAttribute('href', '/e2e/pages/gating-frame.html');
    await expect(placeholder.getByRole('link', { name: 'Open it elsewhere' })).toHaveCount(0);
    expect([await box.getAttribute('lang'), await box.getAttribute('dir')]).toEqual(['zh-CN', 'ltr']);
    const allow = placeholder.getByRole('button', { name: '允许' });
    await expect(allow).toBeFocused();
    // The banner followed too.
    await expect(page.getByRole('region', { name: '我们重视您的隐私' })).toBeVisible();

    await allow.click();
    await expect(page.frameLocator('#video').getByText('Embedded content loaded')).toBeVisible();
    await expect(placeholder).toHaveCount(0);
    await expect(page.locator('#video')).toBeFocused();
    const p = await receipt(page, 0);
    expect(p).toMatchObject({ action: 'custom', method: 'preferences', language: 'zh-CN', purposes: { necessary: true, analytics: false, marketing: true } });
    expect(p.noticeHash).toBe(await noticeHash(SPA_CONFIG, 'zh-CN', ORIGIN + SPA));
  });
});

test.describe('the headless build (language: "auto")', () => {
  test('follows a switch of <html lang>: announces it, and the receipt of a decision after it records and hashes the new language', async ({ page }) => {
    await page.goto('/e2e/pages/headless.html');
    await expect(page.locator('body[data-ready="true"]')).toBeAttached();
    type Headless = {
      cs: { language: string; config: object; on(e: string, fn: (p: never) => void): () => void; acceptAll(): Promise<unknown> };
      seen: string[][];
      signed: Promise<string>;
    };
    const before = await page.evaluate(() => {
      const w = window as unknown as Headless;
      const { cs } = w;
      // What a headless site's own UI would re-render on.
      w.seen = [];
      cs.on('language', (l: string) => w.seen.push([l, cs.language]));
      w.signed = new Promise((resolve) => cs.on('receipt', (e: { status: string; jws: string }) => e.status === 'signed' && resolve(e.jws)));
      const language = cs.language;
      document.documentElement.lang = 'zh-Hans-CN';
      return language;
    });
    await expect.poll(() => page.evaluate(() => (window as unknown as Headless).seen)).toEqual([['zh-CN', 'zh-CN']]);
    const r = await page.evaluate(async () => {
      const w = window as unknown as Headless;
      await w.cs.acceptAll();
      return { jws: await w.signed, config: w.cs.config };
    });
    expect(before).toBe('en');
    const p = JSON.parse(Buffer.from(r.jws.split('.')[1]!, 'base64url').toString());
    const pageUrl = ORIGIN + '/e2e/pages/headless.html';
    expect(p).toMatchObject({ action: 'accept-all', method: 'api', language: 'zh-CN', page: pageUrl });
    expect(p.noticeHash).toBe(await noticeHash(r.config as Parameters<typeof noticeHash>[0], 'zh-CN', pageUrl));
    expect(p.noticeHash).not.toBe(await noticeHash(r.config as Parameters<typeof noticeHash>[0], 'en', pageUrl));
  });
});

test('a lowercase Consent Mode region code refuses the config, naming it, and every type stays denied', async ({ page }) => {
  const errors: string[] = [];
  // The SDK's own errors (a browser's resource errors, such as a favicon 404, are not the SDK's).
  page.on('console', (m) => m.type() === 'error' && m.text().startsWith('ConsentSeal') && errors.push(m.text()));
  await page.goto('/e2e/pages/r5-i18n-gcm-region.html');
  const saw = JSON.parse((await page.evaluate(() => (window as unknown as { tagSaw: string }).tagSaw)) ?? 'null');
  // The fail-closed default: all denied (security_storage aside), and no region, so it applies everywhere.
  expect(saw).toEqual([
    ['consent', 'default', {
      ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'denied',
      functionality_storage: 'denied', personalization_storage: 'denied', security_storage: 'granted',
    }],
  ]);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('googleConsentMode.region[1]: must match [A-Z]{2}(-[A-Z\\d]{1,3})?');
  await expect(page.locator('cs-layer')).toHaveCount(0);
});
