import { expect, test, type Page } from '@playwright/test';

// The README's "Headless: your own UI" in Chromium: a site's own banner and preferences on the
// headless build, opened by a data-consent-open link, recording where the visitor decided, with
// receipts whose notice hash covers the texts that UI showed.

declare global {
  interface Window {
    own: { receipts: string[]; expectedHash(): Promise<string> };
  }
}

const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString());
const receipts = (page: Page) => page.evaluate(() => window.own.receipts);

test('own banner and preferences: where the visitor decided is recorded, over the texts shown', async ({ page }) => {
  await page.goto('/e2e/pages/headless-ui.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const banner = page.getByRole('region', { name: 'Consent' });
  await expect(banner).toContainText('We ask first.');
  await banner.getByRole('button', { name: 'Yes to all' }).click();
  await expect(banner).toBeHidden();

  await expect.poll(async () => (await receipts(page)).length).toBe(1);
  const first = payloadOf((await receipts(page))[0]!);
  expect(first).toMatchObject({ action: 'accept-all', method: 'banner', purposes: { necessary: true, analytics: true }, language: 'en' });
  // The hash an auditor recomputes from the config covers the words the own UI showed.
  expect(first.noticeHash).toBe(await page.evaluate(() => window.own.expectedHash()));

  // The way back: the re-open link opens the own preferences, showing the current choice.
  await page.getByRole('link', { name: 'Privacy settings' }).click();
  const prefs = page.getByRole('region', { name: 'Privacy preferences' });
  const analytics = prefs.getByRole('checkbox', { name: 'Statistics' });
  await expect(analytics).toBeChecked();
  await expect(analytics).toBeFocused();
  await analytics.uncheck();
  await prefs.getByRole('button', { name: 'Save' }).click();
  await expect(prefs).toBeHidden();
  await expect.poll(async () => (await receipts(page)).length).toBe(2);
  expect(payloadOf((await receipts(page))[1]!)).toMatchObject({ action: 'withdraw', method: 'preferences', seq: 2, purposes: { analytics: false } });
  // The link (href="/privacy") did not navigate.
  expect(new URL(page.url()).pathname).toBe('/e2e/pages/headless-ui.html');
});
