import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, storeAt, TEST_POSTGRES, type TestBackend } from './test-backends';
import { makeDevice, next, payloadOf } from './test-receipts';
import type { StoredReceipt } from './types';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
// Inside node_modules so the bundle resolves better-sqlite3, pg and jose like the real dist/ build.
const cli = join(root, 'node_modules/.cache/consentseal-collector-test', `cli-${process.pid}.mjs`);
const TOKEN = 'cli-test-admin-token-0123456789';

beforeAll(async () => {
  mkdirSync(dirname(cli), { recursive: true });
  await build({
    entryPoints: [join(root, 'src/collector/cli.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'pg', 'jose'],
    define: { __SDK_VERSION__: '"test"' },
    loader: { '.css': 'text' },
    logLevel: 'silent',
  });
}, 60_000);

const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
  children.clear();
});

/** Runs the CLI to completion. */
async function run(args: string[]): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (out += c));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, out };
}

/** Starts the collector CLI on a free port and resolves once it prints its URL. */
async function serve(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [cli, '--port', '0', '--rate-limit', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CONSENTSEAL_ADMIN_TOKEN: TOKEN },
  });
  children.add(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on('data', (c: Buffer) => (out += c));
    child.on('exit', (code) => reject(new Error(`collector exited (${code}): ${out}`)));
  });
  return { child, url, output: () => out };
}

describe.each(backends)('consentseal-collector CLI (%s)', (_name, makeBackend) => {
  let backend: TestBackend;
  beforeAll(() => {
    backend = makeBackend();
  });
  afterAll(() => backend.cleanup());

  it('keeps every accepted receipt across kill -9 and a restart on the same store', async () => {
    const first = await serve(backend.cliArgs);
    const devices = await Promise.all(Array.from({ length: 20 }, () => makeDevice()));
    const receipts: string[] = [];
    for (const d of devices) for (let i = 0; i < 3; i++) receipts.push(await next(d));
    const post = (batch: string[]) =>
      fetch(`${first.url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ receipts: batch }) }).then(
        (r) => r.json() as Promise<{ accepted: string[] }>,
      );
    // One big batch and many single-receipt requests in flight together.
    const replies = await Promise.all([post(receipts.slice(0, 30)), ...receipts.slice(30).map((r) => post([r]))]);
    const accepted = replies.flatMap((r) => r.accepted);
    expect(accepted.sort()).toEqual(receipts.map((r) => payloadOf(r).receiptId).sort());

    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await serve(backend.cliArgs);
    const res = await fetch(`${second.url}/receipts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const stored = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as StoredReceipt);
    expect(stored.map((s) => s.receiptId).sort()).toEqual(accepted.sort());
    expect(stored.every((s) => s.chainStatus === 'complete')).toBe(true);
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
    expect(second.child.exitCode).toBe(0);
  });

  it('verify passes on a clean store and exits non-zero after a row is tampered with', async () => {
    const clean = await run(['verify', ...backend.cliArgs]);
    expect(clean.out).toMatch(/receipts: 60 \(subjects: 20\)/);
    expect(clean.out).toContain('bad signatures: 0');
    expect(clean.out).toContain('broken chains: 0');
    expect(clean.out.trimEnd().endsWith('OK')).toBe(true);
    expect(clean.code).toBe(0);

    await backend.sql("UPDATE receipts SET action = 'accept-all', purposes = ? WHERE seq = 2", JSON.stringify({ necessary: true, analytics: true, marketing: true }));
    const tampered = await run(['verify', ...backend.cliArgs]);
    expect(tampered.out).toContain('stored fields differing from the signed receipt: 20');
    expect(tampered.out).toMatch(/problem: .*stored action, purposes differ from the signed receipt/);
    expect(tampered.out.trimEnd().endsWith('FAILED')).toBe(true);
    expect(tampered.code).toBe(1);
  });
});

