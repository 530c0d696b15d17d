import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { compactVerify, EmbeddedJWK } from 'jose';
import { ORIGIN, PORTS } from './ports';

// Signed receipts from dist/headless.js delivered to the real collector (dist/collector-cli.js).

type ReceiptEvent = { receiptId: string; status: string; jws?: string; reason?: string };
type LogEntry = { receiptId: string; issuedAt: string; jws: string; ack?: string; status: string };
type Stored = { receiptId: string; subjectId: string; seq: number; prev: string | null; jws: string; ack: string; ephemeralKey: boolean };
type PageGlobals = {
  cs: { acceptAll(): Promise<{ status: string }>; rejectAll(): Promise<unknown>; setPurposes(c: Record<string, boolean>): Promise<unknown>; getState(): { status: string; subjectId: string; receiptId?: string; purposes: Record<string, boolean> } };
  receipts: ReceiptEvent[];
  errors: Array<{ code: string; message: string }>;
  receiptLog(): Promise<LogEntry[]>;
};
declare global {
  interface Window {
    /** Set by receipts-headless.html. */
    rc: PageGlobals;
  }
}

/** The config receipts-headless.html uses, minus the collector. */
const PAGE_CONFIG = {
  policyVersion: '2026-11-01',
  policyUrl: '/privacy',
  controller: { name: 'Example Shop' },
  language: 'en',
  purposes: [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'marketing', optOutSignal: true }],
};
const PAGE = '/e2e/pages/receipts-headless.html';
const TOKEN = 'e2e-admin-token-0123456789';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The reference collector on `port`, started as a site would run it; stopped (and its data removed) by `stop`. */
async function startCollector(port: number, dir: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['dist/collector-cli.js', '--port', String(port), '--host', '127.0.0.1', '--db', join(dir, 'receipts.db'), '--allow-origin', ORIGIN],
    { env: { ...process.env, CONSENTSEAL_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes('listening on')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d));
    child.on('exit', (code) => reject(new Error(`collector exited (${code}): ${output}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/receipts`,
    /** Every stored receipt, from the admin NDJSON export. */
    async exported(): Promise<string> {
      const res = await fetch(`${base}/receipts`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      return res.text();
    },
    async stored(): Promise<Stored[]> {
      return (await this.exported()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Stored);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * A stand-in in front of the collector that answers 503 (with CORS, so the page sees the status) while
 * `down`; with `retryAfter`, that answer's Retry-After is exposed to the page as the collector's is.
 */
async function startFlakyProxy(target: number) {
  const state = { down: true, retryAfter: '', requests: [] as Array<{ contentType: string | undefined; body: string; status: number }> };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      if (state.down) {
        state.requests.push({ contentType: req.headers['content-type'], body, status: 503 });
        const expose = state.retryAfter ? { 'access-control-expose-headers': 'retry-after' } : {};
        res.writeHead(503, { 'access-control-allow-origin': req.headers.origin ?? '*', 'retry-after': state.retryAfter || '1', ...expose }).end('down for maintenance');
        return;
      }
      state.requests.push({ contentType: req.headers['content-type'], body, status: 0 });
      const up = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.end(body);
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return { state, url: `http://127.0.0.1:${port}/receipts`, stop: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())) };
}

/**
 * The README's auditor example, read from the README itself (the code block that imports
 * `noticeHash`): verifies every exported receipt with jose, checks the chains and recomputes each
 * notice hash from the site's config. Run from the repository root, where `consentseal/headless`
 * resolves to this package.
 */
const AUDIT_SCRIPT = (() => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = [...readme.matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1]!).find((code) => code.includes("import { noticeHash } from 'consentseal/headless'"));
  if (!block) throw new Error('README.md has no auditor example');
  return block;
})();

const open = async (page: Page, collector?: string, base = '') => {
  await page.goto(base + PAGE + (collector ? `?collector=${encodeURIComponent(collector)}` : ''));
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
};
const events = (page: Page) => page.evaluate(() => window.rc.receipts);
const log = (page: Page) => page.evaluate(() => window.rc.receiptLog());
const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString());

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'consentseal-receipts-e2e-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a decision leaves a receipt the collector stores and jose verifies, chained to the next one', async ({ page }) => {
  const collector = await startCollector(await freePort(), dir);
  try {
    await open(page, collector.url);
    await page.evaluate(() => window.rc.cs.acceptAll());
    await expect.poll(async () => (await events(page)).map((e) => e.status)).toEqual(['signed', 'sent']);

    const [row] = await collector.stored();
    const [local] = await log(page);
    expect(local).toMatchObject({ receiptId: row!.receiptId, jws: row!.jws, status: 'sent', ack: row!.ack });
    expect(await page.evaluate(() => window.rc.cs.getState().receiptId)).toBe(row!.receiptId);

    const { payload, protectedHeader } = await compactVerify(row!.jws, EmbeddedJWK, { algorithms: ['ES256'] });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'consent-receipt+jws' });
    expect(protectedHeader.jwk).not.toHaveProperty('d');
    const p = JSON.parse(new TextDecoder().decode(payload));
    expect(p).toMatchObject({
      ver: 1, seq: 1, prev: null, action: 'accept-all', method: 'api',
      purposes: { necessary: true, analytics: true, marketing: true },
      policyVersion: '2026-11-01', policyUrl: `${ORIGIN}/privacy`, language: 'en',
      page: `${ORIGIN}${PAGE}`, gpc: false, ephemeralKey: false,
      subjectId: await page.evaluate(() => window.rc.cs.getState().subjectId),
    });
    expect(p.sdk).toMatch(/^consentseal@\d+\.\d+\.\d+/);

    // The next decision, after a reload, continues the chain with the same device key.
    await open(page, collector.url);
    await page.evaluate(() => window.rc.cs.setPurposes({ marketing: false }));
    await expect.poll(async () => (await collector.stored()).length).toBe(2);
    const second = (await collector.stored()).find((r) => r.seq === 2)!;
    expect(second.prev).toBe(createHash('sha256').update(row!.jws).digest('base64url'));
    const { protectedHeader: h2, payload: p2 } = await compactVerify(second.jws, EmbeddedJWK, { algorithms: ['ES256'] });
    expect(h2.kid).toBe(protectedHeader.kid);
    expect(JSON.parse(new TextDecoder().decode(p2))).toMatchObject({ action: 'withdraw', purposes: { analytics: true, marketing: false } });
    expect(await page.evaluate(() => window.rc.errors)).toEqual([]);

    // An auditor with the export and the site's config (as receipts-headless.html has it) checks everything.
    writeFileSync(join(dir, 'export.ndjson'), await collector.exported());
    writeFileSync(join(dir, 'config.json'), JSON.stringify(PAGE_CONFIG));
    const audit = spawnSync(process.execPath, ['--input-type=module', '-e', AUDIT_SCRIPT, join(dir, 'export.ndjson'), join(dir, 'config.json')], { encoding: 'utf8' });
    expect(audit.stderr).toBe('');
    expect(audit.stdout.trim().split('\n')).toEqual([
      `${p.subjectId} 1 accept-all {"necessary":true,"analytics":true,"marketing":true} chain ok notice ok`,
      `${p.subjectId} 2 withdraw {"necessary":true,"analytics":true,"marketing":false} chain ok notice ok`,
    ]);
  } finally {
    await collector.stop();
  }
});

