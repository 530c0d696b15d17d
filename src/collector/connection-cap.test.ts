/**
 * Connection cap: a client opening many idle sockets must not exhaust the collector's file descriptors or
 * memory. Connections over the cap are closed on accept; the ones already accepted keep being served.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createCollector, DEFAULT_MAX_CONNECTIONS, type Collector } from './server';
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

async function start(maxConnections: number) {
  const backend = sqliteBackend();
  const store = await backend.open();
  const logged: string[] = [];
  const collector = await createCollector({ store, rateLimit: false, maxConnections, log: (l) => logged.push(l) });
  const clients: Socket[] = [];
  running.push({ collector, store, backend, clients });
  const url = await collector.listen(0, '127.0.0.1');
  const port = Number(new URL(url).port);
  /** Server-side sockets, to await the moment the collector has accepted (or let go of) a connection. */
  const accepted: Socket[] = [];
  collector.server.on('connection', (s: Socket) => accepted.push(s));
  const acceptedAtLeast = async (n: number): Promise<void> => {
    while (accepted.length < n) await once(collector.server, 'connection');
  };
  /** Opens a raw connection and records what it receives until it closes. */
  const open = async () => {
    const socket = connect(port, '127.0.0.1');
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
