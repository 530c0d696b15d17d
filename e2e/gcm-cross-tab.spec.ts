import { expect, test, type Page } from '@playwright/test';

// Google Consent Mode with the script-tag build in two tabs of one browser: a decision made in one
// reaches the other's dataLayer as it does the tab it was made in (update, then consentseal_update).

const D = 'denied';
const G = 'granted';
const TYPES = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage', 'functionality_storage', 'personalization_storage', 'security_storage'];
const values = (granted: string[]) => Object.fromEntries(TYPES.map((t) => [t, granted.includes(t) || t === 'security_storage' ? G : D]));
const purposes = (analytics: boolean, marketing: boolean) => ({ necessary: true, analytics, marketing });

type Win = { dataLayer: unknown[]; ConsentSeal: { acceptAll(): Promise<unknown>; rejectAll(): Promise<unknown>; setPurposes(c: Record<string, boolean>): Promise<unknown> } };
/** The dataLayer as plain data: `arguments` entries as arrays, events as objects. */
const dataLayer = (page: Page) =>
  page.evaluate(() => (window as unknown as Win).dataLayer.map((a) => (Object.prototype.toString.call(a) === '[object Arguments]' ? Array.from(a as ArrayLike<unknown>) : a)));
/** What a GTM trigger on the Custom Event `consentseal_update` would fire on, in order. */
const events = async (page: Page) => (await dataLayer(page)).filter((e) => (e as { event?: string }).event === 'consentseal_update');

test('a decision made in another tab pushes the update and one consentseal_update event in this tab; a decision here still pushes one', async ({ context }) => {
  const here = await context.newPage();
  const other = await context.newPage();
  for (const p of [here, other]) await p.goto('/e2e/pages/gcm-advanced.html');
  const start = (await dataLayer(here)).length;

  await other.evaluate(() => (window as unknown as Win).ConsentSeal.setPurposes({ analytics: true }));
  await expect.poll(async () => (await dataLayer(here)).slice(start)).toEqual([
    ['consent', 'update', values(['analytics_storage'])],
    { event: 'consentseal_update', consentseal: { purposes: purposes(true, false) } },
  ]);

  await other.evaluate(() => (window as unknown as Win).ConsentSeal.acceptAll());
  await expect.poll(async () => (await dataLayer(here)).slice(start + 2)).toEqual([
    ['consent', 'update', values(TYPES)],
    { event: 'consentseal_update', consentseal: { purposes: purposes(true, true) } },
  ]);

  // A decision made here: its own update and event (with how it was made), once, in this tab; the
  // other tab hears it as a change.
  await here.evaluate(() => (window as unknown as Win).ConsentSeal.rejectAll());
  await expect.poll(() => events(other)).toEqual([
    { event: 'consentseal_update', consentseal: { purposes: purposes(true, false), action: 'custom', method: 'api', gpc: false } },
    { event: 'consentseal_update', consentseal: { purposes: purposes(true, true), action: 'accept-all', method: 'api', gpc: false } },
    { event: 'consentseal_update', consentseal: { purposes: purposes(false, false) } },
  ]);
  expect((await dataLayer(here)).slice(start + 4)).toEqual([
    ['consent', 'update', values([])],
    { event: 'consentseal_update', consentseal: { purposes: purposes(false, false), action: 'reject-all', method: 'api', gpc: false } },
  ]);
});