describe('consentseal-collector --workers', () => {
  it('serves one port from several processes on one SQLite store and stops them all on SIGTERM', async () => {
    const backend = backends[0]![1]();
    try {
      const { child, url } = await serve(['--workers', '2', ...backend.cliArgs]);
      const devices = await Promise.all(Array.from({ length: 10 }, () => makeDevice()));
      const receipts = await Promise.all(devices.map((d) => next(d)));
      const agentless = (r: string) =>
        fetch(`${url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain', connection: 'close' }, body: JSON.stringify({ receipts: [r] }) }).then(
          (res) => res.json() as Promise<{ accepted: string[]; acks: Record<string, string> }>,
        );
      const replies = await Promise.all(receipts.map(agentless));
      expect(replies.flatMap((r) => r.accepted)).toHaveLength(10);
      // Every worker signs with the one collector key.
      const kids = new Set(replies.map((r) => JSON.parse(Buffer.from(Object.values(r.acks)[0]!.split('.')[0]!, 'base64url').toString()).kid));
      expect(kids.size).toBe(1);
      child.kill('SIGTERM');
      await once(child, 'exit');
      expect(child.exitCode).toBe(0);
      const check = await run(['verify', ...backend.cliArgs]);
      expect(check.out).toContain('receipts: 10 (subjects: 10)');
      expect(check.code).toBe(0);
    } finally {
      await backend.cleanup();
    }
  });
});

describe.each(backends)('consentseal-collector verify and purge where no store is (%s)', (_name, makeBackend) => {
  it('refuse with exit code 2, and make nothing there, instead of creating an empty store and answering OK', async () => {
    const backend = makeBackend();
    try {
      // SQLite: another application's database file; PostgreSQL: a schema no collector made (a typo).
      if (backend.name === 'sqlite') await backend.sql('CREATE TABLE other (x INTEGER)');
      for (const command of [['verify'], ['purge', '--older-than-days', '30']]) {
        const r = await run([...command, ...backend.cliArgs]);
        expect(r.out).toContain('no ConsentSeal store');
        expect(r.out).not.toMatch(/^OK$|purged/m);
        expect(r.code).toBe(2);
      }
      const where = backend.cliArgs[backend.cliArgs.length - 1]!;
      if (backend.name === 'sqlite') {
        const db = new Database(where, { readonly: true });
        expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['other']);
        db.close();
      } else {
        const c = new pg.Client({ connectionString: TEST_POSTGRES });
        await c.connect();
        expect((await c.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [where])).rowCount).toBe(0);
        await c.end();
      }
    } finally {
      await backend.cleanup();
    }
  });
});

describe('consentseal-collector CLI arguments', () => {
  it('explains bad arguments with exit code 2 and refuses to verify a missing database', async () => {
    const bad = await run(['--port', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--port must be 0–65535');
    const origin = await run(['--allow-origin', 'https://shop.example/']);
    expect(origin.code).toBe(2);
    expect(origin.out).toContain('must be an origin');
    const missing = await run(['verify', '--db', '/nonexistent/consentseal.db']);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('no database at');
  });
});

describe('consentseal-collector --max-connections', () => {
  it('refuses a bad value with exit code 2 and closes connections over the cap', async () => {
    const bad = await run(['--max-connections', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--max-connections must be a whole number ≥ 0 (0 = no cap)');
    const backend = backends[0]![1]();
    try {
      const { url } = await serve(['--max-connections', '1', ...backend.cliArgs]);
      const { port } = new URL(url);
      const first = connect(Number(port), '127.0.0.1');
      first.on('error', () => undefined);
      await once(first, 'connect');
      // The cap is full once the collector answers on that first connection.
      first.write('GET /healthz HTTP/1.1\r\nHost: collector\r\n\r\n');
      await once(first, 'data');
      const second = connect(Number(port), '127.0.0.1');
      let data = '';
      second.on('data', (d: Buffer) => (data += d.toString('latin1')));
      // The refusal may surface as a reset: 'close' is awaited by hand because once() rejects on 'error'.
      const closed = new Promise((resolve) => second.on('close', resolve));
      second.on('error', () => undefined);
      second.write('GET /healthz HTTP/1.1\r\nHost: collector\r\n\r\n');
      await closed;
      expect(data).toBe('');
      first.destroy();
    } finally {
      await backend.cleanup();
    }
  });
});

describe('consentseal-collector --max-connections with --workers', () => {
  it('closes connections over each worker’s cap instead of passing them between full workers', async () => {
    await withSockets(async (backend, sockets) => {
      const { child, url } = await serve(['--workers', '2', '--max-connections', '1', ...backend.cliArgs]);
      const port = Number(new URL(url).port);
      const outcomes: string[] = [];
      // One after another, each kept open: two workers with one place each serve two, and close the rest.
      for (let i = 0; i < 4; i++) outcomes.push(await healthzOn(port, '127.0.0.1', sockets));
      expect(outcomes.filter((o) => o === 'HTTP/1.1 200 OK')).toHaveLength(2);
      expect(outcomes.filter((o) => o === 'closed')).toHaveLength(2);
      child.kill('SIGTERM');
      await once(child, 'exit');
    });
  });
});

/**
 * Runs `test` with the first test backend and a list for the sockets it opens; afterwards, whatever
 * happened, destroys those sockets and cleans the backend up.
 */
async function withSockets(test: (backend: TestBackend, sockets: ReturnType<typeof connect>[]) => Promise<void>): Promise<void> {
  const backend = backends[0]![1]();
  const sockets: ReturnType<typeof connect>[] = [];
  try {
    await test(backend, sockets);
  } finally {
    for (const s of sockets) s.destroy();
    await backend.cleanup();
  }
}

/** Opens a connection from `from`, sends GET /healthz and keeps it open; resolves to the status line or 'closed'. */
async function healthzOn(port: number, from: string, sockets: ReturnType<typeof connect>[]): Promise<string> {
  const s = connect(port, from);
  sockets.push(s);
  s.on('error', () => undefined);
  return new Promise<string>((resolve) => {
    s.once('data', (d: Buffer) => resolve(d.toString('latin1').split('\r\n')[0]!));
    s.once('close', () => resolve('closed'));
    s.write('GET /healthz HTTP/1.1\r\nHost: collector\r\n\r\n');
  });
}

/**
 * A connection from `from` that the collector serves, tried again every 20 ms for up to `tries` times
 * while a worker is still catching up (a place freed by a close, a replacement worker starting); undefined if none.
 */
async function servedConnection(port: number, from: string, sockets: ReturnType<typeof connect>[], tries: number) {
  for (let i = 0; i < tries; i++) {
    if ((await healthzOn(port, from, sockets)) === 'HTTP/1.1 200 OK') return sockets[sockets.length - 1]!;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('consentseal-collector --max-connections-per-client', () => {
  it('refuses a bad value with exit code 2, and closes a client’s connections over its cap while another client connects', async () => {
    for (const v of ['x', '-1', '1.5', '']) {
      const bad = await run([`--max-connections-per-client=${v}`]);
      expect(bad.code).toBe(2);
      expect(bad.out).toContain('--max-connections-per-client must be a whole number ≥ 0 (0 = no cap)');
    }
    await withSockets(async (backend, sockets) => {
      // On `::`, 127.0.0.1 (seen as ::ffff:127.0.0.1) and ::1 are two clients.
      const { url } = await serve(['--host', '::', '--max-connections-per-client', '2', ...backend.cliArgs]);
      const port = Number(new URL(url).port);
      const outcomes = [];
      for (const from of ['127.0.0.1', '127.0.0.1', '127.0.0.1', '::1', '::1', '::1']) outcomes.push(await healthzOn(port, from, sockets));
      expect(outcomes).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'closed', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'closed']);
    });
  });

  it('is 64 by default, and off with --trust-proxy unless given; 0 turns it off', async () => {
    await withSockets(async (backend, sockets) => {
      const countServed = async (args: string[], n: number): Promise<number> => {
        const { child, url } = await serve([...args, ...backend.cliArgs]);
        const port = Number(new URL(url).port);
        let served = 0;
        for (let i = 0; i < n; i++) if ((await healthzOn(port, '127.0.0.1', sockets)) === 'HTTP/1.1 200 OK') served++;
        for (const s of sockets.splice(0)) s.destroy();
        child.kill('SIGKILL');
        await once(child, 'exit');
        return served;
      };
      expect(await countServed([], 66)).toBe(64);
      expect(await countServed(['--trust-proxy'], 66)).toBe(66);
      expect(await countServed(['--trust-proxy', '--max-connections-per-client', '3'], 5)).toBe(3);
      expect(await countServed(['--max-connections-per-client', '0'], 66)).toBe(66);
    });
  }, 30_000);

  it('is counted by each worker for itself with --workers', async () => {
    await withSockets(async (backend, sockets) => {
      const { child, url } = await serve(['--workers', '2', '--max-connections-per-client', '1', ...backend.cliArgs]);
      const port = Number(new URL(url).port);
      const outcomes: string[] = [];
      // Two workers with one place each for 127.0.0.1 serve two of its connections, and close the rest.
      for (let i = 0; i < 4; i++) outcomes.push(await healthzOn(port, '127.0.0.1', sockets));
      expect(outcomes.filter((o) => o === 'HTTP/1.1 200 OK')).toHaveLength(2);
      expect(outcomes.filter((o) => o === 'closed')).toHaveLength(2);
      // A closed connection frees its worker's place: 127.0.0.1 is served again.
      for (const s of sockets.splice(0)) s.destroy();
      expect(await servedConnection(port, '127.0.0.1', sockets, 50)).toBeDefined();
      child.kill('SIGTERM');
      await once(child, 'exit');
    });
  });
});

/** A kept-open connection sending one request at a time; resolves each reply's status and headers once it is whole. */
function keptOpen(socket: ReturnType<typeof connect>) {
  let buf = '';
  let waiting: ((r: { status: number; headers: string }) => void) | undefined;
  socket.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0 || !waiting) return;
    const head = buf.slice(0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let total: number;
    if (length) total = end + 4 + Number(length[1]);
    else {
      const last = buf.indexOf('\r\n0\r\n\r\n', end);
      if (last < 0) return;
      total = last + 7;
    }
    if (buf.length < total) return;
    buf = buf.slice(total);
    const done = waiting;
    waiting = undefined;
    done({ status: Number(head.slice(9, 12)), headers: head.toLowerCase() });
  });
  return (request: string) =>
    new Promise<{ status: number; headers: string }>((resolve) => {
      waiting = resolve;
      socket.write(request);
    });
}

/**
 * Two connections from 127.0.0.1 held open, one on each worker: with `--max-connections-per-client 1` each
 * worker takes one 127.0.0.1 connection and closes the next, so two served connections are two workers.
 */
async function oneConnectionPerWorker(port: number, sockets: ReturnType<typeof connect>[]) {
  const served: ReturnType<typeof connect>[] = [];
  for (let i = 0; i < 10 && served.length < 2; i++) {
    if ((await healthzOn(port, '127.0.0.1', sockets)) === 'HTTP/1.1 200 OK') served.push(sockets[sockets.length - 1]!);
  }
  expect(served).toHaveLength(2);
  return served.map(keptOpen);
}

/** Cluster workers of the collector started as `pid` (its children), from /proc. */
function workerPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('consentseal-collector limits with --workers', () => {
  it('holds the rate limit across the workers, Retry-After included, for one client only, and past a replaced worker', async () => {
    await withSockets(async (backend, sockets) => {
      const { child, url, output } = await serve([
        '--host', '::', '--workers', '2', '--max-connections-per-client', '1', '--rate-limit', '0.001', '--rate-burst', '4', ...backend.cliArgs,
      ]);
      const port = Number(new URL(url).port);
      const [a, b] = await oneConnectionPerWorker(port, sockets);
      const keyRequest = 'GET /.well-known/consentseal-collector-key HTTP/1.1\r\nHost: collector\r\n\r\n';
      const replies = [];
      // Alternating between the workers: a burst of 4 for the cluster (each worker alone would allow 4).
      for (let i = 0; i < 8; i++) replies.push(await (i % 2 ? b! : a!)(keyRequest));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
      for (const r of replies.slice(4)) expect(Number(/\r\nretry-after: (\d+)/.exec(r.headers)?.[1])).toBeGreaterThan(900);
      // Another client (::1) has its own bucket.
      const other = keptOpen(connect(port, '::1'));
      expect((await other(keyRequest)).status).toBe(200);

      // A worker killed and replaced: the primary still holds 127.0.0.1's empty bucket.
      const pids = workerPids(child.pid!);
      expect(pids).toHaveLength(2);
      process.kill(pids[0]!, 'SIGKILL');
      // Once the primary has forked the replacement, 127.0.0.1 is served again only by it: the surviving
      // worker already holds 127.0.0.1's one place.
      const replaced = `worker ${pids[0]} exited (SIGKILL); starting another`;
      if (!output().includes(replaced)) await new Promise<void>((resolve) => child.stderr!.on('data', () => output().includes(replaced) && resolve()));
      const fresh = await servedConnection(port, '127.0.0.1', sockets, 250);
      expect(fresh).toBeDefined();
      expect(workerPids(child.pid!)).toHaveLength(2);
      expect((await keptOpen(fresh!)(keyRequest)).status).toBe(429);
      child.kill('SIGTERM');
      await once(child, 'exit');
    });
  }, 30_000);

  it('holds the failed sign-in limit across the workers', async () => {
    await withSockets(async (backend, sockets) => {
      const { child, url } = await serve(['--host', '::', '--workers', '2', '--max-connections-per-client', '1', ...backend.cliArgs]);
      const port = Number(new URL(url).port);
      const [a, b] = await oneConnectionPerWorker(port, sockets);
      const signIn = (token: string, host = `127.0.0.1:${port}`) => {
        const body = `token=${encodeURIComponent(token)}`;
        return `POST /dashboard/login HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      };
      const statuses: number[] = [];
      // 10 failures are checked per client, and the 10th locks it out, wherever each one lands.
      for (let i = 0; i < 10; i++) statuses.push((await (i % 2 ? b! : a!)(signIn('wrong-token-wrong-token'))).status);
      expect(statuses).toEqual(Array(10).fill(401));
      // Locked out on both workers, even with the right token, without it being checked.
      for (const worker of [a!, b!]) {
        const locked = await worker(signIn(TOKEN));
        expect(locked.status).toBe(429);
        expect(locked.headers).toMatch(/\r\nretry-after: \d+/);
        expect(locked.headers).not.toContain('set-cookie');
      }
      // Another client signs in.
      const other = keptOpen(connect(port, '::1'));
      const ok = await other(signIn(TOKEN, `[::1]:${port}`));
      expect(ok.status).toBe(303);
      expect(ok.headers).toContain('set-cookie: consentseal_dashboard=');
      child.kill('SIGTERM');
      await once(child, 'exit');
    });
  }, 30_000);
});

