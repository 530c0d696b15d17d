import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { EmbeddedJWK, compactVerify, importJWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector, type CollectorOptions } from './server';
import { backends, endlessExportStore, sqliteBackend, type TestBackend } from './test-backends';
import { hashJws, makeDevice, next, payloadOf, sign, payloadFor, twinOf } from './test-receipts';
import type { ReceiptStore, StoredReceipt } from './types';

const TOKEN = 'test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

interface Reply {
  accepted: string[];
  duplicate: string[];
  rejected: Array<{ index: number; reason: string }>;
  acks: Record<string, string>;
}

const running: Array<{ collector: Collector; backend?: TestBackend }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.collector.close();
    await r.backend?.cleanup();
  }
});

/** Starts a collector on a fresh SQLite file (or the given backend) on a free port. */
async function start(options: Partial<CollectorOptions> = {}, backend: TestBackend = sqliteBackend()) {
  const store = options.store ? undefined : await backend.open();
  const collector = await createCollector({ adminToken: TOKEN, rateLimit: false, ...options, ...(store ? { store } : {}) });
  if (store) {
    const close = collector.close.bind(collector);
    collector.close = async () => {
      await close();
      await store.close();
    };
  }
  running.push({ collector, backend });
  const url = await collector.listen(0, '127.0.0.1');
  const post = async (receipts: unknown[], headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers }, body: JSON.stringify({ receipts }) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Reply };
  };
  const exportLines = async (query = ''): Promise<StoredReceipt[]> => {
    const res = await fetch(`${url}/receipts${query}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const text = await res.text();
    return text ? text.trimEnd().split('\n').map((l) => JSON.parse(l) as StoredReceipt) : [];
  };
  return { collector, url, post, exportLines };
}

/** A raw HTTP request, for bodies and headers fetch would not send. */
function raw(url: string, o: { method?: string; path?: string; headers?: Record<string, string | number>; body?: string | Buffer; chunks?: Buffer[] }) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(`${url}${o.path ?? '/receipts'}`, { method: o.method ?? 'POST', headers: o.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (o.chunks) {
      for (const c of o.chunks) req.write(c);
      req.end();
    } else req.end(o.body);
  });
}

describe.each(backends)('collector over HTTP (%s)', (_name, makeBackend) => {
  it('accepts, countersigns, deduplicates and exports receipts; acks verify with jose against the well-known key', async () => {
    const { url, post, exportLines } = await start({}, makeBackend());
    const d = await makeDevice();
    const r1 = await next(d, { action: 'accept-all' });
    const r2 = await next(d, { action: 'withdraw', purposes: { necessary: true, analytics: false, marketing: false } });
    const bad = `${r2.slice(0, -4)}AAAA`;
    const res = await post([r1, 'garbage', r2, bad]);
    expect(res.status).toBe(200);
    const ids = [payloadOf(r1).receiptId, payloadOf(r2).receiptId];
    expect(res.body).toMatchObject({
      accepted: ids,
      duplicate: [],
      rejected: [
        { index: 1, reason: 'receipt: not a compact JWS (header.payload.signature)' },
        { index: 3, reason: expect.stringMatching(/^signature: /) },
      ],
    });
    const wellKnown = await (await fetch(`${url}/.well-known/consentseal-collector-key`)).json();
    expect(wellKnown).not.toHaveProperty('d');
    const key = await importJWK(wellKnown, 'ES256');
    for (const [id, jws] of [[ids[0]!, r1], [ids[1]!, r2]] as const) {
      const { payload, protectedHeader } = await compactVerify(res.body.acks[id]!, key);
      expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'consent-ack+jws', kid: wellKnown.kid, jwk: { kty: 'EC', crv: 'P-256' } });
      const ack = JSON.parse(new TextDecoder().decode(payload));
      expect(ack).toEqual({ receiptId: id, receiptHash: hashJws(jws), storedAt: expect.any(String) });
    }
    const again = await post([r2]);
    expect(again.body).toEqual({ accepted: [], duplicate: [ids[1]], rejected: [], acks: { [ids[1]!]: res.body.acks[ids[1]!] } });

    const lines = await exportLines(`?subjectId=${d.subjectId}`);
    expect(lines.map((l) => l.jws).sort()).toEqual([r1, r2].sort());
    for (const l of lines) {
      const verified = await compactVerify(l.jws, EmbeddedJWK, { algorithms: ['ES256'] });
      expect(JSON.parse(new TextDecoder().decode(verified.payload))).toMatchObject({ receiptId: l.receiptId, seq: l.seq, purposes: l.purposes });
      expect(l).toMatchObject({ subjectId: d.subjectId, chainStatus: 'complete', kid: d.kid, ack: res.body.acks[l.receiptId] });
    }
  });

  it('keeps the chain whole when a script on the site posts the signature twin of a receipt before the SDK does', async () => {
    const { url, post, exportLines } = await start({}, makeBackend());
    const d = await makeDevice();
    const [r1, r2] = [await next(d), await next(d)];
    const id1 = payloadOf(r1).receiptId;
    // The script read r1 from IndexedDB and posted (r, n − s) first.
    const attack = await post([twinOf(r1)]);
    expect(attack.body.accepted).toEqual([id1]);
    // The SDK's own post of r1 is answered as a duplicate (so it marks r1 sent), its next receipt links.
    expect((await post([r1])).body).toEqual({ accepted: [], duplicate: [id1], rejected: [], acks: { [id1]: attack.body.acks[id1] } });
    expect((await post([r2])).body).toMatchObject({ accepted: [payloadOf(r2).receiptId], rejected: [] });
    const lines = await exportLines(`?subjectId=${d.subjectId}`);
    expect(lines.map((l) => [l.seq, l.chainStatus]).sort()).toEqual([[1, 'complete'], [2, 'complete']]);
    const stats = await (await fetch(`${url}/stats`, { headers: auth })).json();
    expect(stats.incompleteChains).toBe(0);
  });
});

describe('POST /receipts', () => {
  it('accepts text/plain and application/json, refuses other content types', async () => {
    const { url, post } = await start();
    const d = await makeDevice();
    expect((await post([await next(d)])).body.accepted).toHaveLength(1);
    expect((await post([await next(d)], { 'content-type': 'application/json' })).body.accepted).toHaveLength(1);
    const form = await raw(url, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: JSON.stringify({ receipts: [await next(d)] }) });
    expect(form.status).toBe(415);
    const none = await raw(url, { body: '{"receipts":[]}' });
    expect(none.status).toBe(415);
  });

  it('bounds the body: 413 over 256 KiB (declared or streamed), 400 for malformed, deep or misshapen JSON and bad batch sizes', async () => {
    const { url, collector } = await start();
    const big = JSON.stringify({ receipts: ['x'.repeat(262_144)] });
    const declared = await raw(url, { headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(big) }, body: big });
    expect(declared.status).toBe(413);
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(8192, 0x61));
    const streamed = await raw(url, { headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, chunks });
    expect(streamed.status).toBe(413);
    const bad = async (body: string) => {
      const r = await raw(url, { headers: { 'content-type': 'application/json' }, body });
      return [r.status, (JSON.parse(r.body) as { error: string }).error];
    };
    expect(await bad('{"receipts": [')).toEqual([400, 'body: malformed JSON']);
    expect(await bad('')).toEqual([400, 'body: malformed JSON']);
    expect(await bad(`{"receipts": ${'['.repeat(10)}${']'.repeat(10)}}`)).toEqual([400, 'body: JSON nested too deeply']);
    expect(await bad('["a.b.c"]')).toEqual([400, 'body: must be {"receipts": [...]}']);
    expect(await bad('{"receipts": ["a.b.c"], "more": 1}')).toEqual([400, 'body: must be {"receipts": [...]}']);
    expect(await bad('{"receipts": "a.b.c"}')).toEqual([400, 'receipts: must be an array of 1–100 JWS strings']);
    expect(await bad('{"receipts": []}')).toEqual([400, 'receipts: must be an array of 1–100 JWS strings']);
    expect(await bad(JSON.stringify({ receipts: Array.from({ length: 101 }, () => 'a.b.c') }))).toEqual([400, 'receipts: must be an array of 1–100 JWS strings']);
    // 100 is fine, each judged on its own
    const hundred = await raw(url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ receipts: Array.from({ length: 100 }, (_, i) => (i % 2 ? 7 : 'a.b.c')) }) });
    expect(hundred.status).toBe(200);
    expect((JSON.parse(hundred.body) as Reply).rejected).toHaveLength(100);
    // still serving, nothing stored
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await collector.store.listReceipts({})).toEqual([]);
  });

  it('survives garbage: random bytes, invalid UTF-8, broken HTTP', async () => {
    const { url, collector } = await start();
    for (let i = 0; i < 20; i++) {
      const body = Buffer.from(Array.from({ length: 200 + i * 37 }, (_, j) => (j * 7919 + i * 104729) % 256));
      const r = await raw(url, { headers: { 'content-type': 'text/plain' }, body });
      expect(r.status).toBe(400);
    }
    const utf8 = await raw(url, { headers: { 'content-type': 'text/plain' }, body: Buffer.concat([Buffer.from('{"receipts":["'), Buffer.from([0xff, 0xfe]), Buffer.from('"]}')]) });
    expect(JSON.parse(utf8.body)).toMatchObject({ rejected: [{ index: 0 }] });
    const broken = await raw(url, { path: '/receipts', headers: { 'content-type': 'text/plain', 'content-length': 'abc' }, body: '{}' }).catch(() => ({ status: 400 }));
    expect(broken.status).toBe(400);
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
    expect(await collector.store.listReceipts({})).toEqual([]);
  });

  it('answers a request target that is no URL with 400, logging nothing, and counts it against the rate limit', async () => {
    const lines: string[] = [];
    const { url } = await start({ log: (line) => lines.push(line), rateLimit: { perSecond: 0.001, burst: 4 } });
    const { port } = new URL(url);
    /** The status line of a GET with this exact request target (fetch and http.request would refuse to send it). */
    const get = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(Number(port), '127.0.0.1', () => s.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let d = '';
        s.on('data', (c: Buffer) => (d += c));
        s.on('close', () => resolve(d.split('\r\n')[0]!));
        s.on('error', reject);
      });
    for (const target of ['http://[', '//[', 'http://%zz/', 'http://x:99999/receipts']) expect(await get(target), target).toBe('HTTP/1.1 400 Bad Request');
    expect(await get('http://[')).toBe('HTTP/1.1 429 Too Many Requests');
    expect(lines).toEqual([]);
  });

  it('logs nothing when a client goes away in the middle of its body (a phone losing its network)', async () => {
    const lines: string[] = [];
    const { url, collector } = await start({ log: (line) => lines.push(line) });
    const { port } = new URL(url);
    const closed = new Promise((resolve) => collector.server.once('connection', (socket: Socket) => socket.once('close', resolve)));
    const s = connect(Number(port), '127.0.0.1', () =>
      s.write('POST /receipts HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n{"receipts":[', () => s.destroy()),
    );
    await closed;
    // The collector's handling of the aborted request settles in the callbacks after the close.
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([]);
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
  });

  it('ends an export whose client went away while the collector waited to write more', async () => {
    const { store, ended, close } = await endlessExportStore();
    const { url, collector } = await start({ store });
    const closed = new Promise((resolve) => collector.server.once('connection', (socket: Socket) => socket.once('close', resolve)));
    const s = connect(Number(new URL(url).port), '127.0.0.1', () => s.write(`GET /receipts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`));
    // The client reads the first bytes, then stops reading and goes away.
    s.once('data', () => (s.pause(), s.destroy()));
    await closed;
    await ended;
    await close();
  });

  it('rejects issuedAt more than 10 minutes ahead of the collector clock', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const { post } = await start({ now: () => now });
    const d = await makeDevice();
    const late = await sign(d, payloadFor(d, 1, null, { issuedAt: '2026-01-01T00:10:01Z' }));
    expect((await post([late])).body.rejected).toEqual([{ index: 0, reason: 'payload.issuedAt: more than 10 minutes in the future' }]);
  });

  it('answers 503 (retry later) when the store fails, and stays up', async () => {
    const backend = sqliteBackend();
    const real = await backend.open();
    const failing: ReceiptStore = { ...real, insertBatch: () => Promise.reject(new Error('disk full')) };
    const logs: string[] = [];
    const { url, post } = await start({ store: failing, log: (l) => logs.push(l) }, backend);
    const d = await makeDevice();
    const r = await post([await next(d)]);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(logs.join()).toContain('disk full');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await real.close();
  });
});

describe('rate limit, CORS and admin token', () => {
  it('answers 429 past the per-client bucket, per IP, but never on /healthz', async () => {
    const { url } = await start({ rateLimit: { perSecond: 0.001, burst: 3 }, trustProxy: true });
    const hit = (ip: string) => raw(url, { method: 'GET', path: '/stats', headers: { 'x-forwarded-for': `203.0.113.9, ${ip}` } });
    expect((await Promise.all([1, 2, 3].map(() => hit('198.51.100.1')))).map((r) => r.status)).toEqual([401, 401, 401]);
    const limited = await hit('198.51.100.1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await hit('198.51.100.2')).status).toBe(401);
    expect((await raw(url, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });

  it('gives a whole IPv6 /64 one bucket, and an IPv4-mapped address the bucket of its IPv4 address', async () => {
    const { url } = await start({ rateLimit: { perSecond: 0.001, burst: 2 }, trustProxy: true });
    const hit = async (ip: string) => (await raw(url, { method: 'GET', path: '/stats', headers: { 'x-forwarded-for': ip } })).status;
    expect([await hit('2001:db8:0:1::1'), await hit('2001:db8:0:1::2')]).toEqual([401, 401]);
    // Another address of the same /64 is the same client.
    expect(await hit('2001:db8:0:1:8a2e:370:7334:1')).toBe(429);
    expect(await hit('2001:db8:0:2::1')).toBe(401);
    expect([await hit('::ffff:203.0.113.5'), await hit('[::ffff:cb00:7105]:443')]).toEqual([401, 401]);
    expect(await hit('203.0.113.5')).toBe(429);
  });

  it('lets an allowed origin read a 429 and its Retry-After', async () => {
    const { url } = await start({ rateLimit: { perSecond: 0.001, burst: 1 }, allowOrigins: ['https://shop.example'] });
    const hit = (origin: string) => raw(url, { method: 'POST', path: '/receipts', headers: { origin, 'content-type': 'text/plain' }, body: '{"receipts":[]}' });
    await hit('https://shop.example');
    const limited = await hit('https://shop.example');
    expect(limited.status).toBe(429);
    expect(limited.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(limited.headers['access-control-expose-headers']).toBe('retry-after');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const other = await hit('https://evil.example');
    expect(other.status).toBe(429);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows CORS only for --allow-origin origins, preflight included', async () => {
    const { url, post } = await start({ allowOrigins: ['https://shop.example'] });
    const d = await makeDevice();
    const ok = await post([await next(d)], { origin: 'https://shop.example' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('vary')).toBe('Origin');
    expect(ok.headers.get('access-control-expose-headers')).toBe('retry-after');
    const denied = await post([await next(d)], { origin: 'https://evil.example' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await raw(url, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers).toMatchObject({ 'access-control-allow-origin': 'https://shop.example', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' });
    const preDenied = await raw(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preDenied.status).toBe(403);
    expect(preDenied.headers['access-control-allow-origin']).toBeUndefined();
    // no Origin (server-to-server): allowed, no CORS headers
    const plain = await post([await next(d)]);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('needs the admin token for reads: 401 without or with a wrong one, 200 with it', async () => {
    const { url } = await start();
    for (const path of ['/receipts', '/stats']) {
      expect((await fetch(`${url}${path}`)).status).toBe(401);
      expect((await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      expect((await fetch(`${url}${path}`, { headers: { authorization: TOKEN } })).status).toBe(401);
      const ok = await fetch(`${url}${path}`, { headers: auth });
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
    }
    const unset = await start({ adminToken: '' });
    const res = await fetch(`${unset.url}/stats`, { headers: { authorization: 'Bearer ' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('takes any admin token the CLI accepts in the bearer header: spaces, non-ASCII, any case of "Bearer"', async () => {
    const token = 'correct horse battery staple — été';
    const { url } = await start({ adminToken: token });
    // HTTP carries header bytes: a client sends the token's UTF-8 bytes, which Node reads back as latin1.
    const bytes = Buffer.from(token, 'utf8').toString('latin1');
    for (const authorization of [`Bearer ${bytes}`, `bearer ${bytes}`, `BEARER ${bytes}`]) {
      expect((await raw(url, { method: 'GET', path: '/stats', headers: { authorization } })).status).toBe(200);
    }
    expect((await raw(url, { method: 'GET', path: '/stats', headers: { authorization: `Bearer ${bytes}x` } })).status).toBe(401);
    expect((await raw(url, { method: 'GET', path: '/stats', headers: { authorization: `Basic ${bytes}` } })).status).toBe(401);
    const plain = await start();
    expect((await fetch(`${plain.url}/stats`, { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(200);
  });
});

describe('GET /receipts and GET /stats', () => {
  it('exports NDJSON filtered by subject and issuedAt range', async () => {
    const { url, post, exportLines } = await start();
    const a = await makeDevice();
    const b = await makeDevice();
    const jan = await next(a, { issuedAt: '2026-01-10T10:00:00Z' });
    const feb = await next(a, { issuedAt: '2026-02-10T10:00:00+01:00' });
    const other = await next(b, { issuedAt: '2026-02-11T10:00:00Z' });
    await post([jan, feb, other]);
    expect((await exportLines()).map((l) => l.jws)).toEqual([jan, feb, other]);
    expect((await exportLines(`?subjectId=${a.subjectId}`)).map((l) => l.jws)).toEqual([jan, feb]);
    expect((await exportLines('?from=2026-02-01')).map((l) => l.jws)).toEqual([feb, other]);
    expect((await exportLines('?from=2026-02-01&to=2026-02-11T10:00:00Z')).map((l) => l.jws)).toEqual([feb]);
    expect((await exportLines(`?subjectId=${b.subjectId}&to=2026-02-01`))).toEqual([]);
    const line = (await exportLines(`?subjectId=${b.subjectId}`))[0]!;
    expect(line).toMatchObject({ issuedAt: '2026-02-11T10:00:00.000Z', seq: 1, prev: null, jwsHash: hashJws(other), policyUrl: 'https://shop.example/privacy' });
    for (const q of ['?subjectId=nope', '?from=yesterday', '?to=2026-13-01']) {
      expect((await fetch(`${url}/receipts${q}`, { headers: auth })).status).toBe(400);
    }
  });

  it('reports consent rates per purpose, per day and policy version', async () => {
    const { url, post } = await start();
    const devices = await Promise.all(Array.from({ length: 4 }, () => makeDevice()));
    const [d1, d2, d3, d4] = devices as [typeof devices[0], typeof devices[0], typeof devices[0], typeof devices[0]];
    await post([
      await next(d1, { issuedAt: '2026-03-01T09:00:00Z', action: 'accept-all', purposes: { analytics: true, marketing: true } }),
      await next(d2, { issuedAt: '2026-03-01T10:00:00Z', action: 'reject-all', purposes: { analytics: false, marketing: false }, gpc: true }),
      await next(d3, { issuedAt: '2026-03-02T10:00:00Z', action: 'custom', purposes: { analytics: true, marketing: false }, language: 'zh-CN' }),
      await next(d4, { issuedAt: '2026-03-02T11:00:00Z', action: 'accept-all', purposes: { analytics: true, marketing: true }, policyVersion: '2026-03-02' }),
    ]);
    const stats = await (await fetch(`${url}/stats`, { headers: auth })).json();
    expect(stats).toMatchObject({
      total: 4,
      incompleteChains: 0,
      gpc: 1,
      actions: { 'accept-all': 2, 'reject-all': 1, custom: 1 },
      languages: { en: 3, 'zh-CN': 1 },
      purposes: { analytics: { granted: 3, denied: 1, rate: 0.75 }, marketing: { granted: 2, denied: 2, rate: 0.5 } },
      policyVersions: {
        '2026-11-01': { total: 3, purposes: { analytics: { granted: 2, denied: 1, rate: 0.6667 } } },
        '2026-03-02': { total: 1 },
      },
    });
    expect(stats.days.map((g: { day: string; policyVersion: string; total: number }) => [g.day, g.policyVersion, g.total])).toEqual([
      ['2026-03-01', '2026-11-01', 2],
      ['2026-03-02', '2026-03-02', 1],
      ['2026-03-02', '2026-11-01', 1],
    ]);
    const filtered = await (await fetch(`${url}/stats?from=2026-03-02&to=2026-03-02&policyVersion=2026-11-01`, { headers: auth })).json();
    expect(filtered).toMatchObject({ total: 1, filter: { from: '2026-03-02', to: '2026-03-02', policyVersion: '2026-11-01' }, purposes: { marketing: { rate: 0 } } });
    expect((await fetch(`${url}/stats?from=March`, { headers: auth })).status).toBe(400);
  });
});

describe('hostile but valid values', () => {
  it('counts a purpose and a policy version named __proto__ without touching Object.prototype', async () => {
    const { url, post } = await start();
    const d = await makeDevice();
    const r = await sign(d, JSON.parse(JSON.stringify(payloadFor(d, 1, null, { policyVersion: '__proto__' })).replace('"purposes":{', '"purposes":{"__proto__":true,')));
    expect((await post([r])).body.accepted).toHaveLength(1);
    const stats = await (await fetch(`${url}/stats`, { headers: auth })).json();
    expect(stats.policyVersions.__proto__.total).toBe(1);
    expect(stats.purposes.__proto__).toEqual({ granted: 1, denied: 0, rate: 1 });
    expect(({} as Record<string, unknown>).granted).toBeUndefined();
    expect(({} as Record<string, unknown>).total).toBeUndefined();
  });
});

describe('routes', () => {
  it('serves /healthz, 404s unknown paths, 405s wrong methods, and mounts extra routes with the admin check', async () => {
    const { url } = await start({
      routes: [
        {
          method: 'GET',
          path: '/dashboard/*',
          handle(req, res, ctx) {
            ctx.sendJson(res, ctx.isAdmin(req) ? 200 : 401, { path: ctx.url.pathname, token: ctx.checkToken(TOKEN), store: ctx.store.kind });
          },
        },
      ],
    });
    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/stats`, { method: 'POST', headers: auth })).status).toBe(405);
    expect((await fetch(`${url}/receipts`, { method: 'DELETE', headers: auth })).status).toBe(405);
    const dash = await fetch(`${url}/dashboard/subjects`, { headers: auth });
    expect([dash.status, await dash.json()]).toEqual([200, { path: '/dashboard/subjects', token: true, store: 'sqlite' }]);
    expect((await fetch(`${url}/dashboard`)).status).toBe(401);
    expect((await fetch(`${url}/dashboardx`)).status).toBe(404);
  });
});

describe('lifecycle', () => {
  let c: Collector | undefined;
  let backend: TestBackend;
  beforeAll(() => {
    backend = sqliteBackend();
  });
  afterAll(async () => {
    await c?.close();
    await backend.cleanup();
  });
  it('closes its own store and refuses a second store option', async () => {
    await expect(createCollector({ db: 'a.db', postgres: 'postgres://x' })).rejects.toThrow('exactly one of');
    c = await createCollector({ db: backend.cliArgs[1]! });
    const url = await c.listen(0);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await c.close();
    await expect(c.store.insertBatch([], () => '')).rejects.toThrow('closed');
  });
});
