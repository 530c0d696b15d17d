// Load test of the built reference collector (dist/collector-cli.js) on SQLite in a temp dir.
// Pre-signs N receipts (distinct subjects, a few hundred P-256 keys), sends them one per request from
// concurrent keep-alive clients on this machine, then reports receipts/s, p50/p99 latency, the count lost
// (sent − stored, read from the store itself) and the single-core ceiling of ES256 crypto.verify.
// The load client writes pre-serialized HTTP/1.1 requests on raw keep-alive sockets and parses only the
// status, length and JSON body of each reply, so on a shared machine it leaves the CPU to the collector.
// Usage: npm run bench:collector [-- --receipts 60000 --concurrency 64 --seconds 30 --keys 300 --workers 2 --sqlite-sync full|normal]
//        add --postgres postgres://… to measure the PostgreSQL store instead (in a throwaway schema);
//        --workers N runs the collector as N processes (node:cluster; default 2, one per core of the 2-core
//        machine the issue's aim is stated for; --workers 1 measures a single process).
//        --rate-limit N turns the per-client rate limit on (N/s, burst N, default 0 = off) with --trust-proxy,
//        and gives every request its own X-Forwarded-For client: the limiter's worst case (a new client per
//        request; with --workers ≥ 2 each one a check in the cluster primary). Pick N above the request rate.
import { spawn } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { compactVerify, importJWK } from 'jose';

const { values: arg } = parseArgs({
  options: {
    receipts: { type: 'string', default: '60000' },
    concurrency: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '30' },
    keys: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '2000' },
    'sqlite-sync': { type: 'string', default: 'full' },
    postgres: { type: 'string' },
    workers: { type: 'string', default: '2' },
    'rate-limit': { type: 'string', default: '0' },
  },
});
const N = Number(arg.receipts);
const C = Number(arg.concurrency);
const LIMIT_MS = Number(arg.seconds) * 1000;
const KEYS = Number(arg.keys);
const WARMUP = Math.min(Number(arg.warmup), Math.floor(N / 5));
const RATE_LIMIT = Number(arg['rate-limit']);
const limitArgs = RATE_LIMIT > 0 ? ['--rate-limit', String(RATE_LIMIT), '--rate-burst', String(RATE_LIMIT), '--trust-proxy'] : ['--rate-limit', '0'];
const REPLY_TIMEOUT_MS = 30_000;
const TOKEN = 'bench-admin-token-0123456789abcdef';
const SCHEMA = `cs_bench_${process.pid}`;
const storeArgs = (db) => (arg.postgres ? ['--postgres', arg.postgres, '--postgres-schema', SCHEMA] : ['--db', db, '--sqlite-sync', arg['sqlite-sync']]);
const storeName = arg.postgres ? 'PostgreSQL' : `SQLite, synchronous=${arg['sqlite-sync'].toUpperCase()}`;

/** How many of `ids` the store holds, read from the database itself. */
async function countStored(db, ids) {
  if (arg.postgres) {
    const c = new pg.Client({ connectionString: arg.postgres, options: `-c search_path=${SCHEMA}` });
    await c.connect();
    try {
      const { rows } = await c.query('SELECT count(*)::int AS n FROM receipts WHERE receipt_id = ANY($1::text[])', [ids]);
      return rows[0].n;
    } finally {
      await c.end();
    }
  }
  const store = new Database(db, { readonly: true });
  const has = store.prepare('SELECT 1 FROM receipts WHERE receipt_id = ?').pluck();
  const n = ids.filter((id) => has.get(id)).length;
  store.close();
  return n;
}

async function dropSchema() {
  if (!arg.postgres) return;
  const c = new pg.Client({ connectionString: arg.postgres });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
}

const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const sha = (s) => createHash('sha256').update(s).digest('base64url');

function makeKey() {
  // Exported from a KeyObject of its own: exporting the generated KeyObject itself can deadlock Node 20.
  const { privateKey: der } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { format: 'der', type: 'pkcs8' }, publicKeyEncoding: { format: 'der', type: 'spki' } });
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const { x, y } = privateKey.export({ format: 'jwk' });
  const jwk = { kty: 'EC', crv: 'P-256', x, y };
  const kid = sha(`{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`);
  return { privateKey, jwk, kid, head: b64({ alg: 'ES256', typ: 'consent-receipt+jws', kid, jwk }) };
}

