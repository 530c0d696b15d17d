import { createServer, type Server } from 'node:http';
import { expect, test, type Page, type Route } from '@playwright/test';
import { ORIGIN } from './ports';

// The receipts outbox of the script-tag build (dist/consentseal.js) against collectors that misbehave:
// one that takes a request and never answers, and one that is busy while a page queues many receipts.

type Seen = { receipts: Array<{ receiptId: string; status: string; reason?: string }>; errors: Array<{ code: string; message: string }> };
type Win = {
  seen: Seen;
  receiptLog(): Promise<Array<{ receiptId: string; status: string; size: number }>>;
  ConsentSeal: { acceptAll(): Promise<unknown>; rejectAll(): Promise<unknown> };
};
const PAGE = '/e2e/pages/r5-outbox-script.html';

const open = async (page: Page, collector: string) => {
  await page.goto(`${PAGE}?collector=${encodeURIComponent(collector)}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
};
const seen = (page: Page) => page.evaluate(() => (window as unknown as Win).seen);
const statuses = async (page: Page) => (await seen(page)).receipts.map((r) => r.status);
const signed = async (page: Page) => (await seen(page)).receipts.filter((r) => r.status === 'signed').map((r) => r.receiptId);
const receiptLog = (page: Page) => page.evaluate(() => (window as unknown as Win).receiptLog());
/** The receipt ids a collector request body carries. */
const idsOf = (body: string) =>
  (JSON.parse(body) as { receipts: string[] }).receipts.map((jws) => (JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as { receiptId: string }).receiptId);

test('a collector that takes the request and never answers: after 30 s the send fails, and the next send (from any tab) delivers every receipt', async ({ context }) => {
  // Same-origin path answered by Playwright: while `silent`, requests are held and never answered.
  const collector = `${ORIGIN}/r5-outbox-collector`;
  let silent = true;
  const held: Route[] = [];
  const delivered: string[] = [];
  await context.route('**/r5-outbox-collector', (route) => {
    if (silent) return void held.push(route);
    const ids = idsOf(route.request().postData()!);
    delivered.push(...ids);
    return route.fulfill({ json: { accepted: ids, acks: {} } });
  });

  // Each page's clock is Playwright's, so its 30 s pass at once.
  const a = await context.newPage();
  const b = await context.newPage();
  for (const p of [a, b]) {
    await p.clock.install();
    await open(p, collector);
  }
  await a.evaluate(() => (window as unknown as Win).ConsentSeal.acceptAll());
  await expect.poll(() => held.length).toBe(1);
  // Tab B's receipt waits for the outbox, which tab A's unanswered request holds.
  await b.evaluate(() => (window as unknown as Win).ConsentSeal.rejectAll());
  await expect.poll(() => signed(b)).toHaveLength(1);

  await a.clock.runFor(29_000);
  expect(await statuses(a)).toEqual(['signed']);
  silent = false;
  await a.clock.runFor(1_000);
  // A failure like any other: the receipt stays pending (failed event), with a transport error.
  await expect.poll(() => seen(a)).toEqual({
    receipts: [expect.objectContaining({ status: 'signed' }), expect.objectContaining({ status: 'failed', reason: expect.stringContaining('TimeoutError') })],
    errors: [{ code: 'transport', message: expect.stringContaining('TimeoutError') }],
  });

  // With the outbox free again, tab B's flush sends both receipts, tab A's included.
  const ids = [...(await signed(a)), ...(await signed(b))].sort();
  await expect.poll(() => [...delivered].sort()).toEqual(ids);
  await expect.poll(async () => (await receiptLog(b)).map((e) => e.status)).toEqual(['sent', 'sent']);
  expect(held).toHaveLength(1);
  expect((await seen(b)).errors).toEqual([]);
});

/**
 * A collector on its own port that records each request; while `busy` it answers 503 with a
 * Retry-After of a minute (exposed to the page), otherwise it accepts every receipt.
 */
async function startCollector() {
  const state = { busy: true, bodies: [] as string[] };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'retry-after' };
      if (state.busy) return void res.writeHead(503, { ...cors, 'retry-after': '60' }).end('busy');
      state.bodies.push(body);
      res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ accepted: idsOf(body), acks: {} }));
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return { state, url: `http://127.0.0.1:${port}/receipts`, stop: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())) };
}

test('leaving a page with more queued receipts than one keepalive request carries: the oldest that fit in 64 KiB leave in several batches, the rest on the next visit', async ({ page }) => {
  const collector = await startCollector();
  try {
    await open(page, collector.url);
    // The first decision meets the busy collector, which asks for a minute: later ones wait here.
    await page.evaluate(() => (window as unknown as Win).ConsentSeal.acceptAll());
    await expect.poll(() => statuses(page)).toEqual(['signed', 'failed']);
    const count = 80;
    await page.evaluate(async (n) => {
      const cs = (window as unknown as Win).ConsentSeal;
      for (let i = 1; i < n; i++) await (i % 2 ? cs.rejectAll() : cs.acceptAll());
    }, count);
    await expect.poll(async () => (await signed(page)).length, { timeout: 20_000 }).toBe(count);
    const order = await signed(page);
    const size = new Map((await receiptLog(page)).map((e) => [e.receiptId, e.size]));
    // Together they need more than one keepalive request may carry.
    expect(order.reduce((n, id) => n + size.get(id)!, 0)).toBeGreaterThan(65_536);

    collector.state.busy = false;
    // blank.html has no SDK: only the pagehide of the page being left sends anything.
    await page.goto('/e2e/pages/blank.html');
    await expect.poll(() => collector.state.bodies.length).toBeGreaterThanOrEqual(2);
    const left = collector.state.bodies.flatMap(idsOf);
    // The oldest first, in more than one request, all of them within Chromium's 64 KiB in flight,
    // and as many as fit: the next one would not have.
    expect(left).toEqual(order.slice(0, left.length));
    const bytes = collector.state.bodies.reduce((n, b) => n + b.length, 0);
    expect(bytes).toBeLessThanOrEqual(65_536);
    expect(bytes + size.get(order[left.length]!)!).toBeGreaterThan(65_536 - 60);

    // The rest are still pending: the next visit, once the collector's minute is over, sends them
    // (and those that left, which the collector already has, again).
    await page.clock.install();
    await open(page, collector.url);
    await page.clock.fastForward(61_000);
    await expect.poll(async () => (await receiptLog(page)).filter((e) => e.status !== 'sent'), { timeout: 15_000 }).toEqual([]);
    expect(new Set(collector.state.bodies.flatMap(idsOf))).toEqual(new Set(order));
  } finally {
    await collector.stop();
  }
});

test('before a choice nothing is stored: no cookie, no localStorage, no IndexedDB record (a collector configured)', async ({ page }) => {
  const posts: string[] = [];
  await page.route('**/r5-outbox-collector', (route) => {
    const ids = idsOf(route.request().postData()!);
    posts.push(...ids);
    return route.fulfill({ json: { accepted: ids, acks: {} } });
  });
  await open(page, `${ORIGIN}/r5-outbox-collector`);
  /** Every cookie, localStorage key and IndexedDB record the page can see (database/store/key). */
  const stored = () =>
    page.evaluate(async () => {
      // The outbox's start-up flush holds this lock from `ready` on; it is granted here once that flush is over.
      await navigator.locks.request('consentseal-outbox', () => {});
      const records: string[] = [];
      for (const { name } of await indexedDB.databases()) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const req = indexedDB.open(name!);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        for (const store of db.objectStoreNames) {
          const keys = await new Promise<IDBValidKey[]>((resolve) => {
            const req = db.transaction(store).objectStore(store).getAllKeys();
            req.onsuccess = () => resolve(req.result);
          });
          records.push(...keys.map((k) => `${name}/${store}/${String(k)}`));
        }
        db.close();
      }
      return { cookie: document.cookie, localStorage: Object.keys(localStorage), records };
    });
  expect(await stored()).toEqual({ cookie: '', localStorage: [], records: [] });
  expect(posts).toEqual([]);

  // The same look after a decision finds what it stores.
  await page.evaluate(() => (window as unknown as Win).ConsentSeal.acceptAll());
  await expect.poll(() => posts.length).toBe(1);
  const after = await stored();
  expect(after.cookie).toMatch(/^consentseal=1\|/);
  expect(after.records).toEqual(
    expect.arrayContaining(['consentseal/decision/consentseal/', 'consentseal-keys/keys/device', `consentseal-receipts/receipts/${posts[0]}`]),
  );
});