test("the README's auditor script agrees with the collector on a receipt stored as its signature twin", async ({ page }) => {
  // Two receipts signed while the collector is down, so none is delivered yet.
  await open(page, `http://127.0.0.1:${await freePort()}/receipts`);
  await page.evaluate(() => window.rc.cs.acceptAll());
  await page.evaluate(() => window.rc.cs.setPurposes({ marketing: false }));
  await expect.poll(async () => (await log(page)).length).toBe(2);
  const [first, second] = (await log(page)).map((e) => e.jws).sort((a, b) => payloadOf(a).seq - payloadOf(b).seq);
  await page.close();
  // A script on the site posts the first receipt's twin (r, n − s) before the SDK gets to post it; the SDK's
  // next receipt names the original in `prev`. The collector takes both (see "Signature twins").
  const sig = Buffer.from(first!.split('.')[2]!, 'base64url');
  const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  const low = (n - BigInt(`0x${sig.subarray(32).toString('hex')}`)).toString(16).padStart(64, '0');
  const twin = `${first!.slice(0, first!.lastIndexOf('.') + 1)}${Buffer.concat([sig.subarray(0, 32), Buffer.from(low, 'hex')]).toString('base64url')}`;
  const collector = await startCollector(await freePort(), dir);
  try {
    for (const jws of [twin, second!]) {
      const res = await fetch(collector.url, { method: 'POST', body: JSON.stringify({ receipts: [jws] }) });
      expect((await res.json()).accepted).toEqual([payloadOf(jws).receiptId]);
    }
    expect((await collector.stored()).map((r) => r.jws)).toEqual([twin, second]);
    writeFileSync(join(dir, 'export.ndjson'), await collector.exported());
    writeFileSync(join(dir, 'config.json'), JSON.stringify(PAGE_CONFIG));
    const audit = spawnSync(process.execPath, ['--input-type=module', '-e', AUDIT_SCRIPT, join(dir, 'export.ndjson'), join(dir, 'config.json')], { encoding: 'utf8' });
    expect(audit.stderr).toBe('');
    const subject = payloadOf(second!).subjectId;
    expect(audit.stdout.trim().split('\n')).toEqual([
      `${subject} 1 accept-all {"necessary":true,"analytics":true,"marketing":true} chain ok notice ok`,
      `${subject} 2 withdraw {"necessary":true,"analytics":true,"marketing":false} chain ok notice ok`,
    ]);
  } finally {
    await collector.stop();
  }
});

