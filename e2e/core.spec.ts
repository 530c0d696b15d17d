import { expect, test, type Page } from '@playwright/test';

// The headless build (dist/headless.js): decisions, persistence, faults, tabs and expiry in Chromium.

type State = { status: string; purposes: Record<string, boolean>; subjectId: string; decidedAt?: string };
declare global {
  interface Window {
    cs: { getState(): State; acceptAll(): Promise<State>; rejectAll(): Promise<State>; setPurposes(c: Record<string, boolean>): Promise<State> };
    changes: State[];
    errors: string[];
  }
}

const PAGE = '/e2e/pages/headless.html';
const open = async (page: Page, query = '') => {
  await page.goto(PAGE + query);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
};
const state = (page: Page) => page.evaluate(() => window.cs.getState());

test('a decision survives a reload, from the cookie and from IndexedDB', async ({ page, context }) => {
  await open(page);
  expect(await state(page)).toMatchObject({ status: 'pending', purposes: { necessary: true, analytics: false, marketing: false } });
  const decided = await page.evaluate(() => window.cs.setPurposes({ analytics: true }));
  expect(decided).toMatchObject({ status: 'decided', purposes: { analytics: true, marketing: false } });

  const [cookie] = (await context.cookies()).filter((c) => c.name === 'consentseal');
  expect(cookie?.value).toMatch(/^1\|[A-Za-z0-9_-]{22}\|[0-9a-z]+\|2026-11-01\|0\|analytics$/);
  expect(cookie?.sameSite).toBe('Lax');

  await page.reload();
  // The cookie is read synchronously: the state is restored before `ready`.
  expect(await page.evaluate(() => window.cs.getState())).toMatchObject({ status: 'decided', subjectId: decided.subjectId, purposes: { analytics: true } });

  // With the cookie gone, IndexedDB still holds the decision and restores the cookie.
  await context.clearCookies();
  await open(page);
  expect(await state(page)).toMatchObject({ status: 'decided', subjectId: decided.subjectId, purposes: { analytics: true } });
  await expect.poll(async () => (await context.cookies()).some((c) => c.name === 'consentseal')).toBe(true);
});

test('consentseal:change fires once per real change', async ({ page }) => {
  await open(page);
  await page.evaluate(() => window.cs.acceptAll());
  await page.evaluate(() => window.cs.rejectAll());
  expect(await page.evaluate(() => window.changes.map((s) => s.purposes.analytics))).toEqual([true, false]);
});

test('IndexedDB throwing: the cookie keeps the decision, an error is reported, nothing is granted early', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => ({ open: () => { throw new DOMException('blocked', 'SecurityError'); } }) });
  });
  await open(page);
  expect(await state(page)).toMatchObject({ status: 'pending', purposes: { analytics: false, marketing: false } });
  expect(await page.evaluate(() => window.errors)).toContainEqual(expect.stringMatching(/^storage: /));
  await page.evaluate(() => window.cs.acceptAll());
  await open(page);
  expect(await state(page)).toMatchObject({ status: 'decided', purposes: { analytics: true, marketing: true } });
});

test('cookies disabled: IndexedDB keeps the decision and the failure is reported', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Document.prototype, 'cookie', { get: () => '', set: () => {} });
  });
  await open(page);
  await page.evaluate(() => window.cs.setPurposes({ marketing: true }));
  expect(await page.evaluate(() => window.errors)).toContainEqual(expect.stringMatching(/^cookie: /));
  await open(page);
  expect(await state(page)).toMatchObject({ status: 'decided', purposes: { analytics: false, marketing: true } });
});

test('IndexedDB and cookies both blocked: memory only, every visit starts undecided', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Document.prototype, 'cookie', { get: () => '', set: () => {} });
    Object.defineProperty(window, 'indexedDB', { get: () => undefined });
  });
  await open(page);
  await page.evaluate(() => window.cs.acceptAll());
  expect(await state(page)).toMatchObject({ status: 'decided' });
  await open(page);
  expect(await state(page)).toMatchObject({ status: 'pending', purposes: { analytics: false, marketing: false } });
});

test('a decision in one tab reaches the other without a reload', async ({ context }) => {
  const [a, b] = [await context.newPage(), await context.newPage()];
  await open(a);
  await open(b);
  await a.evaluate(() => window.cs.setPurposes({ analytics: true }));
  await expect.poll(() => state(b)).toMatchObject({ status: 'decided', purposes: { analytics: true, marketing: false } });
  await b.evaluate(() => window.cs.rejectAll());
  await expect.poll(() => state(a)).toMatchObject({ purposes: { analytics: false } });
});

test('an expired decision, and a new policy version, ask again', async ({ page }) => {
  await page.clock.setFixedTime(new Date('2026-11-01T10:00:00Z'));
  await open(page, '?days=30');
  await page.evaluate(() => window.cs.rejectAll());
  await page.clock.setFixedTime(new Date('2026-11-30T10:00:00Z'));
  await open(page, '?days=30');
  expect((await state(page)).status).toBe('decided');
  await page.clock.setFixedTime(new Date('2026-12-01T10:00:01Z'));
  await open(page, '?days=30');
  expect(await state(page)).toMatchObject({ status: 'pending', purposes: { analytics: false } });
  await page.evaluate(() => window.cs.acceptAll());
  await open(page, '?days=30&version=2027-01-01');
  expect((await state(page)).status).toBe('pending');
});
