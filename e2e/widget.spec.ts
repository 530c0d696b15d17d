import { expect, test } from '@playwright/test';
import { banner, openWithBanner, pageConfig, prefs, state, type W } from './widget-helpers';

// The widget built into dist/consentseal.js: each layer, each button, keyboard use, focus handling.

const BAR = '/e2e/pages/widget-bar.html';

test('Accept all on the banner grants everything, hides the banner, and is remembered', async ({ page }) => {
  await openWithBanner(page, BAR);
  expect(await state(page)).toMatchObject({ status: 'pending', purposes: { necessary: true, analytics: false, marketing: false } });
  await banner(page).getByRole('button', { name: 'Accept all' }).click();
  await expect(banner(page)).toHaveCount(0);
  await expect.poll(() => state(page)).toMatchObject({ status: 'decided', purposes: { necessary: true, analytics: true, marketing: true } });
  expect(await page.evaluate(() => (window as unknown as W).events)).toEqual(expect.arrayContaining(['show:banner', 'hide:banner', 'change:decided']));
  await page.reload();
  await page.waitForFunction(() => (window as unknown as W).ConsentSeal.ready.then(() => true));
  expect(await state(page)).toMatchObject({ status: 'decided', purposes: { analytics: true } });
  await expect(page.locator('cs-layer')).toHaveCount(0);
});

test('Reject all on the banner denies every optional purpose and hides the banner', async ({ page }) => {
  await openWithBanner(page, BAR);
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect(banner(page)).toHaveCount(0);
  await expect.poll(() => state(page)).toMatchObject({ status: 'decided', purposes: { necessary: true, analytics: false, marketing: false } });
});

test('Customize opens the preferences; Save choices stores exactly the toggles set', async ({ page }) => {
  await openWithBanner(page, BAR);
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  const dialog = prefs(page);
  await expect(dialog).toBeVisible();
  await expect(banner(page)).toHaveCount(0);
  const necessary = dialog.getByRole('switch', { name: 'Strictly necessary' });
  await expect(necessary).toBeChecked();
  await expect(necessary).toBeDisabled();
  for (const name of ['Analytics', 'Marketing']) await expect(dialog.getByRole('switch', { name })).not.toBeChecked();
  await expect(dialog.getByText('Services: Google Analytics')).toBeVisible();
  await expect(dialog.getByText('Cookies: _ga, /^_ga_/')).toBeVisible();
  await expect(dialog.getByRole('link', { name: "Google's policy" })).toHaveAttribute('href', 'https://policies.google.com/privacy');
  await dialog.getByRole('switch', { name: 'Analytics' }).check();
  await dialog.getByRole('button', { name: 'Save choices' }).click();
  await expect(dialog).toHaveCount(0);
  await expect.poll(() => state(page)).toMatchObject({ status: 'decided', purposes: { necessary: true, analytics: true, marketing: false } });
});

test("the preferences' Accept all and Reject all decide too", async ({ page }) => {
  await openWithBanner(page, BAR);
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  await prefs(page).getByRole('button', { name: 'Accept all' }).click();
  await expect(prefs(page)).toHaveCount(0);
  await expect.poll(() => state(page)).toMatchObject({ purposes: { analytics: true, marketing: true } });
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  await prefs(page).getByRole('button', { name: 'Reject all' }).click();
  await expect(prefs(page)).toHaveCount(0);
  await expect.poll(() => state(page)).toMatchObject({ purposes: { analytics: false, marketing: false } });
});

test('re-opened after a decision, the preferences show the current choices and the consent record', async ({ page }) => {
  await openWithBanner(page, BAR);
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  await prefs(page).getByRole('switch', { name: 'Marketing' }).check();
  await prefs(page).getByRole('button', { name: 'Save choices' }).click();
  await expect.poll(() => state(page)).toMatchObject({ status: 'decided' });
  const { subjectId } = await state(page);
  await page.reload();
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  const dialog = prefs(page);
  await expect(dialog.getByRole('switch', { name: 'Marketing' })).toBeChecked();
  await expect(dialog.getByRole('switch', { name: 'Analytics' })).not.toBeChecked();
  await expect(dialog.getByText(subjectId)).toBeVisible();
  await expect(dialog.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
  // Withdrawal is one toggle and one click away.
  await dialog.getByRole('switch', { name: 'Marketing' }).uncheck();
  await dialog.getByRole('button', { name: 'Save choices' }).click();
  await expect.poll(() => state(page)).toMatchObject({ purposes: { marketing: false } });
});

test('Download my receipts saves the signed receipts as JSON', async ({ page }) => {
  await openWithBanner(page, BAR);
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as W).ConsentSeal.getState().receiptId ?? null)).not.toBeNull();
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), prefs(page).getByRole('button', { name: 'Download my receipts' }).click()]);
  const body = JSON.parse(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8')));
  const { subjectId, receiptId } = await state(page) as { subjectId: string; receiptId: string };
  expect(body.subjectId).toBe(subjectId);
  expect(body.receipts).toContainEqual(expect.objectContaining({ receiptId, jws: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) }));
});

