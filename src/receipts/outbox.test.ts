// @vitest-environment happy-dom
import './fake-locks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsentErrorEvent, ReceiptEvent } from '../core/types';
import { dbs, reset } from './fake-idb';
import { readReceiptLog, type ReceiptLogEntry } from './log';
import { backoff, batches, createOutbox, retryAfter, type CollectorReply } from './outbox';

vi.mock('../core/idb', () => import('./fake-idb'));

const URL_ = 'https://collector.example/receipts';
const db = () => dbs.get('consentseal-receipts/receipts') ?? dbs.set('consentseal-receipts/receipts', new Map()).get('consentseal-receipts/receipts')!;
const entry = (id: string, i = 0, status: ReceiptLogEntry['status'] = 'pending'): ReceiptLogEntry => ({
  receiptId: id,
  issuedAt: new Date(Date.UTC(2026, 10, 29, 10, 0, i)).toISOString(),
  jws: `h.${id}.s`,
  status,
});
const seed = (...es: ReceiptLogEntry[]) => es.forEach((e) => db().set(e.receiptId, e));
const stored = (id: string) => db().get(id) as ReceiptLogEntry;

let receipts: ReceiptEvent[];
let errors: ConsentErrorEvent[];
const core = {
  emit: (name: string, payload: unknown) => void (name === 'receipt' && receipts.push(payload as ReceiptEvent)),
  reportError: (code: string, message: string, cause?: unknown) => void errors.push({ code, message, cause }),
  env: { now: () => Date.now(), uuid: () => crypto.randomUUID(), gpc: false },
  // Never resolves: each test flushes by hand.
  ready: new Promise<void>(() => {}),
} as unknown as Parameters<typeof createOutbox>[1];

type Answer = CollectorReply | number | Error | Response;
let answers: Answer[];
const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => {
  const a = answers.shift() ?? new TypeError('no answer queued');
  if (a instanceof Error) throw a;
  if (a instanceof Response) return a;
  if (typeof a === 'number') return new Response('busy', { status: a });
  return new Response(JSON.stringify(a), { status: 200, headers: { 'content-type': 'application/json' } });
});
// Every outbox listens on the window until stopped (its controller aborted, as `destroy` does): stop them all after each test.
let boxes: Array<ReturnType<typeof createOutbox> & { stop(): void }> = [];
const open_ = () => {
  const ac = new AbortController();
  const box = { ...createOutbox(URL_, core, ac), stop: () => ac.abort() };
  boxes.push(box);
  return box;
};
const sentBodies = () => fetchMock.mock.calls.map(([, init]) => JSON.parse(init.body as string).receipts as string[]);