test('collector unreachable: the decision stands, the receipt waits and is delivered exactly once after a reload', async ({ page }) => {
  const port = await freePort(); // nothing listens yet: connection refused
  const url = `http://127.0.0.1:${port}/receipts`;
  await open(page, url);
  const state = await page.evaluate(() => window.rc.cs.acceptAll());
  expect(state.status).toBe('decided');
  await expect.poll(async () => (await events(page)).map((e) => e.status)).toEqual(['signed', 'failed']);
  expect((await page.evaluate(() => window.rc.errors)).map((e) => e.code)).toEqual(['transport']);
  const [pending] = await log(page);
  expect(pending?.status).toBe('pending');

  const collector = await startCollector(port, dir);
  try {
    await open(page, url);
    expect(await page.evaluate(() => window.rc.cs.getState().purposes.analytics)).toBe(true);
    // The outbox resumes on its own once the persisted backoff (at most 5 s after one failure) is due.
    await expect.poll(async () => (await log(page))[0]?.status, { timeout: 15_000 }).toBe('sent');
    const rows = await collector.stored();
    expect(rows.map((r) => r.receiptId)).toEqual([pending!.receiptId]);
    expect(rows[0]!.jws).toBe(pending!.jws);

    // Later page loads send nothing again.
    await open(page, url);
    await open(page, url);
    expect(await collector.stored()).toHaveLength(1);
  } finally {
    await collector.stop();
  }
});

test('collector answering 503: receipts are kept (sent as CORS-simple text/plain) and delivered exactly once later', async ({ page }) => {
  const collector = await startCollector(await freePort(), dir);
  const proxy = await startFlakyProxy(Number(new URL(collector.url).port));
  try {
    await open(page, proxy.url);
    await page.evaluate(() => window.rc.cs.rejectAll());
    await expect.poll(async () => (await events(page)).map((e) => e.status)).toEqual(['signed', 'failed']);
    expect(proxy.state.requests).toHaveLength(1);
    expect(proxy.state.requests[0]!.contentType).toBe('text/plain;charset=UTF-8');
    const [pending] = await log(page);
    expect(JSON.parse(proxy.state.requests[0]!.body)).toEqual({ receipts: [pending!.jws] });
    expect(await page.evaluate(() => window.rc.errors.map((e) => e.message).join())).toContain('503');

    proxy.state.down = false;
    await open(page, proxy.url);
    await expect.poll(async () => (await log(page))[0]?.status, { timeout: 15_000 }).toBe('sent');
    const rows = await collector.stored();
    expect(rows.map((r) => r.receiptId)).toEqual([pending!.receiptId]);
    expect(payloadOf(rows[0]!.jws)).toMatchObject({ action: 'reject-all', purposes: { analytics: false, marketing: false } });
  } finally {
    await proxy.stop();
    await collector.stop();
  }
});

test('leaving the page sends what is still unsent with a keepalive request', async ({ page }) => {
  const collector = await startCollector(await freePort(), dir);
  const proxy = await startFlakyProxy(Number(new URL(collector.url).port));
  try {
    await open(page, proxy.url);
    await page.evaluate(() => window.rc.cs.setPurposes({ analytics: true }));
    await expect.poll(async () => (await events(page)).map((e) => e.status)).toEqual(['signed', 'failed']);
    proxy.state.down = false;
    // blank.html has no SDK: only the pagehide flush of the page being left can deliver the receipt.
    await page.goto('/e2e/pages/blank.html');
    await expect.poll(async () => (await collector.stored()).length).toBe(1);
    expect(payloadOf((await collector.stored())[0]!.jws)).toMatchObject({ action: 'custom', purposes: { analytics: true } });
  } finally {
    await proxy.stop();
    await collector.stop();
  }
});

