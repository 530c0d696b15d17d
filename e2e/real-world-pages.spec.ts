import { expect, test } from '@playwright/test';
import { banner, state, type W } from './widget-helpers';

// Real sites: old libraries that replace built-ins before consentseal.js runs, and navigation that
// swaps the whole <body> (Turbo, htmx, pjax). The decision must be kept and the widget stay usable.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const pages: [string, () => void][] = [
  [
    // Prototype.js 1.7 (Magento 1) and MooTools (Joomla 3): `Array.from` copies, ignoring a map function.
    'Array.from that ignores its map function (Prototype.js 1.7, MooTools)',
    () => {
      Array.from = function (it: ArrayLike<unknown>) {
        const out = [];
        for (let i = 0; i < (it?.length ?? 0); i++) out.push(it[i]);
        return out;
      } as typeof Array.from;
    },
  ],
];

for (const [name, hostile] of pages) {
  test(`a page with ${name}: the banner works and the decision is kept`, async ({ page }) => {
    await page.addInitScript(hostile);
    await page.goto('/e2e/pages/widget-bar.html');
    await banner(page).getByRole('button', { name: 'Reject all' }).click();
    await expect.poll(async () => (await state(page)).status).toBe('decided');
    const { subjectId } = await state(page);
    expect(subjectId).toMatch(UUID);

    await page.reload();
    expect(await state(page)).toMatchObject({ status: 'decided', subjectId, purposes: { analytics: false, marketing: false } });
    await expect(page.evaluate(() => (window as unknown as W).ConsentSeal.ready)).resolves.toBeUndefined();
    await expect(banner(page)).toBeHidden();
    expect(await state(page)).toMatchObject({ status: 'decided', subjectId });
  });
}

/** What Turbo Drive, htmx's hx-boost and pjax do on a link click: a new <body> replaces the old one. */
const swapBody = (page: import('@playwright/test').Page) =>
  page.evaluate(() => {
    const next = document.createElement('body');
    next.innerHTML = '<h1>Next page</h1><p><a href="#privacy" data-consent-open>Privacy settings</a></p>';
    document.documentElement.replaceChild(next, document.body);
    history.pushState(null, '', '?next');
  });

test('a page that swaps in a new <body> (Turbo, htmx, pjax) keeps the banner until the visitor decides', async ({ page }) => {
  await page.goto('/e2e/pages/widget-bar.html');
  await expect(banner(page)).toBeVisible();
  await swapBody(page);
  await expect(page.getByRole('heading', { name: 'Next page' })).toBeVisible();
  await expect(banner(page)).toBeVisible();
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect(banner(page)).toBeHidden();
  expect((await state(page)).status).toBe('decided');
});

test('after a body swap the re-open button is still there and opens the preferences', async ({ page }) => {
  await page.goto('/e2e/pages/widget-box.html');
  await banner(page).getByRole('button', { name: 'Accept all' }).click();
  const reopen = page.getByRole('button', { name: 'Privacy settings' });
  await expect(reopen).toBeVisible();
  await swapBody(page);
  await expect(reopen).toBeVisible();
  await reopen.click();
  await expect(page.getByRole('dialog', { name: 'Privacy preferences' })).toBeVisible();
});

test('long unbroken words (URLs, compound names) wrap at 320 px: nothing leaves the screen, the switches stay in view', async ({ page }) => {
  // WCAG 1.4.10 Reflow: 320 CSS px is a 1280 px screen at 400 % zoom.
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto('/e2e/pages/widget-long-words.html');
  /** Widget elements whose box reaches past the right edge of the screen. */
  const outside = () =>
    page.evaluate(() =>
      [...document.querySelector('cs-layer')!.shadowRoot!.querySelectorAll('*')]
        .filter((e) => e.getBoundingClientRect().right > innerWidth)
        .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')),
    );
  await expect(banner(page)).toBeVisible();
  expect(await outside()).toEqual([]);
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  const analytics = page.getByRole('dialog', { name: 'Privacy preferences' }).getByRole('switch', { name: 'Analytics' });
  await analytics.scrollIntoViewIfNeeded();
  expect(await outside()).toEqual([]);
  const box = (await analytics.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(320);
});

test('a body swap while the preferences are open (Back on a Turbo site) leaves the widget usable', async ({ page }) => {
  await page.goto('/e2e/pages/widget-bar.html');
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  const dialog = page.getByRole('dialog', { name: 'Privacy preferences' });
  await expect(dialog).toBeVisible();
  await swapBody(page);
  // Still undecided: the banner is back, and the next page's link opens the preferences again.
  await expect(banner(page)).toBeVisible();
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Reject all' }).click();
  expect((await state(page)).status).toBe('decided');
  // Decided: a swap with the preferences open leaves nothing shown, and the link still works.
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  await expect(dialog).toBeVisible();
  await swapBody(page);
  await expect(dialog).toBeHidden();
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  await expect(dialog).toBeVisible();
});