beforeEach(() => {
  reset();
  receipts = [];
  errors = [];
  answers = [];
  fetchMock.mockClear();
  vi.stubGlobal('fetch', fetchMock);
  vi.useFakeTimers({ now: Date.UTC(2026, 10, 29, 12) });
});
afterEach(() => {
  boxes.forEach((b) => b.stop());
  boxes = [];
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('backoff', () => {
  it('doubles from 5 s to a 1 h cap with equal jitter', () => {
    expect(backoff(1, 0)).toBe(2500);
    expect(backoff(1, 1)).toBe(5000);
    expect(backoff(2, 0.5)).toBe(7500);
    expect(backoff(4, 1)).toBe(40_000);
    expect(backoff(30, 0)).toBe(1_800_000);
    expect(backoff(30, 1)).toBe(3_600_000);
    for (let n = 1; n < 40; n++) {
      const d = backoff(n);
      const cap = Math.min(3_600_000, 5000 * 2 ** (n - 1));
      expect(d).toBeGreaterThanOrEqual(cap / 2);
      expect(d).toBeLessThanOrEqual(cap);
    }
    const spread = new Set(Array.from({ length: 20 }, () => backoff(3)));
    expect(spread.size).toBeGreaterThan(10);
  });
});

describe('retryAfter', () => {
  const now = Date.UTC(2026, 10, 29, 12);
  it('reads delta-seconds and HTTP dates; 0 for none or junk', () => {
    expect(retryAfter('120', now)).toBe(120_000);
    expect(retryAfter('0', now)).toBe(0);
    expect(retryAfter('Sun, 29 Nov 2026 12:01:30 GMT', now)).toBe(90_000);
    expect(retryAfter('Sun, 29 Nov 2026 11:00:00 GMT', now)).toBeLessThan(0);
    for (const v of [null, '', 'soon', 'NaN']) expect(retryAfter(v, now)).toBe(0);
  });
});

describe('batches', () => {
  it('cuts at 100 receipts and below 64 KiB of body', () => {
    const small = Array.from({ length: 250 }, (_, i) => entry(`r${i}`));
    expect(batches(small).map((b) => b.length)).toEqual([100, 100, 50]);
    const big = Array.from({ length: 5 }, (_, i) => ({ ...entry(`b${i}`), jws: 'x'.repeat(25_000) }));
    const out = batches(big);
    expect(out.map((b) => b.length)).toEqual([2, 2, 1]);
    for (const b of out) expect(JSON.stringify({ receipts: b.map((e) => e.jws) }).length).toBeLessThan(65_536);
    expect(batches([])).toEqual([]);
  });
});

describe('outbox', () => {
  it('posts pending receipts oldest first as CORS-simple text/plain keepalive requests, then marks them sent with their ack', async () => {
    seed(entry('b', 2), entry('a', 1), entry('old', 0, 'sent'));
    answers = [{ accepted: ['a'], duplicate: ['b'], rejected: [], acks: { a: 'ack-a' } }];
    await open_().flush();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe(URL_);
    expect(init).toMatchObject({ method: 'POST', keepalive: true, credentials: 'omit' });
    // A string body: the browser sends it as text/plain, CORS-simple.
    expect(new Request(url, init).headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(sentBodies()).toEqual([['h.a.s', 'h.b.s']]);
    expect(stored('a')).toEqual({ ...entry('a', 1), status: 'sent', ack: 'ack-a' });
    expect(stored('b')).toEqual({ ...entry('b', 2), status: 'sent' });
    expect(receipts).toEqual([
      { receiptId: 'a', status: 'sent', jws: 'h.a.s' },
      { receiptId: 'b', status: 'sent', jws: 'h.b.s' },
    ]);
    expect(errors).toEqual([]);
    await open_().flush();
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('stores nothing when there is nothing to send, nor once a success has reset the backoff', async () => {
    // A first visit (nothing decided, nothing signed) leaves no record behind.
    await open_().flush();
    expect(fetchMock).not.toHaveBeenCalled();
    expect([...db().keys()]).toEqual([]);
    seed(entry('a'));
    answers = [503, { accepted: ['a'] }];
    await open_().flush();
    expect((db().get('retry') as { n: number }).n).toBe(1);
    await open_().flush(true);
    expect(db().get('retry')).toEqual({ n: 0, at: 0, asked: 0 });
    db().delete('retry');
    await open_().flush();
    expect(db().has('retry')).toBe(false);
  });

  it('takes rejected receipts out of the outbox with their reason and an error', async () => {
    seed(entry('a', 1), entry('b', 2));
    answers = [{ accepted: ['b'], duplicate: [], rejected: [{ index: 0, reason: 'bad signature' }], acks: {} }];
    await open_().flush();
    expect(stored('a').status).toBe('rejected');
    expect(stored('b').status).toBe('sent');
    expect(receipts).toContainEqual({ receiptId: 'a', status: 'rejected', jws: 'h.a.s', reason: 'bad signature' });
    expect(errors).toEqual([expect.objectContaining({ code: 'receipt', message: expect.stringContaining('bad signature') })]);
    expect((await readReceiptLog()).map((e) => [e.receiptId, e.status])).toEqual([['a', 'rejected'], ['b', 'sent']]);
  });

  it.each([
    ['a 503', 503],
    ['a 429', 429],
    ['a network error', new TypeError('Failed to fetch')],
  ])('keeps receipts and backs off after %s, persisting the next attempt; the timer delivers them', async (_name, failure) => {
    seed(entry('a'));
    answers = [failure];
    const box = open_();
    const t0 = Date.now();
    await box.flush();
    expect(stored('a').status).toBe('pending');
    expect(receipts).toEqual([expect.objectContaining({ receiptId: 'a', status: 'failed' })]);
    expect(errors).toEqual([expect.objectContaining({ code: 'transport' })]);
    const retry = db().get('retry') as { n: number; at: number };
    expect(retry.n).toBe(1);
    expect(retry.at - t0).toBeGreaterThanOrEqual(2500);
    expect(retry.at - t0).toBeLessThanOrEqual(5000);

    // A page loaded before the next attempt is due waits for it instead of hammering the collector.
    const otherPage = open_();
    await otherPage.flush();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    otherPage.stop();

    answers = [{ accepted: ['a'], acks: { a: 'ack' } }];
    await vi.advanceTimersByTimeAsync(retry.at - t0 - 1);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(stored('a')).toMatchObject({ status: 'sent', ack: 'ack' }));
    expect(db().get('retry')).toEqual({ n: 0, at: 0, asked: 0 });
  });

  it('sends at once when the clock went back: an attempt due further ahead than any wait is due now', async () => {
    seed(entry('a'));
    // Stored after a failure; the device's clock has since been set back 60 days. Waiting for it would
    // hold the receipt for 60 days, and a timer past 2^31 − 1 ms fires at once, again and again.
    db().set('retry', { n: 3, at: Date.now() + 60 * 864e5, asked: 0 });
    answers = [{ accepted: ['a'] }];
    await open_().flush();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(stored('a').status).toBe('sent');
    expect(db().get('retry')).toEqual({ n: 0, at: 0, asked: 0 });
  });

  it('grows the wait with each failure in a row; a forced flush (online, new receipt) ignores it', async () => {
    seed(entry('a'));
    answers = [503, 503, 503];
    const box = open_();
    await box.flush();
    await box.flush(true);
    await box.flush(true);
    const retry = db().get('retry') as { n: number; at: number };
    expect(retry.n).toBe(3);
    expect(retry.at - Date.now()).toBeGreaterThanOrEqual(10_000);
    expect(fetchMock).toHaveBeenCalledTimes(3);
    box.stop();
  });

  it('treats receipts the collector left unanswered as not delivered', async () => {
    seed(entry('a', 1), entry('b', 2));
    answers = [{ accepted: ['a'] }];
    await open_().flush();
    expect(stored('a').status).toBe('sent');
    expect(stored('b').status).toBe('pending');
    expect((db().get('retry') as { n: number }).n).toBe(1);
  });

  it('treats a malformed answer as a failure, not as delivery', async () => {
    seed(entry('a'));
    fetchMock.mockImplementationOnce(async () => new Response('<html>', { status: 200 }));
    await open_().flush();
    expect(stored('a').status).toBe('pending');
    expect(errors[0]?.code).toBe('transport');
  });

  it('sends nothing more once stopped, even with a request in flight (destroy mid-flush)', async () => {
    seed(entry('a'));
    let answer!: (r: Response) => void;
    fetchMock.mockImplementationOnce(() => new Promise((r) => (answer = r)));
    const box = open_();
    const flushed = box.flush();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    box.stop();
    answer(new Response('busy', { status: 503 }));
    await flushed;
    // The failure is still recorded for the next page, but no retry is scheduled by this one.
    expect((db().get('retry') as { n: number }).n).toBe(1);
    await vi.advanceTimersByTimeAsync(2 * 36e5);
    await box.flush(true);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('gives up on a request the collector never answers after 30 s: a failure like any other, and the lock is free again', async () => {
    seed(entry('a'));
    // The page clock of the test: happy-dom's AbortSignal.timeout runs on a timer vitest does not fake.
    vi.spyOn(AbortSignal, 'timeout').mockImplementation((ms) => {
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(new DOMException('signal timed out', 'TimeoutError')), ms);
      return ctl.signal;
    });
    // Never answers: only the request's signal ends it.
    fetchMock.mockImplementationOnce((_url, init) => new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason))));
    const box = open_();
    const flushed = box.flush();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(receipts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await flushed;
    expect(stored('a').status).toBe('pending');
    expect(receipts).toEqual([expect.objectContaining({ receiptId: 'a', status: 'failed', reason: expect.stringContaining('TimeoutError') })]);
    expect(errors).toEqual([expect.objectContaining({ code: 'transport' })]);
    expect((db().get('retry') as { n: number }).n).toBe(1);
    answers = [{ accepted: ['a'] }];
    await box.flush(true);
    expect(stored('a').status).toBe('sent');
  });

  it('still sends where the browser has no AbortSignal.timeout (Safari before 16), without a time limit', async () => {
    vi.stubGlobal('AbortSignal', { ...AbortSignal, timeout: undefined });
    seed(entry('a'));
    answers = [{ accepted: ['a'] }];
    await open_().flush();
    expect(fetchMock.mock.calls[0]![1].signal).toBeUndefined();
    expect(stored('a').status).toBe('sent');
    expect(errors).toEqual([]);
  });

  it('sends a new receipt at once, and on page exit sends what is unsent without waiting for storage', async () => {
    answers = [503];
    const box = open_();
    seed(entry('a'));
    void box.add({ receiptId: 'a', jws: 'h.a.s' });
    await vi.waitFor(() => expect(receipts).toHaveLength(1));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    answers = [{ accepted: ['a'] }];
    window.dispatchEvent(new Event('pagehide'));
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(fetchMock.mock.calls[1]![1]).toMatchObject({ keepalive: true, method: 'POST' });
    expect(sentBodies()[1]).toEqual(['h.a.s']);
    box.stop();
  });
});

describe('outbox on page exit', () => {
  const jws = (i: number) => `h.r${i}.`.padEnd(1000, 's');

  it('sends the oldest receipts that fit in 64 KiB of keepalive bodies, in as many batches as they need', async () => {
    answers = [new Response('busy', { status: 503, headers: { 'retry-after': '600' } })];
    const box = open_();
    // 100 receipts of 1,000 B: 65 fit in 64 KiB with their envelopes; the first 59 fill one 60 kB batch.
    for (let i = 0; i < 100; i++) {
      seed({ ...entry(`r${i}`, i), jws: jws(i) });
      void box.add({ receiptId: `r${i}`, jws: jws(i) });
    }
    await vi.waitFor(() => expect(receipts.filter((r) => r.status === 'failed').length).toBeGreaterThan(0));
    fetchMock.mockClear();
    window.dispatchEvent(new Event('pagehide'));
    const bodies = fetchMock.mock.calls.map(([, init]) => init.body as string);
    expect(bodies.map((b) => JSON.parse(b).receipts.length)).toEqual([59, 6]);
    expect(bodies.join('').length).toBeLessThanOrEqual(65_536);
    expect(sentBodies().flat()).toEqual(Array.from({ length: 65 }, (_, i) => jws(i)));
    box.stop();
  });
});

describe('outbox and Retry-After', () => {
  const busy = (status: number, retryAfter: string) => new Response('busy', { status, headers: { 'retry-after': retryAfter } });

  it.each([
    ['a 503 with delta-seconds', busy(503, '120')],
    ['a 429 with an HTTP date', busy(429, new Date(Date.UTC(2026, 10, 29, 12, 2)).toUTCString())],
  ])('after %s, sends nothing before the collector asked: not the timer, a new receipt, another page or going online', async (_name, answer) => {
    seed(entry('a'));
    answers = [answer];
    const box = open_();
    const t0 = Date.now();
    await box.flush();
    expect(db().get('retry')).toEqual({ n: 1, at: t0 + 120_000, asked: 120_000 });

    // A new receipt forces a flush, which ignores the backoff but not the collector's ask.
    seed(entry('b', 1));
    void box.add({ receiptId: 'b', jws: 'h.b.s' });
    const otherPage = open_();
    await otherPage.flush(true);
    otherPage.stop();
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(120_000 - 1);
    expect(fetchMock).toHaveBeenCalledTimes(1);

    answers = [{ accepted: ['a', 'b'] }];
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(sentBodies()[1]).toEqual(['h.a.s', 'h.b.s']);
    await vi.waitFor(() => expect(db().get('retry')).toEqual({ n: 0, at: 0, asked: 0 }));
  });

  it('waits at least the backoff when the collector asks for less, and at most a day when it asks for more', async () => {
    seed(entry('a'));
    const box = open_();
    const t0 = Date.now();
    answers = [busy(503, '1')];
    await box.flush();
    const first = db().get('retry') as { at: number; asked: number };
    expect(first.at - t0).toBeGreaterThanOrEqual(2500);
    expect(first.asked).toBe(1000);

    for (const v of ['9999999999', 'Infinity', new Date(Date.UTC(2030, 0, 1)).toUTCString()]) {
      answers = [busy(503, v)];
      await vi.advanceTimersByTimeAsync((db().get('retry') as { at: number }).at - Date.now());
      expect(db().get('retry')).toMatchObject({ at: Date.now() + 864e5 });
    }
    expect(fetchMock).toHaveBeenCalledTimes(4);
  });
});
