/**
 * Connection cap: a client opening many idle sockets must not exhaust the collector's file descriptors or
 * memory. Connections over the cap are closed on accept; the ones already accepted keep being served.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createCollector, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, type Collector, type CollectorOptions } from './server';
import { sqliteBackend, type TestBackend } from './test-backends';
import { makeDevice, next, payloadOf } from './test-receipts';
import type { ReceiptStore } from './types';

const running: Array<{ collector: Collector; store: ReceiptStore; backend: TestBackend; clients: Socket[] }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    for (const c of r.clients) c.destroy();
    await r.collector.close();
    await r.store.close();
    await r.backend.cleanup();
  }
});

/** A collector on `host` (`::` takes IPv4 clients too, as `::ffff:a.b.c.d`); `options` beside the connection caps. */
async function start(maxConnections: number | false, options: Partial<CollectorOptions> = {}, host = '127.0.0.1') {
  const backend = sqliteBackend();
  const store = await backend.open();
  const logged: string[] = [];
  const collector = await createCollector({ store, rateLimit: false, maxConnections, log: (l) => logged.push(l), ...options });
  const clients: Socket[] = [];
  running.push({ collector, store, backend, clients });
  const url = await collector.listen(0, host);
  const port = Number(new URL(url).port);
  /**
   * Server-side sockets, to await the moment the collector has accepted (or let go of) a connection. One
   * over the per-client cap still reaches 'connection' listeners, already destroyed: it is not counted.
   */
  const accepted: Socket[] = [];
  collector.server.on('connection', (s: Socket) => {
    if (!s.destroyed) accepted.push(s);
  });
  const acceptedAtLeast = async (n: number): Promise<void> => {
    while (accepted.length < n) await once(collector.server, 'connection');
  };
  /** Opens a raw connection (from `from`, on this host) and records what it receives until it closes. */
  const open = async (from = '127.0.0.1') => {
    const socket = connect(port, from);
    clients.push(socket);
    const seen = { data: '' };
    socket.on('data', (d: Buffer) => (seen.data += d.toString('latin1')));
    socket.on('error', () => undefined);
    // A refusal may arrive as a reset; once() would reject on that 'error', so 'close' is awaited by hand.
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await once(socket, 'connect');
    return { socket, seen, closed };
  };
  return { collector, url, open, accepted, acceptedAtLeast, logged };
}