describe.each(backends)('consentseal-collector purge (%s)', (_name, makeBackend) => {
  it('removes subjects whose latest receipt is older than N days, says how many, and leaves verify clean', async () => {
    const backend = makeBackend();
    try {
      const store = await backend.open();
      const [old, recent] = await Promise.all([makeDevice(), makeDevice()]);
      await storeAt(store, '2026-01-10T12:00:00Z', [await next(old, { issuedAt: '2026-01-10T11:00:00Z' }), await next(old, { issuedAt: '2026-01-10T11:30:00Z' })]);
      await storeAt(store, new Date().toISOString(), [await next(recent)]);
      await store.close();

      const purged = await run(['purge', '--older-than-days', '30', ...backend.cliArgs]);
      expect(purged.out).toMatch(/^purged 1 subject \(2 receipts\) whose latest receipt was issued and stored before \d{4}-\d\d-\d\dT/);
      expect(purged.code).toBe(0);
      // SQLite: the freed pages are given back to the file system, and the sizes said (PostgreSQL: autovacuum).
      const sizes = /VACUUM: file size ([\d,]+) bytes before, ([\d,]+) bytes after/.exec(purged.out);
      if (backend.name === 'sqlite') {
        const [before, after] = [sizes![1]!, sizes![2]!].map((n) => Number(n.replace(/,/g, '')));
        expect(after).toBeLessThan(before!);
        expect(after).toBe(statSync(backend.cliArgs[1]!).size);
      } else expect(purged.out).not.toContain('VACUUM');
      // Nothing purged: nothing to reclaim.
      expect((await run(['purge', '--older-than-days', '30', ...backend.cliArgs])).out).not.toContain('VACUUM');
      const check = await run(['verify', ...backend.cliArgs]);
      expect(check.out).toContain('receipts: 1 (subjects: 1)');
      expect(check.out).toContain('counter mismatches: 0');
      expect(check.code).toBe(0);

      for (const bad of [[], ['--older-than-days', '0'], ['--older-than-days', '1.5']]) {
        const refused = await run(['purge', ...bad, ...backend.cliArgs]);
        expect(refused.code).toBe(2);
        expect(refused.out).toContain('purge needs --older-than-days N, a whole number of days from 1 to 36500');
      }
      expect((await run(['verify', ...backend.cliArgs])).out).toContain('receipts: 1 (subjects: 1)');
    } finally {
      await backend.cleanup();
    }
  });

  it('skips VACUUM with --no-vacuum, which belongs to purge only', async () => {
    const backend = makeBackend();
    try {
      const store = await backend.open();
      const old = await makeDevice();
      await storeAt(store, '2026-01-10T12:00:00Z', [await next(old, { issuedAt: '2026-01-10T11:00:00Z' })]);
      await store.close();
      const purged = await run(['purge', '--older-than-days', '30', '--no-vacuum', ...backend.cliArgs]);
      expect(purged.out).toMatch(/^purged 1 subject \(1 receipt\)/);
      expect(purged.out).not.toContain('VACUUM');
      expect(purged.code).toBe(0);
      const misplaced = await run(['verify', '--no-vacuum', ...backend.cliArgs]);
      expect(misplaced.code).toBe(2);
      expect(misplaced.out).toContain('--no-vacuum belongs to purge');
    } finally {
      await backend.cleanup();
    }
  });
});

