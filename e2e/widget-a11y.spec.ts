import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { banner, openWithBanner, pageConfig, prefs, type W } from './widget-helpers';

// WCAG 2.2 AA checks of the widget in Chromium: axe (inside the shadow root), target sizes,
// names/roles/states of the toggles, themes and reduced motion.

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Serious and critical axe violations inside the widget (axe walks into the open shadow root). */
async function axe(page: Page) {
  const { violations, passes } = await new AxeBuilder({ page }).include('cs-layer').withTags(TAGS).analyze();
  // Proves axe really looked inside the shadow root: the colour-contrast rule passed on our nodes.
  expect(passes.map((p) => p.id)).toContain('color-contrast');
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

for (const [theme, path] of [['light', '/e2e/pages/widget-bar.html'], ['dark', '/e2e/pages/widget-box.html']] as const) {
  test(`axe: banner and preferences have no serious violation (${theme})`, async ({ page }) => {
    await openWithBanner(page, path);
    expect(await axe(page)).toEqual([]);
    await banner(page).getByRole('button', { name: 'Customize' }).click();
    await expect(prefs(page)).toBeVisible();
    expect(await axe(page)).toEqual([]);
    // After a decision the preferences also show the consent record and the download button.
    await prefs(page).getByRole('button', { name: 'Reject all' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as W).ConsentSeal.getState().status)).toBe('decided');
    await page.evaluate(() => (window as unknown as W).ConsentSeal.showPreferences());
    await expect(prefs(page).getByRole('button', { name: 'Download my receipts' })).toBeVisible();
    expect(await axe(page)).toEqual([]);
  });
}

test('theme "auto" follows prefers-color-scheme, live', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/e2e/pages/widget-manual.html');
  const config = await pageConfig(page);
  await page.evaluate((c) => (window as unknown as W).ConsentSeal.init({ ...c, ui: { theme: 'auto' } }), config);
  await expect(banner(page)).toBeVisible();
  const bg = () => banner(page).evaluate((b) => getComputedStyle(b).backgroundColor);
  expect(await bg()).toBe('rgb(23, 25, 31)');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(bg).toBe('rgb(255, 255, 255)');
  expect(await axe(page)).toEqual([]);
});

test('site theme custom properties pierce the shadow root', async ({ page }) => {
  await openWithBanner(page, '/e2e/pages/widget-bar.html');
  await page.evaluate(() => {
    document.documentElement.style.setProperty('--cs-accent', 'rgb(0, 100, 0)');
    document.documentElement.style.setProperty('--cs-radius', '2px');
  });
  const accept = banner(page).getByRole('button', { name: 'Accept all' });
  expect(await accept.evaluate((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).borderTopLeftRadius])).toEqual(['rgb(0, 100, 0)', '1.4px']);
});

test('every control is at least 24×24 px, and the toggles expose name, role and state', async ({ page }) => {
  for (const width of [1280, 320]) {
    await page.setViewportSize({ width, height: 700 });
    await openWithBanner(page, '/e2e/pages/widget-bar.html');
    await banner(page).getByRole('button', { name: 'Customize' }).click();
    await expect(prefs(page)).toBeVisible();
    const sizes = await page.evaluate(() =>
      [...document.querySelector('cs-layer')!.shadowRoot!.querySelectorAll('button, input')].map((e) => {
        const r = e.getBoundingClientRect();
        // To 1/100 px: mid-slide, the transform leaves float noise such as 23.99998.
        const px = (v: number) => Math.round(v * 100) / 100;
        return [e.textContent || e.getAttribute('aria-label') || e.id, px(r.width) >= 24 && px(r.height) >= 24];
      }),
    );
    expect(sizes.filter(([, ok]) => !ok)).toEqual([]);
    expect(sizes.length).toBeGreaterThanOrEqual(7);
  }
  const analytics = prefs(page).getByRole('switch', { name: 'Analytics' });
  await expect(analytics).toHaveAttribute('aria-describedby', /.+/);
  await analytics.check();
  await expect(analytics).toBeChecked();
  await expect(prefs(page).getByRole('switch', { name: 'Strictly necessary' })).toBeDisabled();
  await expect(prefs(page).getByText('Always on')).toBeVisible();
});

test('at 400% zoom (320×256 CSS px) each purpose can be read whole in the preferences', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 256 });
  await openWithBanner(page, '/e2e/pages/widget-bar.html');
  await banner(page).getByRole('button', { name: 'Customize' }).click();
  for (const name of ['Strictly necessary', 'Analytics', 'Marketing']) {
    const card = prefs(page).getByRole('listitem').filter({ has: page.getByRole('switch', { name }) });
    await card.evaluate((li) => li.scrollIntoView({ block: 'nearest' }));
    // Seen through every scrolling box around it, not a slot a line or two high.
    await expect(card, name).toBeInViewport({ ratio: 1 });
  }
});

test('keyboard focus is visible on every control', async ({ page }) => {
  await openWithBanner(page, '/e2e/pages/widget-bar.html');
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const el = document.querySelector('cs-layer')!.shadowRoot!.activeElement!;
      const s = getComputedStyle(el);
      return `${s.outlineStyle} ${s.outlineWidth}`;
    });
    expect(outline).toBe('solid 2px');
  }
});

test('with reduced motion the banner does not animate', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await openWithBanner(page, '/e2e/pages/widget-bar.html');
  expect(await banner(page).evaluate((b) => getComputedStyle(b).animationName)).toBe('none');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  expect(await banner(page).evaluate((b) => getComputedStyle(b).animationName)).not.toBe('none');
});