test('Download my receipts carries a long log whole (1,501 receipts, over 3 MB)', async ({ page }) => {
  await openWithBanner(page, BAR);
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as W).ConsentSeal.getState().receiptId ?? null)).not.toBeNull();
  // 1,500 more log entries of 2 kB each, written where the SDK keeps its log.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, ko) => Object.assign(indexedDB.open('consentseal-receipts'), { onsuccess(this: IDBOpenDBRequest) { ok(this.result); }, onerror: ko }));
    const tx = db.transaction('receipts', 'readwrite');
    for (let i = 0; i < 1500; i++) tx.objectStore('receipts').put({ receiptId: 'old-' + i, issuedAt: '2026-01-01T00:00:00.000Z', jws: 'x'.repeat(2000), status: 'sent' }, 'old-' + i);
    await new Promise((ok) => (tx.oncomplete = ok));
    db.close();
  });
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), prefs(page).getByRole('button', { name: 'Download my receipts' }).click()]);
  const text = await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8'));
  expect(text.length).toBeGreaterThan(3_000_000);
  expect(JSON.parse(text).receipts).toHaveLength(1501);
});

test('keyboard only: the banner comes first, the preferences trap focus, Escape returns to Customize', async ({ page }) => {
  await openWithBanner(page, BAR);
  await page.keyboard.press('Tab');
  await expect(banner(page).getByRole('link', { name: 'Privacy policy' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(banner(page).getByRole('button', { name: 'Reject all' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(banner(page).getByRole('button', { name: 'Accept all' })).toBeFocused();
  await page.keyboard.press('Tab');
  const customize = banner(page).getByRole('button', { name: 'Customize' });
  await expect(customize).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = prefs(page);
  await expect(dialog).toBeVisible();
  const inside = () => page.evaluate(() => !!document.querySelector('cs-layer')!.shadowRoot!.activeElement?.closest('dialog'));
  expect(await inside()).toBe(true);
  // Tab around the whole dialog twice: focus never leaves it.
  for (let i = 0; i < 24; i++) {
    await page.keyboard.press('Tab');
    expect(await inside()).toBe(true);
  }
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await inside()).toBe(true);
  }
  await dialog.getByRole('switch', { name: 'Analytics' }).focus();
  await page.keyboard.press('Space');
  await expect(dialog.getByRole('switch', { name: 'Analytics' })).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(customize).toBeFocused();
  expect((await state(page)).status).toBe('pending');
  // Open again and save with the keyboard alone.
  await page.keyboard.press('Enter');
  await dialog.getByRole('switch', { name: 'Analytics' }).focus();
  await page.keyboard.press('Space');
  await dialog.getByRole('button', { name: 'Save choices' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => state(page)).toMatchObject({ status: 'decided', purposes: { analytics: true, marketing: false } });
});

test('preferences closed by the browser itself (no cancel event) leave the widget usable', async ({ page }) => {
  // Chromium may close a modal dialog on Escape without a cancel event (no user activation since it
  // opened); dialog.close() does the same. The widget must not be left thinking it is still open.
  await openWithBanner(page, BAR);
  await page.evaluate(() => (window as unknown as W).ConsentSeal.showPreferences());
  await expect(prefs(page)).toBeVisible();
  await page.evaluate(() => document.querySelector('cs-layer')!.shadowRoot!.querySelector('dialog')!.close());
  await expect(prefs(page)).toHaveCount(0);
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  await expect(prefs(page)).toBeVisible();
  expect((await state(page)).status).toBe('pending');
});

test('the preferences return focus to the re-open link that opened them', async ({ page }) => {
  await openWithBanner(page, BAR);
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  const link = page.getByRole('link', { name: 'Privacy settings' });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(prefs(page)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(prefs(page)).toHaveCount(0);
  await expect(link).toBeFocused();
  await page.keyboard.press('Enter');
  await prefs(page).getByRole('button', { name: 'Close' }).click();
  await expect(link).toBeFocused();
});

test('a focused page element is never hidden behind the banner, and the banner shifts nothing (CLS 0)', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as W).cls = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries() as unknown as { value: number }[]) (window as unknown as W).cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await openWithBanner(page, BAR);
  // Where the banner rests once it has slid in (the first size report comes as the slide starts).
  await banner(page).evaluate((b) => Promise.all(b.getAnimations().map((a) => a.finished)));
  const top = (await banner(page).boundingBox())!.y;
  // Each link is scrolled to end `y` px from the viewport's top, under the banner, then focused: just
  // past the viewport's bottom edge, or just under the banner's top edge (the page only scrolls a link
  // it sees as covered). The footer's links are the page's last: it has to make room to show them.
  for (const [link, y] of [['#p20 a', 730], ['#p30 a', top + 6], ['#p40 a', 730], ['#reopen-link', 730], ['#last-link', 730]] as const) {
    await page.locator(link).evaluate((a, y) => window.scrollBy(0, a.getBoundingClientRect().bottom - y), y);
    await page.locator(link).focus();
    const box = (await page.locator(link).boundingBox())!;
    // Within a pixel: the page scrolls by whole pixels, the links' lines end between them.
    expect(box.y + box.height, link).toBeLessThan(top + 1);
  }
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect(banner(page)).toHaveCount(0);
  await expect.poll(() => page.evaluate(() => document.documentElement.style.cssText)).toBe('');
  expect(await page.evaluate(() => (window as unknown as W).cls)).toBe(0);
});

test('a page too short to scroll is not made to scroll by the banner (a scrollbar appearing would shift it)', async ({ page }) => {
  await page.goto('/e2e/pages/widget-manual.html');
  await page.locator('main').evaluate((m) => m.remove());
  const config = await pageConfig(page);
  await page.evaluate((c) => (window as unknown as W).ConsentSeal.init(c), config);
  await expect(banner(page)).toBeVisible();
  // Measured: focus still stays clear of it.
  await expect.poll(() => page.evaluate(() => document.documentElement.style.scrollPaddingBottom)).toMatch(/px$/);
  expect(await page.evaluate(() => [document.documentElement.style.paddingBottom, document.documentElement.scrollHeight <= innerHeight])).toEqual(['', true]);
});

test('a footer held at the bottom of <html> (ASP.NET, Bootstrap 3 sticky footer) does not move when the banner shows', async ({ page }) => {
  await page.goto('/e2e/pages/widget-manual.html');
  await page.addStyleTag({ content: 'html{position:relative;min-height:100%} body{margin-bottom:60px} footer{position:absolute;bottom:0}' });
  const before = await page.locator('footer').evaluate((f) => f.getBoundingClientRect().top + scrollY);
  const config = await pageConfig(page);
  await page.evaluate((c) => (window as unknown as W).ConsentSeal.init(c), config);
  await expect(banner(page)).toBeVisible();
  await expect.poll(() => page.evaluate(() => document.documentElement.style.scrollPaddingBottom)).toMatch(/px$/);
  expect(await page.locator('footer').evaluate((f) => f.getBoundingClientRect().top + scrollY)).toBe(before);
});

test('the widget takes no room in the page, even in a flex body with gaps', async ({ page }) => {
  await page.goto('/e2e/pages/widget-manual.html');
  await page.addStyleTag({ content: 'body{display:flex;flex-direction:column;gap:40px} body>*{position:relative;z-index:5}' });
  const before = await page.locator('h1').boundingBox();
  const config = await pageConfig(page);
  await page.evaluate((c) => (window as unknown as W).ConsentSeal.init(c), config);
  await expect(banner(page)).toBeVisible();
  expect(await page.locator('h1').boundingBox()).toEqual(before);
  // Above positioned page content: a click lands on the banner, not on the page.
  await banner(page).getByRole('button', { name: 'Reject all' }).click({ trial: false });
  await expect(banner(page)).toHaveCount(0);
});

test('Accept all and Reject all look the same: size, colours, font', async ({ page }) => {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await openWithBanner(page, BAR);
    const look = (name: string) =>
      banner(page).getByRole('button', { name }).evaluate((b) => {
        const s = getComputedStyle(b);
        const r = b.getBoundingClientRect();
        return [Math.round(r.width), Math.round(r.height), s.backgroundColor, s.color, s.fontSize, s.fontWeight, s.borderColor, s.borderRadius];
      });
    expect(await look('Accept all')).toEqual(await look('Reject all'));
  }
});

test('the box layout sits in a corner, mirrored for right-to-left languages', async ({ page }) => {
  await openWithBanner(page, '/e2e/pages/widget-box.html');
  const ltr = (await banner(page).boundingBox())!;
  expect(ltr.x + ltr.width).toBeGreaterThan(1280 - 40);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/e2e/pages/widget-manual.html');
  await page.evaluate(async () => {
    const html = await fetch('/e2e/pages/widget-box.html').then((r) => r.text());
    const cfg = JSON.parse(/id="consentseal-config">([\s\S]*?)<\/script>/.exec(html)![1]!);
    // Arabic texts of its own (only the text here): the widget is marked, and mirrored, as Arabic only when it shows them.
    (window as unknown as W).ConsentSeal.init({ ...cfg, language: 'ar', texts: { ...cfg.texts, ar: { bannerText: 'نستخدم ملفات تعريف الارتباط فقط بموافقتك.' } } });
  });
  await expect(banner(page)).toBeVisible();
  expect((await banner(page).boundingBox())!.x).toBeLessThan(40);
  await expect(page.locator('cs-layer .r')).toHaveAttribute('dir', 'rtl');
});

test('the optional re-open button opens the preferences after a decision', async ({ page }) => {
  await openWithBanner(page, '/e2e/pages/widget-box.html');
  await banner(page).getByRole('button', { name: 'Accept all' }).click();
  const reopen = page.getByRole('button', { name: 'Privacy settings' });
  await expect(reopen).toBeVisible();
  await reopen.click();
  await expect(prefs(page).getByRole('switch', { name: 'Analytics' })).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(reopen).toBeFocused();
});

test("on a later visit the re-open button comes after the page in the tab order, not before its first link", async ({ page }) => {
  await openWithBanner(page, '/e2e/pages/widget-box.html');
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect.poll(async () => (await state(page)).status).toBe('decided');
  await page.reload();
  const reopen = page.getByRole('button', { name: 'Privacy settings' });
  await expect(reopen).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Home' })).toBeFocused();
  await page.locator('#last-link').focus();
  await page.keyboard.press('Tab');
  await expect(reopen).toBeFocused();
});

test('the re-open button never covers a focused page link, even the last ones on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 700 });
  await openWithBanner(page, '/e2e/pages/widget-box.html');
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  const reopen = page.getByRole('button', { name: 'Privacy settings' });
  await expect(reopen).toBeVisible();
  // Once the button's size is known (the frame after it is drawn) the page makes room for it.
  await expect.poll(() => page.evaluate(() => document.documentElement.style.scrollPaddingBottom)).not.toBe('');
  const top = (await reopen.boundingBox())!.y;
  // The footer's links, the page's last, sit in the corner the button takes once the page is scrolled to its end.
  for (const link of ['#reopen-link', '#last-link']) {
    await page.locator(link).focus();
    const box = (await page.locator(link).boundingBox())!;
    expect(box.y + box.height, link).toBeLessThan(top + 1);
  }
});

test("the page's own scroll padding, for a sticky footer of its own, is never lowered", async ({ page }) => {
  await openWithBanner(page, '/e2e/pages/widget-box.html');
  // The page's footer bar, 120 px tall, with the scroll padding that keeps focus clear of it.
  await page.addStyleTag({ content: 'html{scroll-padding-bottom:120px} #bar{position:fixed;inset:auto 0 0;height:120px;background:#ddd}' });
  await page.evaluate(() => document.body.append(Object.assign(document.createElement('div'), { id: 'bar' })));
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect(page.getByRole('button', { name: 'Privacy settings' })).toBeVisible();
  await expect.poll(() => page.evaluate(() => document.documentElement.style.scrollPaddingBottom)).not.toBe('');
  // A link ending 90 px above the viewport's bottom: clear of the re-open button, behind the page's bar.
  const link = page.locator('#p30 a');
  await link.evaluate((a) => window.scrollBy(0, a.getBoundingClientRect().bottom - (innerHeight - 90)));
  await link.focus();
  const box = (await link.boundingBox())!;
  expect(box.y + box.height).toBeLessThan(720 - 120 + 1);
});

test('a printed page carries neither the banner nor the re-open button (fixed, they would print on every sheet)', async ({ page }) => {
  await openWithBanner(page, '/e2e/pages/widget-box.html');
  await page.emulateMedia({ media: 'print' });
  await expect(banner(page)).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  const reopen = page.getByRole('button', { name: 'Privacy settings' });
  await expect(reopen).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(reopen).toBeHidden();
});

test('with Global Privacy Control on, the preferences say the signal is honoured', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  await openWithBanner(page, BAR);
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  await expect(prefs(page).getByRole('status')).toHaveText('Opt-Out Preference Signal Honored');
  await prefs(page).getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => state(page)).toMatchObject({ purposes: { analytics: true, marketing: false } });
});