function receipt(key, i) {
  const payload = {
    ver: 1, receiptId: randomUUID(), subjectId: randomUUID(), seq: 1, prev: null, issuedAt: new Date().toISOString(),
    action: ['accept-all', 'reject-all', 'custom', 'withdraw'][i % 4], method: i % 3 ? 'banner' : 'preferences',
    purposes: { necessary: true, analytics: i % 2 === 0, marketing: i % 5 === 0 },
    policyVersion: '2026-11-01', policyUrl: 'https://shop.example/privacy', language: i % 7 ? 'en' : 'zh-CN',
    noticeHash: sha('notice'), page: 'https://shop.example/', gpc: i % 11 === 0, ephemeralKey: false, sdk: 'consentseal@0.1.0',
  };
  const input = `${key.head}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/**
 * ES256 verifications per CPU-second on one core: node:crypto with a cached KeyObject, and jose with a
 * cached key. Counted against this process's CPU time, not the wall clock, so other work on a shared
 * machine distorts it less.
 */
async function verifyCeiling(sample, key) {
  const [h, p, s] = sample.split('.');
  const input = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const pub = createPublicKey(key.privateKey);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let n = 0;
  let c0 = cpu();
  while (cpu() - c0 < 1.5) {
    for (let i = 0; i < 100; i++) verify('sha256', input, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
    n += 100;
  }
  const node = n / (cpu() - c0);
  const joseKey = await importJWK(key.jwk, 'ES256');
  n = 0;
  c0 = cpu();
  while (cpu() - c0 < 1.5) {
    await Promise.all(Array.from({ length: 50 }, () => compactVerify(sample, joseKey)));
    n += 50;
  }
  return { node, jose: n / (cpu() - c0) };
}

/**
 * CPU seconds (user + system) a process and its direct children (cluster workers) have used, from /proc
 * (Linux): `total`, and `main` for the JavaScript main threads alone (a thread's id equals its process id),
 * the rest being SQLite's checkpoint thread, libuv's pool (fdatasync) and V8's helpers.
 */
function cpuSeconds(pid) {
  const stat = (p) => readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
  const seconds = (f) => (Number(f[11]) + Number(f[12])) / 100;
  try {
    let total = 0;
    let main = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = stat(entry);
        if (entry !== String(pid) && f[1] !== String(pid)) continue;
        total += seconds(f);
        main += seconds(stat(`${entry}/task/${entry}`));
      } catch {
        // the process ended while we looked
      }
    }
    return { total, main };
  } catch {
    return undefined;
  }
}

/** Process ids whose parent is `pid` (cluster workers), from /proc. */
function childPids(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid)) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

async function startCollector(db) {
  const nodeArgs = process.env.BENCH_COLLECTOR_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, 'dist/collector-cli.js', '--port', '0', ...limitArgs, '--workers', arg.workers, ...storeArgs(db)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CONSENTSEAL_ADMIN_TOKEN: TOKEN },
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`collector exited with ${code}: ${out}`)));
  });
  return { child, url: new URL(url) };
}

/**
 * One keep-alive HTTP/1.1 connection that sends pre-serialized `POST /receipts` requests one at a time
 * and reads only what the bench needs from each reply: the status line, Content-Length and the JSON
 * body (to count `accepted`). node:http's client costs about as much CPU per request as the collector's
 * own HTTP handling, and on a shared 2-core machine that CPU comes out of the collector's share.
 */
class Connection {
  constructor(url) {
    this.url = url;
    this.socket = undefined;
    this.buf = Buffer.alloc(0);
    this.pending = undefined;
  }

  open() {
    return new Promise((resolve, reject) => {
      const s = connect({ host: this.url.hostname, port: Number(this.url.port), noDelay: true }, () => {
        s.off('error', reject);
        resolve();
      });
      s.once('error', reject);
      s.on('data', (c) => this.onData(c));
      s.on('error', (e) => this.fail(e));
      s.on('close', () => {
        this.socket = undefined;
        this.fail(new Error('connection closed'));
      });
      this.socket = s;
    });
  }

  fail(e) {
    const p = this.pending;
    this.pending = undefined;
    this.buf = Buffer.alloc(0);
    p?.done({ status: 0, text: '', error: e });
  }

  onData(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    let text;
    let total;
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (m) {
      total = end + 4 + Number(m[1]);
      if (this.buf.length < total) return;
      text = this.buf.toString('utf8', end + 4, total);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const parts = [];
      let at = end + 4;
      for (;;) {
        const eol = this.buf.indexOf('\r\n', at);
        if (eol < 0) return;
        const size = parseInt(this.buf.toString('latin1', at, eol), 16);
        if (this.buf.length < eol + 2 + size + 2) return;
        if (size === 0) {
          total = eol + 4;
          break;
        }
        parts.push(this.buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      text = Buffer.concat(parts).toString('utf8');
    } else {
      return this.socket?.destroy(new Error(`reply without a length: ${head.split('\r\n')[0]}`));
    }
    this.buf = this.buf.subarray(total);
    const p = this.pending;
    this.pending = undefined;
    p?.done({ status, text });
    if (/\r\nconnection: *close/i.test(head)) this.socket?.end();
  }

  /** Sends one pre-serialized request; resolves with the reply's status and body text (status 0 on a network error). */
  async send(request) {
    if (!this.socket) {
      try {
        await this.open();
      } catch (error) {
        return { status: 0, text: '', error };
      }
    }
    return new Promise((done) => {
      this.pending = { done, at: performance.now() };
      this.socket.write(request);
    });
  }

  /** Gives up on a reply that has taken longer than `ms` (counted as an error), so the bench never hangs. */
  expire(ms) {
    if (this.pending && performance.now() - this.pending.at > ms) this.socket?.destroy(new Error(`no reply within ${ms} ms`));
  }

  close() {
    this.socket?.destroy();
  }
}

/** A whole HTTP/1.1 request for one body, serialized once before the clock starts. */
const httpRequest = (url, body, i) => {
  const bytes = Buffer.from(body);
  const client = RATE_LIMIT > 0 ? `X-Forwarded-For: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\r\n` : '';
  const head = `POST /receipts HTTP/1.1\r\nHost: ${url.host}\r\n${client}Content-Type: text/plain\r\nContent-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
};

