/**
 * Slowloris: a client that trickles its headers must lose its connection once the 10 s header timeout has
 * passed, not whenever Node's default 30 s sweep next comes round (which let each slow connection live
 * up to ~40 s, so an attacker needed a quarter of the sockets to hold the same number open).
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCollector, type Collector } from './server';
import { sqliteBackend, type TestBackend } from './test-backends';
import type { ReceiptStore } from './types';

let backend: TestBackend;
let store: ReceiptStore;
let collector: Collector;
let port: number;
beforeAll(async () => {
  backend = sqliteBackend();
  store = await backend.open();
  collector = await createCollector({ store, rateLimit: false });
  port = Number(new URL(await collector.listen(0, '127.0.0.1')).port);
});
afterAll(async () => {
  await collector?.close();
  await store?.close();
  await backend?.cleanup();
});

it('drops a connection that trickles its headers soon after the 10 s header timeout', async () => {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  socket.write('POST /receipts HTTP/1.1\r\nHost: collector\r\n');
  const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 1000);
  let reply = '';
  socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
  socket.on('error', () => undefined);
  await once(socket, 'close');
  clearInterval(drip);
  const seconds = (Date.now() - started) / 1000;
  expect(reply).toMatch(/^HTTP\/1\.1 40[08] /);
  expect(seconds).toBeGreaterThanOrEqual(9);
  expect(seconds).toBeLessThan(14);
}, 45_000);

it('drops a connection that never sends a byte at the header timeout, so idle sockets cannot hold cap places', async () => {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  let reply = '';
  socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
  socket.on('error', () => undefined);
  await once(socket, 'close');
  const seconds = (Date.now() - started) / 1000;
  expect(reply).toMatch(/^HTTP\/1\.1 40[08] /);
  expect(seconds).toBeGreaterThanOrEqual(9);
  expect(seconds).toBeLessThan(14);
}, 45_000);
