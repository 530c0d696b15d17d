import { expect, test } from '@playwright/test';
import { banner, state, type W } from './widget-helpers';

// Real sites run old libraries that replace built-ins before consentseal.js runs. The decision must
// still be kept across pages, and the subject id stay a UUID (it is in every receipt and the cookie).

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
  [
    // Prototype.js 1.6: arrays serialize themselves to a string, so JSON.stringify([1]) is '"[1]"'.
    'Array.prototype.toJSON returning a string (Prototype.js 1.6)',
    () => {
      Object.defineProperty(Array.prototype, 'toJSON', {
        configurable: true,
        value(this: unknown[]) {
          return '[' + this.map((v) => JSON.stringify(v)).join(', ') + ']';
        },
      });
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