const postOn = (socket: Socket, receipt: string): string => {
  const body = JSON.stringify({ receipts: [receipt] });
  return `POST /receipts HTTP/1.1\r\nHost: collector\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

it('closes connections over the cap at once, keeps serving the accepted ones, and admits again once one leaves', async () => {
  const { url, open, accepted, acceptedAtLeast, logged } = await start(3);
  const idle = [await open(), await open()];
  const working = await open();
  await acceptedAtLeast(3);
  expect(accepted).toHaveLength(3);

  // Over the cap: closed without a byte of HTTP.
  const refused = await open();
  await refused.closed;
  expect(refused.seen.data).toBe('');
  expect(accepted).toHaveLength(3);
  // What a browser sees: a network error, after which the SDK keeps the receipt in its outbox and retries.
  const d = await makeDevice();
  const r1 = await next(d);
  await expect(fetch(`${url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ receipts: [r1] }) })).rejects.toThrow();
  expect(logged.some((l) => l.startsWith('connection cap (3) reached: refused'))).toBe(true);

  // An accepted connection is not starved by the full cap.
  working.socket.write(postOn(working.socket, r1));
  while (!working.seen.data.includes(payloadOf(r1).receiptId)) await once(working.socket, 'data');
  expect(working.seen.data).toMatch(/^HTTP\/1\.1 200 /);
  expect(working.seen.data).toContain(`"accepted":["${payloadOf(r1).receiptId}"]`);

  // One idle client leaves: the next connection is accepted and its receipt stored.
  const placeFreed = Promise.race(accepted.map((s) => new Promise((resolve) => s.once('close', resolve))));
  idle[0]!.socket.destroy();
  await placeFreed;
  const r2 = await next(d);
  const res = await fetch(`${url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ receipts: [r2] }) });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { accepted: string[] }).accepted).toEqual([payloadOf(r2).receiptId]);
});

it('caps at 1,000 connections by default and refuses a cap that is not a whole number ≥ 1', async () => {
  const backend = sqliteBackend();
  const store = await backend.open();
  try {
    const c = await createCollector({ store, rateLimit: false });
    expect(c.server.maxConnections).toBe(DEFAULT_MAX_CONNECTIONS);
    expect(DEFAULT_MAX_CONNECTIONS).toBe(1000);
    await c.close();
    const off = await createCollector({ store, rateLimit: false, maxConnections: false });
    expect(off.server.maxConnections ?? Infinity).toBe(Infinity);
    await off.close();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await expect(createCollector({ store, maxConnections: bad })).rejects.toThrow('maxConnections must be an integer ≥ 1 or false');
    }
  } finally {
    await store.close();
    await backend.cleanup();
  }
});

/** Sends `GET /healthz` on a raw connection and resolves to the status line, or 'closed' if it is closed instead. */
const healthz = (c: { socket: Socket; seen: { data: string }; closed: Promise<void> }): Promise<string> =>
  new Promise<string>((resolve) => {
    const check = (): void => {
      if (c.seen.data.includes('\r\n')) resolve(c.seen.data.split('\r\n')[0]!);
    };
    c.socket.on('data', check);
    void c.closed.then(() => resolve(c.seen.data ? c.seen.data.split('\r\n')[0]! : 'closed'));
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: collector\r\n\r\n');
  });

it('caps the connections of one client address while another address still connects, and frees a place when one closes', async () => {
  // Listening on `::`, an IPv4 client is reported as `::ffff:127.0.0.1`: keyed as 127.0.0.1, like the rate limiter.
  const { open, accepted, acceptedAtLeast, logged } = await start(100, { maxConnectionsPerClient: 2 }, '::');
  const v4 = [await open('127.0.0.1'), await open('127.0.0.1')];
  await acceptedAtLeast(2);

  // The third from 127.0.0.1 is closed without a byte of HTTP, before it is read.
  const third = await open('127.0.0.1');
  expect(await healthz(third)).toBe('closed');
  expect(third.seen.data).toBe('');
  expect(accepted).toHaveLength(2);
  expect(logged.some((l) => l.startsWith('per-client connection cap (2) reached: refused'))).toBe(true);
  // A refused connection never held a place, so its closing frees none: the next one is refused too.
  const fourth = await open('127.0.0.1');
  expect(await healthz(fourth)).toBe('closed');
  expect(accepted).toHaveLength(2);

  // Another client (::1) is not affected by 127.0.0.1's full cap, and has its own.
  const v6 = [await open('::1'), await open('::1')];
  await acceptedAtLeast(4);
  expect(await healthz(v6[0]!)).toBe('HTTP/1.1 200 OK');
  expect(await healthz(await open('::1'))).toBe('closed');

  // The accepted connections of the capped client keep being served.
  expect(await healthz(v4[0]!)).toBe('HTTP/1.1 200 OK');
  expect(await healthz(v4[1]!)).toBe('HTTP/1.1 200 OK');

  // One of them closes: once the collector has let go of it, the client connects again, and is capped again.
  const freed = new Promise((resolve) => accepted[0]!.once('close', resolve));
  v4[0]!.socket.destroy();
  await freed;
  const again = await open('127.0.0.1');
  expect(await healthz(again)).toBe('HTTP/1.1 200 OK');
  expect(await healthz(await open('127.0.0.1'))).toBe('closed');
});

it('forgets a client once all its connections have closed: it gets its whole cap back, round after round', async () => {
  const { open, accepted } = await start(false, { maxConnectionsPerClient: 3 });
  for (let round = 0; round < 3; round++) {
    const held = [await open(), await open(), await open()];
    for (const c of held) expect(await healthz(c)).toBe('HTTP/1.1 200 OK');
    expect(await healthz(await open())).toBe('closed');
    const live = accepted.filter((s) => !s.destroyed);
    const gone = Promise.all(live.map((s) => new Promise((resolve) => s.once('close', resolve))));
    for (const c of held) c.socket.destroy();
    await gone;
  }
});

it('keeps 64 connections per client by default, none with trustProxy unless given, and refuses a cap that is not a whole number ≥ 1', async () => {
  expect(DEFAULT_MAX_CONNECTIONS_PER_CLIENT).toBe(64);
  const byDefault = await start(100);
  const held = [];
  for (let i = 0; i < 64; i++) held.push(await byDefault.open());
  await byDefault.acceptedAtLeast(64);
  expect(await healthz(await byDefault.open())).toBe('closed');
  expect(await healthz(held[63]!)).toBe('HTTP/1.1 200 OK');

  // Behind a proxy every connection comes from the proxy: the per-client cap is off unless asked for.
  const proxied = await start(100, { trustProxy: true });
  for (let i = 0; i < 65; i++) await proxied.open();
  await proxied.acceptedAtLeast(65);
  const asked = await start(100, { trustProxy: true, maxConnectionsPerClient: 1 });
  expect(await healthz(await asked.open())).toBe('HTTP/1.1 200 OK');
  expect(await healthz(await asked.open())).toBe('closed');
  const off = await start(100, { maxConnectionsPerClient: false });
  for (let i = 0; i < 65; i++) await off.open();
  await off.acceptedAtLeast(65);

  const backend = sqliteBackend();
  const store = await backend.open();
  try {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
      await expect(createCollector({ store, maxConnectionsPerClient: bad })).rejects.toThrow('maxConnectionsPerClient must be an integer ≥ 1 or false');
    }
  } finally {
    await store.close();
    await backend.cleanup();
  }
});