test('an insecure origin: the decision works, no receipt is made, and an error says why', async ({ page }) => {
  const collector = await startCollector(await freePort(), dir);
  try {
    await open(page, collector.url, `http://shop.consentseal.test:${PORTS.pages}`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const state = await page.evaluate(() => window.rc.cs.acceptAll());
    expect(state.status).toBe('decided');
    await page.evaluate(() => window.rc.cs.rejectAll());
    expect(await page.evaluate(() => window.rc.cs.getState().purposes.analytics)).toBe(false);
    const errors = await page.evaluate(() => window.rc.errors);
    expect(errors).toEqual([{ code: 'crypto', message: expect.stringContaining('secure context') }]);
    expect(await events(page)).toEqual([]);
    expect(await log(page)).toEqual([]);
    expect(await page.evaluate(() => window.rc.cs.getState().receiptId)).toBeUndefined();
    expect(await collector.stored()).toEqual([]);
  } finally {
    await collector.stop();
  }
});

test('two tabs: decisions made at once chain without forking, and each receipt is sent by one tab only', async ({ context }) => {
  const collector = await startCollector(await freePort(), dir);
  const proxy = await startFlakyProxy(Number(new URL(collector.url).port));
  try {
    // Steps name the phase a timeout happens in.
    const a = await context.newPage();
    await test.step('tab A decides while the collector is down', async () => {
      await open(a, proxy.url);
      await a.evaluate(() => window.rc.cs.acceptAll());
      await expect.poll(async () => (await events(a)).map((e) => e.status)).toEqual(['signed', 'failed']);
    });
    proxy.state.down = false;

    // Tab B shares the subject (the decision is stored) and sees the waiting receipt too.
    const b = await context.newPage();
    await test.step('tab B opens on the same subject', async () => {
      await open(b, proxy.url);
      expect(await b.evaluate(() => window.rc.cs.getState().subjectId)).toBe(await a.evaluate(() => window.rc.cs.getState().subjectId));
    });
    await test.step('both tabs decide at once', () =>
      Promise.all([a.evaluate(() => window.rc.cs.rejectAll()), b.evaluate(() => window.rc.cs.setPurposes({ analytics: true }))]),
    );
    await expect.poll(async () => (await collector.stored()).length).toBe(3);

    const rows = (await collector.stored()).sort((x, y) => x.seq - y.seq);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows.map((r) => r.prev)).toEqual([null, ...rows.slice(0, 2).map((r) => createHash('sha256').update(r.jws).digest('base64url'))]);
    const kids = await Promise.all(rows.map(async (r) => (await compactVerify(r.jws, EmbeddedJWK, { algorithms: ['ES256'] })).protectedHeader.kid));
    expect(new Set(kids).size).toBe(1);

    // Each receipt travelled in exactly one forwarded request, whichever tab sent it.
    const forwarded = proxy.state.requests.filter((r) => r.status === 0).flatMap((r) => JSON.parse(r.body).receipts as string[]);
    expect(forwarded.sort()).toEqual(rows.map((r) => r.jws).sort());
  } finally {
    await test.step('stop the proxy and the collector', async () => {
      await proxy.stop();
      await collector.stop();
    });
  }
});

test('script tag: clicking "Accept all" in the banner leaves a receipt the collector stores (method banner)', async ({ page }) => {
  const collector = await startCollector(await freePort(), dir);
  try {
    await page.goto(`/e2e/pages/receipts-script.html?collector=${encodeURIComponent(collector.url)}`);
    await page.getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(async () => (await collector.stored()).length).toBe(1);
    const [row] = await collector.stored();
    const { payload } = await compactVerify(row!.jws, EmbeddedJWK, { algorithms: ['ES256'] });
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
      seq: 1, action: 'accept-all', method: 'banner', page: `${ORIGIN}/e2e/pages/receipts-script.html`,
      purposes: { necessary: true, analytics: true, marketing: true },
    });
    // The texts the widget showed hash to what the auditor recomputes from the config.
    writeFileSync(join(dir, 'export.ndjson'), await collector.exported());
    writeFileSync(join(dir, 'config.json'), JSON.stringify(PAGE_CONFIG));
    const audit = spawnSync(process.execPath, ['--input-type=module', '-e', AUDIT_SCRIPT, join(dir, 'export.ndjson'), join(dir, 'config.json')], { encoding: 'utf8' });
    expect(audit.stdout).toContain(' 1 accept-all {"necessary":true,"analytics":true,"marketing":true} chain ok notice ok');
    await expect.poll(() => page.evaluate(() => (window as unknown as { ConsentSeal: { getState(): { receiptId?: string } } }).ConsentSeal.getState().receiptId)).toBe(row!.receiptId);
  } finally {
    await collector.stop();
  }
});

