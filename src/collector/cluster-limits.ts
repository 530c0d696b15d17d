import cluster, { type Worker } from 'node:cluster';
import { signInLimiter, type SignInLimitOptions } from './dashboard/sign-in-limit';
import { tokenBuckets, type RateLimitOptions } from './rate-limit';

/**
 * Limits shared by the workers of one cluster (`--workers N`). Each worker keeping its own token buckets
 * would give a client N × every limit, so the primary holds the one authoritative copy and the workers ask
 * it. A worker's calls made in one turn of its event loop travel as one message, and the primary answers
 * them in one message, so a busy worker pays one IPC round trip per batch of requests, not per request.
 * The primary's answer is exactly what a single process would answer (same buckets, same clock source),
 * and since it outlives its workers, a replaced worker resets nobody's limit.
 */

/** The key every message of this protocol is under (other cluster messages are left alone). */
const CHANNEL = 'consentsealLimits';
/** A batch the primary has not answered within this long fails (closed: the caller refuses the request). */
export const CLUSTER_LIMIT_TIMEOUT_MS = 2_000;

/** The limits a primary can run, by kind; their methods take a client key and return a number. */
const KINDS = {
  'token-buckets': (o: RateLimitOptions) => {
    const b = tokenBuckets(o);
    return { take: (key: string) => b.take(key) };
  },
  'sign-in': (o: SignInLimitOptions) => signInLimiter(o),
} satisfies Record<string, (o: never) => Record<string, (key: string) => number>>;
type Kind = keyof typeof KINDS;
type Options<K extends Kind> = Parameters<(typeof KINDS)[K]>[0];
type Methods<K extends Kind> = keyof ReturnType<(typeof KINDS)[K]> & string;

type Call = [name: string, method: string, key: string];
type Message =
  | { define: { name: string; kind: string; options: unknown } }
  | { id: number; calls: Call[] }
  | { id: number; results: number[] };

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Runs the shared limits in the cluster primary: call once there, before forking. A limit is created when
 * a worker first defines it and then kept for the primary's lifetime (a replaced worker's definition finds
 * it in place). Each limit keeps its own bounded client table, as in a single process.
 */
export function serveClusterLimits(): void {
  const limits = new Map<string, Record<string, (key: string) => number>>();
  cluster.on('message', (worker: Worker, raw: unknown) => {
    const m = (raw as Record<string, unknown> | null)?.[CHANNEL] as Message | undefined;
    if (typeof m !== 'object' || m === null) return;
    if ('define' in m) {
      const { name, kind, options } = m.define;
      if (!limits.has(name) && own(KINDS, kind)) limits.set(name, KINDS[kind as Kind](options as never));
      return;
    }
    if (!('calls' in m) || !Array.isArray(m.calls)) return;
    // -1 (never a wait) marks a call the primary cannot answer; the worker then fails closed.
    const results = m.calls.map(([name, method, key]) => {
      const limit = limits.get(name);
      return limit && own(limit, method) && typeof key === 'string' ? limit[method]!(key) : -1;
    });
    // A worker that died meanwhile cannot be answered; the callback keeps that from becoming an 'error' event.
    if (worker.isConnected()) worker.send({ [CHANNEL]: { id: m.id, results } }, undefined, undefined, () => undefined);
  });
}

/** The worker's side: batches calls per event-loop turn and matches the primary's answers to them. */
function workerChannel() {
  let nextId = 1;
  let queue: Array<{ call: Call; resolve: (n: number) => void; reject: (e: Error) => void }> = [];
  const waiting = new Map<number, { at: number; calls: typeof queue }>();
  let sweeper: NodeJS.Timeout | undefined;
  const failBatch = (id: number, e: Error): void => {
    const batch = waiting.get(id);
    waiting.delete(id);
    for (const c of batch?.calls ?? []) c.reject(e);
  };
  const flush = (): void => {
    const calls = queue;
    queue = [];
    const id = nextId++;
    waiting.set(id, { at: Date.now(), calls });
    // One timer for every batch in flight: a batch unanswered for too long fails (the primary is gone or stuck).
    sweeper ??= setInterval(() => {
      for (const [wid, b] of waiting) if (Date.now() - b.at > CLUSTER_LIMIT_TIMEOUT_MS) failBatch(wid, new Error('the cluster primary did not answer a limit check'));
      if (!waiting.size) {
        clearInterval(sweeper);
        sweeper = undefined;
      }
    }, 500).unref();
    try {
      process.send!({ [CHANNEL]: { id, calls: calls.map((c) => c.call) } }, undefined, {}, (e: Error | null) => {
        if (e) failBatch(id, e);
      });
    } catch (e) {
      failBatch(id, e as Error);
    }
  };
  process.on('message', (raw: unknown) => {
    const m = (raw as Record<string, unknown> | null)?.[CHANNEL] as { id?: number; results?: number[] } | undefined;
    if (!m || typeof m.id !== 'number' || !Array.isArray(m.results)) return;
    const batch = waiting.get(m.id);
    if (!batch) return;
    waiting.delete(m.id);
    batch.calls.forEach((c, i) => {
      const n = m.results![i];
      if (typeof n === 'number' && n >= 0) c.resolve(n);
      else c.reject(new Error('the cluster primary could not answer a limit check'));
    });
  });
  return {
    define(name: string, kind: Kind, options: unknown): void {
      process.send!({ [CHANNEL]: { define: { name, kind, options } } });
    },
    call(call: Call): Promise<number> {
      return new Promise((resolve, reject) => {
        // Calls made while this turn's I/O is handled leave together, after it (setImmediate).
        if (!queue.length) setImmediate(flush);
        queue.push({ call, resolve, reject });
      });
    },
  };
}

let channel: ReturnType<typeof workerChannel> | undefined;

/**
 * A limit of kind `kind` held by the cluster primary under `name` (it must run {@link serveClusterLimits});
 * every worker defining the same name shares it. Only in a cluster worker. Each method answers what the
 * primary's copy answers, or rejects (after at most {@link CLUSTER_LIMIT_TIMEOUT_MS}) when the primary
 * cannot answer: callers fail closed.
 */
export function clusterLimit<K extends Kind>(kind: K, name: string, options: Options<K>): (method: Methods<K>, key: string) => Promise<number> {
  if (!cluster.isWorker || !process.send) throw new Error('clusterLimit: only in a cluster worker');
  channel ??= workerChannel();
  channel.define(name, kind, options);
  return (method, key) => channel!.call([name, method, key]);
}