/** Sends `requests` one per request from C concurrent keep-alive connections until done or out of time. */
async function load(conns, requests, limitMs) {
  const lat = [];
  let nextIndex = 0;
  let sent = 0;
  let accepted = 0;
  let errors = 0;
  let firstError;
  const t0 = performance.now();
  const worker = async (conn) => {
    while (nextIndex < requests.length && performance.now() - t0 < limitMs) {
      const t = process.hrtime.bigint();
      const r = await conn.send(requests[nextIndex++]);
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      sent++;
      let n = 0;
      try {
        n = r.status === 200 ? JSON.parse(r.text).accepted.length : 0;
      } catch {
        n = 0;
      }
      if (r.status === 200) accepted += n;
      else {
        errors++;
        firstError ??= r.status ? `HTTP ${r.status} ${r.text.slice(0, 200)}` : String(r.error?.message ?? r.error);
      }
    }
  };
  const watchdog = setInterval(() => conns.forEach((c) => c.expire(REPLY_TIMEOUT_MS)), 1000);
  await Promise.all(conns.map(worker));
  clearInterval(watchdog);
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  return { sent, accepted, errors, firstError, seconds, rate: accepted / seconds, p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1] ?? 0 };
}

const dir = mkdtempSync(join(tmpdir(), 'consentseal-bench-'));
const db = join(dir, 'bench.db');
let collector;
try {
  console.log(`machine: ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()} cores, node ${process.version}`);
  console.log(`pre-signing ${N} receipts with ${KEYS} keys…`);
  const keys = Array.from({ length: KEYS }, makeKey);
  const receipts = Array.from({ length: N }, (_, i) => receipt(keys[i % KEYS], i));

  const ceiling = await verifyCeiling(receipts[0], keys[0]);
  console.log(`ES256 verify per CPU-second, one core: node:crypto ${Math.round(ceiling.node)}/s, jose ${Math.round(ceiling.jose)}/s`);

  collector = await startCollector(db);
  const requests = receipts.map((r, i) => httpRequest(collector.url, JSON.stringify({ receipts: [r] }), i));
  const conns = Array.from({ length: C }, () => new Connection(collector.url));
  const warm = await load(conns, requests.slice(0, WARMUP), Math.min(LIMIT_MS, 5000));
  const cpu0 = cpuSeconds(collector.child.pid);
  const own0 = process.cpuUsage();
  const run = await load(conns, requests.slice(WARMUP), LIMIT_MS);
  const cpu1 = cpuSeconds(collector.child.pid);
  const own = process.cpuUsage(own0);
  const serverCpuUs = cpu0 === undefined || cpu1 === undefined ? undefined : ((cpu1.total - cpu0.total) * 1e6) / run.sent;
  const serverMainUs = cpu0 === undefined || cpu1 === undefined ? undefined : ((cpu1.main - cpu0.main) * 1e6) / run.sent;
  const clientCpuUs = (own.user + own.system) / run.sent;
  for (const c of conns) c.close();

  const sent = warm.sent + run.sent;
  // Both phases take receipts in order: the warm-up from 0, the measured run from WARMUP.
  const sentReceipts = [...receipts.slice(0, warm.sent), ...receipts.slice(WARMUP, WARMUP + run.sent)];
  const ids = sentReceipts.map((r) => JSON.parse(Buffer.from(r.split('.')[1], 'base64url')).receiptId);
  const stored = await countStored(db, ids);

  const result = {
    store: storeName,
    workers: Number(arg.workers),
    rateLimit: RATE_LIMIT,
    receipts: run.sent,
    concurrency: C,
    seconds: Number(run.seconds.toFixed(2)),
    receiptsPerSecond: Math.round(run.rate),
    p50ms: Number(run.p50.toFixed(2)),
    p99ms: Number(run.p99.toFixed(2)),
    maxMs: Number(run.max.toFixed(2)),
    errors: warm.errors + run.errors,
    sent,
    stored,
    lost: sent - stored,
    verifyCeilingPerSecond: Math.round(ceiling.node),
    joseVerifyPerSecond: Math.round(ceiling.jose),
    ratioToVerifyCeiling: Number((run.rate / ceiling.node).toFixed(3)),
    // What one free core could store (from CPU time per receipt) against what it could merely verify.
    cpuCapacityRatio: serverCpuUs === undefined ? null : Number((1e6 / serverCpuUs / ceiling.node).toFixed(3)),
    serverCpuMicrosecondsPerReceipt: serverCpuUs === undefined ? null : Math.round(serverCpuUs),
    serverMainThreadMicrosecondsPerReceipt: serverMainUs === undefined ? null : Math.round(serverMainUs),
    clientCpuMicrosecondsPerRequest: Math.round(clientCpuUs),
    loadAverage: loadavg().map((v) => Number(v.toFixed(2))),
  };
  console.log(`
collector (${storeName}, ${arg.workers} process${arg.workers === '1' ? '' : 'es'},${RATE_LIMIT > 0 ? ` rate limit ${RATE_LIMIT}/s per client, a new client per request,` : ''} one receipt per request, ${C} keep-alive clients, after ${warm.sent} warm-up):
  stored      ${result.receiptsPerSecond} receipts/s over ${result.seconds} s (${run.sent} requests)
  latency     p50 ${result.p50ms} ms, p99 ${result.p99ms} ms, max ${result.maxMs} ms
  lost        ${result.lost} (sent ${sent}, found in the store ${stored}; HTTP errors ${result.errors}${result.errors ? `, first: ${warm.firstError ?? run.firstError}` : ''})
  ceiling     ES256 crypto.verify on one core: ${result.verifyCeilingPerSecond}/s → collector runs at ${(result.ratioToVerifyCeiling * 100).toFixed(1)}% of it
  CPU         collector ${result.serverCpuMicrosecondsPerReceipt ?? '?'} µs per receipt (≈ ${result.serverCpuMicrosecondsPerReceipt ? Math.round(1e6 / result.serverCpuMicrosecondsPerReceipt) : '?'}/s on one free core = ${result.cpuCapacityRatio === null ? '?' : `${(result.cpuCapacityRatio * 100).toFixed(1)}%`} of the verify ceiling), load client ${result.clientCpuMicrosecondsPerRequest} µs per request
              (collector JavaScript main thread${arg.workers === '1' ? '' : 's'} ${result.serverMainThreadMicrosecondsPerReceipt ?? '?'} µs of it; the rest: ${arg.postgres ? 'GC helpers and libuv threads; the PostgreSQL server\'s own CPU is not counted' : 'SQLite checkpoint thread, fdatasync pool, GC helpers'})
  machine     load average ${result.loadAverage.join(' / ')} (other work on this machine slows every figure above)`);
  mkdirSync('bench/.results', { recursive: true });
  writeFileSync(`bench/.results/collector-${arg.postgres ? 'postgres' : 'sqlite'}.json`, `${JSON.stringify(result, null, 2)}\n`);
  if (result.lost > 0 || result.errors > 0) process.exitCode = 1;
} finally {
  if (collector) {
    collector.child.kill('SIGTERM');
    const stopped = once(collector.child, 'exit');
    const late = setTimeout(() => {
      console.error('collector did not stop within 15 s of SIGTERM: killing it');
      process.exitCode = 1;
      for (const pid of [...childPids(collector.child.pid), collector.child.pid]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, 15_000);
    await stopped;
    clearTimeout(late);
  }
  rmSync(dir, { recursive: true, force: true });
  await dropSchema();
}