test('collector answering 503 with Retry-After: the next request waits as long as it asked, even for a new decision', async ({ page }) => {
  const collector = await startCollector(await freePort(), dir);
  const proxy = await startFlakyProxy(Number(new URL(collector.url).port));
  proxy.state.retryAfter = '30';
  try {
    // The page's clock is Playwright's: its 30 s pass at once, and each request notes the page time it left at.
    await page.clock.install();
    await page.addInitScript(() => {
      const w = window as unknown as { sentAt: number[] };
      const realFetch = window.fetch;
      w.sentAt = [];
      window.fetch = (...args) => (w.sentAt.push(Date.now()), realFetch(...args));
    });
    const sentAt = () => page.evaluate(() => (window as unknown as { sentAt: number[] }).sentAt);
    await open(page, proxy.url);
    await page.evaluate(() => window.rc.cs.acceptAll());
    await expect.poll(async () => (await events(page)).map((e) => e.status)).toEqual(['signed', 'failed']);

    // A new receipt would go out at once (and the backoff alone would retry within 5 s).
    await page.evaluate(() => window.rc.cs.rejectAll());
    await expect.poll(async () => (await events(page)).filter((e) => e.status === 'signed')).toHaveLength(2);
    proxy.state.down = false;
    await page.clock.fastForward(31_000);
    await expect.poll(async () => (await collector.stored()).length).toBe(2);

    const [first, second] = await sentAt();
    expect(second! - first!).toBeGreaterThanOrEqual(30_000);
    expect(proxy.state.requests.map((r) => r.status)).toEqual([503, 0]);
    expect(JSON.parse(proxy.state.requests[1]!.body).receipts).toHaveLength(2);
  } finally {
    await proxy.stop();
    await collector.stop();
  }
});

test('a page closed while its receipt is being stored: the next page signs it at the same seq, and the chain stays whole', async ({ context }) => {
  const collector = await startCollector(await freePort(), dir);
  try {
    // With ?hold, the transaction that stores a signed receipt is kept busy so it never commits; closing
    // the page then aborts it, as a page closed at that moment does.
    await context.addInitScript(() => {
      if (!location.search.includes('hold')) return;
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
        const request = put.call(this, value, key);
        if ((value as { jws?: string } | null)?.jws) {
          const busy = () => (this.get('busy').onsuccess = busy);
          busy();
          document.body.dataset.held = 'true';
        }
        return request;
      };
    });
    const first = await context.newPage();
    await first.goto(`${PAGE}?hold&collector=${encodeURIComponent(collector.url)}`);
    await expect(first.locator('body')).toHaveAttribute('data-ready', 'true');
    await first.evaluate(() => window.rc.cs.acceptAll());
    await expect(first.locator('body')).toHaveAttribute('data-held', 'true');
    await first.close();

    const next = await context.newPage();
    await open(next, collector.url);
    await expect.poll(async () => (await collector.stored()).length).toBe(1);
    await next.evaluate(() => window.rc.cs.rejectAll());
    await expect.poll(async () => (await collector.stored()).length).toBe(2);
    const rows = (await collector.stored()).sort((x, y) => x.seq - y.seq);
    expect(rows.map((r) => [r.seq, payloadOf(r.jws).action])).toEqual([[1, 'accept-all'], [2, 'reject-all']]);
    expect(rows.map((r) => r.prev)).toEqual([null, createHash('sha256').update(rows[0]!.jws).digest('base64url')]);
    expect(await next.evaluate(() => window.rc.errors)).toEqual([]);
  } finally {
    await collector.stop();
  }
});

test('IndexedDB blocked: the decision still leaves a receipt, signed with an ephemeral key, that the collector stores', async ({ page }) => {
  const collector = await startCollector(await freePort(), dir);
  try {
    // As with "block all site data": no IndexedDB for the decision, the device key or the receipt log.
    await page.addInitScript(() => Object.defineProperty(window, 'indexedDB', { get: () => undefined }));
    await open(page, collector.url);
    await page.evaluate(() => window.rc.cs.rejectAll());
    await expect.poll(async () => (await events(page)).map((e) => e.status)).toEqual(['signed', 'sent']);

    const [row] = await collector.stored();
    const { payload } = await compactVerify(row!.jws, EmbeddedJWK, { algorithms: ['ES256'] });
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ seq: 1, prev: null, action: 'reject-all', ephemeralKey: true });
    expect(await page.evaluate(() => window.rc.cs.getState().purposes)).toEqual({ necessary: true, analytics: false, marketing: false });
    // Each storage fault is reported, none thrown.
    expect((await page.evaluate(() => window.rc.errors)).map((e) => e.code)).toContain('storage');
  } finally {
    await collector.stop();
  }
});
