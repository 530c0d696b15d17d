import { closeSync, fdatasync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { decide } from './chain';
import { counterDeltas } from './counters';
import { needsFolding, queryFilter, statsStatements } from './stats-query';
import type {
  AckSigner, ChainStatus, Counters, InsertOutcome, ReceiptFilter, ReceiptStore, ScannedReceipt, StatsFilter,
  StoredCollectorKey, StoredReceipt, VerifiedReceipt,
} from './types';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS receipts (
  receipt_id TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  prev TEXT,
  jws_hash TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  stored_at TEXT NOT NULL,
  action TEXT NOT NULL,
  method TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  policy_url TEXT NOT NULL,
  language TEXT NOT NULL,
  notice_hash TEXT NOT NULL,
  page TEXT NOT NULL,
  gpc INTEGER NOT NULL,
  ephemeral_key INTEGER NOT NULL,
  sdk TEXT NOT NULL,
  purposes TEXT NOT NULL,
  kid TEXT NOT NULL,
  chain_status TEXT NOT NULL,
  jws TEXT NOT NULL,
  ack TEXT NOT NULL,
  UNIQUE (subject_id, seq)
);
CREATE INDEX IF NOT EXISTS receipts_issued ON receipts (issued_at, receipt_id);
CREATE INDEX IF NOT EXISTS receipts_incomplete ON receipts (subject_id) WHERE chain_status = 'incomplete';
CREATE TABLE IF NOT EXISTS subjects (
  subject_id TEXT PRIMARY KEY,
  kid TEXT NOT NULL,
  jwk TEXT NOT NULL,
  first_seen TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS daily_counts (
  day TEXT NOT NULL, policy_version TEXT NOT NULL, language TEXT NOT NULL, action TEXT NOT NULL, gpc INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (day, policy_version, language, action, gpc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS daily_purpose_counts (
  day TEXT NOT NULL, policy_version TEXT NOT NULL, purpose TEXT NOT NULL, granted INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (day, policy_version, purpose, granted)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS collector_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  private_jwk TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

/**
 * Checkpoints the WAL from its own connection on another thread: a checkpoint copies pages and fsyncs
 * the database, which would otherwise stall the event loop inside whichever commit triggers it.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const walSize = () => { try { return statSync(workerData.path + '-wal').size; } catch { return 0; } };
// PASSIVE never waits for the writer; under a steady stream the WAL may still creep up, so past the limit
// a RESTART makes the next commit start the WAL over (and journal_size_limit truncates it). A RESTART holds
// off writers until it is done, so a PASSIVE first leaves it little to copy.
const timer = setInterval(() => {
  db.pragma('wal_checkpoint(PASSIVE)');
  if (walSize() > workerData.limit) db.pragma('wal_checkpoint(RESTART)');
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/** How long a write waits for another connection's lock before its batches fail (503, the SDK retries). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * WAL size past which the checkpointer forces a restart, and to which a restarted WAL is truncated. Each
 * forced restart stalls writers for tens of ms; at ~5,000 receipts/s (~20 KiB of WAL each) a 64 MiB limit
 * forced one every ~0.6 s and put those stalls into the p99 latency, 256 MiB makes them ~4× rarer.
 */
const WAL_LIMIT = 256 * 1024 * 1024;

/** Runs WAL checkpoints off the main thread; returns its stop function, or undefined if it cannot start. */
function startCheckpointer(path: string, onFail: () => void): (() => Promise<void>) | undefined {
  let worker: Worker;
  try {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(CHECKPOINTER, { eval: true, workerData: { driver, path, everyMs: 200, limit: WAL_LIMIT } });
  } catch {
    return undefined;
  }
  worker.unref();
  let stopped = false;
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.on('error', () => stopped || onFail());
  return async () => {
    stopped = true;
    worker.ref(); // keep the process alive until the worker has closed its connection
    worker.postMessage('stop');
    // Awaiting the one exit promise made at start: a worker that already died must not make close() wait forever.
    await exited;
  };
}

const COLUMNS = `receipt_id, subject_id, seq, prev, jws_hash, issued_at, stored_at, action, method, policy_version,
  policy_url, language, notice_hash, page, gpc, ephemeral_key, sdk, purposes, kid, chain_status, jws, ack`;

type Row = Record<string, unknown>;

const toStored = (r: Row): StoredReceipt => ({
  receiptId: r.receipt_id as string,
  subjectId: r.subject_id as string,
  seq: r.seq as number,
  prev: r.prev as string | null,
  jwsHash: r.jws_hash as string,
  issuedAt: r.issued_at as string,
  storedAt: r.stored_at as string,
  action: r.action as StoredReceipt['action'],
  method: r.method as StoredReceipt['method'],
  purposes: JSON.parse(r.purposes as string) as Record<string, boolean>,
  policyVersion: r.policy_version as string,
  policyUrl: r.policy_url as string,
  language: r.language as string,
  noticeHash: r.notice_hash as string,
  page: r.page as string,
  gpc: r.gpc === 1,
  ephemeralKey: r.ephemeral_key === 1,
  sdk: r.sdk as string,
  kid: r.kid as string,
  chainStatus: r.chain_status as ChainStatus,
  jws: r.jws as string,
  ack: r.ack as string,
});

/** Options for {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * `FULL` (default): the WAL is on disk (fdatasync) before any batch of a commit resolves, so an accepted
   * receipt survives power loss too. `NORMAL`: resolves once committed to the OS, which survives a killed
   * process but may lose the last commits on power loss.
   */
  synchronous?: 'FULL' | 'NORMAL';
}

interface Job {
  receipts: VerifiedReceipt[];
  sign: AckSigner;
  /** Countersignatures of `receipts` (same order) and the time they name, made on the job's first flush. */
  acks?: string[];
  storedAt?: string;
  resolve: (o: InsertOutcome[]) => void;
  reject: (e: unknown) => void;
}

/**
 * Opens (creating if needed) a SQLite receipt store in WAL mode. Concurrent `insertBatch` calls are
 * group-committed: every batch waiting when the writer is free goes into one transaction (each batch in
 * its own savepoint). With `FULL`, durability is what SQLite's synchronous=FULL gives (the WAL synced
 * after each commit), but the sync runs on libuv's thread pool instead of blocking the event loop:
 * SQLite commits with synchronous=NORMAL, then the promises resolve after an fdatasync of the WAL that
 * started after their commit (one sync serves every commit made while the previous one ran).
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): ReceiptStore {
  const db = new Database(path);
  // Where WAL is impossible (in memory, some network file systems) SQLite's own FULL sync does the work.
  const wal = db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  // NORMAL in WAL mode still syncs the WAL and database at each checkpoint; FULL's per-commit sync is ours (below).
  db.pragma(`synchronous = ${wal || options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  const durable = wal && options.synchronous !== 'NORMAL';
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec(SCHEMA);
  // If the checkpoint thread cannot run, commits checkpoint as usual (every 1000 pages).
  const stopCheckpointer = wal ? startCheckpointer(path, () => db.open && db.pragma('wal_autocheckpoint = 1000')) : undefined;
  if (stopCheckpointer) db.pragma('wal_autocheckpoint = 0');
  db.pragma(`journal_size_limit = ${WAL_LIMIT}`);

  const q = {
    byId: db.prepare('SELECT jws_hash, ack FROM receipts WHERE receipt_id = ?'),
    kid: db.prepare('SELECT kid FROM subjects WHERE subject_id = ?').pluck(),
    near: db.prepare('SELECT seq, receipt_id, jws_hash, prev, chain_status FROM receipts WHERE subject_id = ? AND seq BETWEEN ? AND ?'),
    // Read only when a `prev` does not match a stored hash (to check the signature twin): not on the usual path.
    jwsAt: db.prepare('SELECT jws FROM receipts WHERE subject_id = ? AND seq = ?').pluck(),
    addSubject: db.prepare('INSERT INTO subjects (subject_id, kid, jwk, first_seen) VALUES (?, ?, ?, ?)'),
    addReceipt: db.prepare(`INSERT INTO receipts (${COLUMNS}) VALUES (${COLUMNS.split(',').map(() => '?').join(', ')})`),
    complete: db.prepare("UPDATE receipts SET chain_status = 'complete' WHERE subject_id = ? AND seq = ? AND chain_status = 'incomplete'"),
    daily: db.prepare(`INSERT INTO daily_counts (day, policy_version, language, action, gpc, n) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (day, policy_version, language, action, gpc) DO UPDATE SET n = n + excluded.n`),
    purpose: db.prepare(`INSERT INTO daily_purpose_counts (day, policy_version, purpose, granted, n) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (day, policy_version, purpose, granted) DO UPDATE SET n = n + excluded.n`),
    incomplete: db.prepare("SELECT count(*) AS n FROM receipts WHERE chain_status = 'incomplete'").pluck(),
    getKey: db.prepare('SELECT private_jwk, created_at FROM collector_key WHERE id = 1'),
    putKey: db.prepare('INSERT OR IGNORE INTO collector_key (id, private_jwk, created_at) VALUES (1, ?, ?)'),
    scan: db.prepare(`SELECT r.*, s.kid AS bound_kid FROM receipts r LEFT JOIN subjects s ON s.subject_id = r.subject_id
      WHERE (r.subject_id, r.seq) > (?, ?) ORDER BY r.subject_id, r.seq LIMIT ?`),
    subject: db.prepare(`SELECT r.*, s.kid AS bound_kid FROM receipts r LEFT JOIN subjects s ON s.subject_id = r.subject_id
      WHERE r.subject_id = ? AND r.seq > ? ORDER BY r.seq LIMIT ?`),
  };
  type SeqRow = { seq: number; receipt_id: string; jws_hash: string; prev: string | null; chain_status: ChainStatus };

  /**
   * One request's batch; nested inside the flush transaction, so better-sqlite3 runs it in a savepoint.
   * `acks[i]` is the countersignature of `receipts[i]`, made before the write lock was taken.
   */
  const storeBatch = db.transaction((receipts: VerifiedReceipt[], acks: string[], storedAt: string) => {
    const outcomes: InsertOutcome[] = [];
    const accepted: VerifiedReceipt[] = [];
    receipts.forEach((r, i) => {
      const { receiptId, subjectId, seq } = r.payload;
      const byId = q.byId.get(receiptId) as { jws_hash: string; ack: string } | undefined;
      const boundKid = byId ? undefined : (q.kid.get(subjectId) as string | undefined);
      let same: SeqRow | undefined, pred: SeqRow | undefined, succ: SeqRow | undefined;
      // A subject row is written with its first receipt, so a subject without one has no receipts to look at.
      if (boundKid !== undefined) {
        for (const row of q.near.all(subjectId, seq - 1, seq + 1) as SeqRow[]) {
          if (row.seq === seq) same = row;
          else if (row.seq < seq) pred = row;
          else succ = row;
        }
      }
      const d = decide(r, {
        byId: byId && { jwsHash: byId.jws_hash, ack: byId.ack },
        boundKid,
        atSeq: same && { receiptId: same.receipt_id },
        pred: pred && { jwsHash: pred.jws_hash, chainStatus: pred.chain_status, jws: () => q.jwsAt.get(subjectId, seq - 1) as string | undefined },
        succ: succ && { prev: succ.prev },
      });
      if (d.status === 'duplicate') outcomes.push({ status: 'duplicate', receiptId, ack: d.ack });
      else if (d.status === 'rejected') outcomes.push(d);
      else {
        if (boundKid === undefined) q.addSubject.run(subjectId, r.kid, JSON.stringify(r.jwk), storedAt);
        const ack = acks[i]!;
        const p = r.payload;
        q.addReceipt.run(
          receiptId, subjectId, seq, p.prev, r.jwsHash, r.issuedAtUtc, storedAt, p.action, p.method, p.policyVersion,
          p.policyUrl, p.language, p.noticeHash, p.page, p.gpc ? 1 : 0, p.ephemeralKey ? 1 : 0, p.sdk,
          JSON.stringify(p.purposes), r.kid, d.chainStatus, r.jws, ack,
        );
        // Links were checked both ways on insert, so a run of consecutive seqs after a complete one is complete.
        if (d.chainStatus === 'complete') for (let s = seq + 1; q.complete.run(subjectId, s).changes > 0; s++);
        accepted.push(r);
        outcomes.push({ status: 'accepted', receiptId, ack, chainStatus: d.chainStatus });
      }
    });
    return { outcomes, accepted };
  });

  const applyCounters = (c: Counters): void => {
    for (const r of c.daily) q.daily.run(r.day, r.policyVersion, r.language, r.action, r.gpc ? 1 : 0, r.n);
    for (const r of c.purposes) q.purpose.run(r.day, r.policyVersion, r.purpose, r.granted ? 1 : 0, r.n);
  };

  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const setBusyTimeout = (ms: number): void => void db.pragma(`busy_timeout = ${ms}`);

  let queue: Job[] = [];
  let scheduled = false;
  /** When the write lock was first found busy for the jobs now waiting (undefined: it was not). */
  let busySince: number | undefined;
  const schedule = (delayMs = 0): void => {
    if (scheduled) return;
    scheduled = true;
    if (delayMs) setTimeout(flush, delayMs);
    else setImmediate(flush);
  };

  const flush = (): void => {
    scheduled = false;
    const jobs = queue;
    queue = [];
    if (!jobs.length) return;
    // Countersigning is as costly as a signature check: doing it before taking the write lock keeps the
    // lock short, so a second collector process on this file waits less. A job keeps its acks and storedAt
    // if the lock is busy and it waits for the next try.
    for (const job of jobs) {
      if (job.acks) continue;
      job.storedAt = new Date().toISOString();
      job.acks = job.receipts.map((r) => job.sign(r, job.storedAt!));
    }
    // Take the write lock without SQLite's busy handler, which sleeps on the event loop: while another
    // process holds the lock, this one goes on verifying requests (their batches join this commit) and tries again.
    try {
      setBusyTimeout(0);
      begin.run();
    } catch (e) {
      const busy = String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY');
      if (busy && Date.now() - (busySince ??= Date.now()) < BUSY_TIMEOUT_MS) {
        queue = jobs.concat(queue);
        return schedule(1);
      }
      busySince = undefined;
      for (const job of jobs) job.reject(e);
      return;
    } finally {
      setBusyTimeout(BUSY_TIMEOUT_MS);
    }
    busySince = undefined;
    const results: Array<InsertOutcome[] | Error> = [];
    try {
      const accepted: VerifiedReceipt[] = [];
      for (const job of jobs) {
        try {
          const res = storeBatch(job.receipts, job.acks!, job.storedAt!);
          accepted.push(...res.accepted);
          results.push(res.outcomes);
        } catch (e) {
          results.push(e instanceof Error ? e : new Error(String(e)));
        }
      }
      applyCounters(counterDeltas(accepted));
      commit.run();
    } catch (e) {
      if (db.inTransaction) rollback.run();
      for (const job of jobs) job.reject(e);
      return;
    }
    const settle = (syncError?: unknown): void =>
      jobs.forEach((job, i) => {
        const r = results[i]!;
        if (syncError || r instanceof Error) job.reject(syncError ?? r);
        else job.resolve(r);
      });
    if (durable) afterWalSync(settle);
    else settle();
  };

  // Generation counting: a sync covers every commit made before it started.
  let walFd: number | undefined;
  let committed = 0;
  let syncing = false;
  const waiting: Array<{ gen: number; done: (e?: unknown) => void }> = [];
  const afterWalSync = (done: (e?: unknown) => void): void => {
    waiting.push({ gen: ++committed, done });
    syncWal();
  };
  const syncWal = (): void => {
    if (syncing || !waiting.length) return;
    try {
      walFd ??= openSync(`${path}-wal`, 'r');
    } catch (e) {
      for (const w of waiting.splice(0)) w.done(e);
      return;
    }
    syncing = true;
    const upTo = committed;
    fdatasync(walFd, (e) => {
      syncing = false;
      const ready = waiting.filter((w) => w.gen <= upTo);
      waiting.splice(0, ready.length);
      for (const w of ready) w.done(e ?? undefined);
      syncWal();
    });
  };

  const list = (filter: ReceiptFilter, limit: number, after?: { issuedAt: string; receiptId: string }): StoredReceipt[] => {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.subjectId !== undefined) where.push('subject_id = ?'), args.push(filter.subjectId);
    if (filter.receiptId !== undefined) where.push('receipt_id = ?'), args.push(filter.receiptId);
    if (filter.from !== undefined) where.push('issued_at >= ?'), args.push(filter.from);
    if (filter.to !== undefined) where.push('issued_at < ?'), args.push(filter.to);
    if (after) where.push('(issued_at, receipt_id) > (?, ?)'), args.push(after.issuedAt, after.receiptId);
    const sql = `SELECT ${COLUMNS} FROM receipts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY issued_at, receipt_id LIMIT ?`;
    return (db.prepare(sql).all(...args, limit) as Row[]).map(toStored);
  };

  const readCounters = (filter: StatsFilter = {}): Counters => {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.from !== undefined) where.push('day >= ?'), args.push(filter.from);
    if (filter.to !== undefined) where.push('day <= ?'), args.push(filter.to);
    if (filter.policyVersion !== undefined) where.push('policy_version = ?'), args.push(filter.policyVersion);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const daily = db.prepare(`SELECT day, policy_version, language, action, gpc, n FROM daily_counts ${w}`).all(...args) as Row[];
    const purposes = db.prepare(`SELECT day, policy_version, purpose, granted, n FROM daily_purpose_counts ${w}`).all(...args) as Row[];
    return {
      daily: daily.map((r) => ({
        day: r.day as string, policyVersion: r.policy_version as string, language: r.language as string,
        action: r.action as StoredReceipt['action'], gpc: r.gpc === 1, n: r.n as number,
      })),
      purposes: purposes.map((r) => ({
        day: r.day as string, policyVersion: r.policy_version as string, purpose: r.purpose as string,
        granted: r.granted === 1, n: r.n as number,
      })),
    };
  };

  let closed = false;
  return {
    kind: 'sqlite',
    insertBatch(receipts, sign) {
      if (closed) return Promise.reject(new Error('store is closed'));
      if (receipts.length === 0) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        queue.push({ receipts, sign, resolve, reject });
        schedule();
      });
    },
    async listReceipts(filter, page = {}) {
      return list(filter, page.limit ?? 1000, page.after);
    },
    async *exportReceipts(filter) {
      let after: { issuedAt: string; receiptId: string } | undefined;
      for (;;) {
        const rows = list(filter, 1000, after);
        yield* rows;
        if (rows.length < 1000) return;
        const last = rows[rows.length - 1]!;
        after = { issuedAt: last.issuedAt, receiptId: last.receiptId };
      }
    },
    async *scanAll() {
      let cursor: [string, number] = ['', 0];
      for (;;) {
        const rows = q.scan.all(cursor[0], cursor[1], 1000) as Row[];
        for (const r of rows) yield { ...toStored(r), boundKid: (r.bound_kid as string | null) ?? null } satisfies ScannedReceipt;
        if (rows.length < 1000) return;
        const last = rows[rows.length - 1]!;
        cursor = [last.subject_id as string, last.seq as number];
      }
    },
    async subjectReceipts(subjectId, page = {}) {
      const rows = q.subject.all(subjectId, page.afterSeq ?? 0, page.limit ?? 1000) as Row[];
      return rows.map((r) => ({ ...toStored(r), boundKid: (r.bound_kid as string | null) ?? null }));
    },
    async counters(filter) {
      return readCounters(filter);
    },
    async foldedCounters(query) {
      const st = statsStatements('sqlite', query);
      const d = db.prepare(st.distinct.text).get(st.distinct.values) as Row;
      const distinct = { policyVersions: d.versions as number, languages: d.languages as number, purposes: d.purposes as number };
      if (!needsFolding(distinct, query.limits)) return { ...readCounters(queryFilter(query)), distinct };
      const daily = db.prepare(st.daily.text).all(st.daily.values) as Row[];
      const purposes = db.prepare(st.purposes.text).all(st.purposes.values) as Row[];
      return {
        daily: daily.map((r) => ({
          day: r.day as string, policyVersion: r.version as string, language: r.lang as string,
          action: r.action as StoredReceipt['action'], gpc: r.gpc === 1, n: r.n as number,
        })),
        purposes: purposes.map((r) => ({
          day: r.day as string, policyVersion: r.version as string, purpose: r.purpose_id as string, granted: r.granted === 1, n: r.n as number,
        })),
        distinct,
      };
    },
    async countIncomplete() {
      return q.incomplete.get() as number;
    },
    async purgeSubjects(cutoff, options = {}) {
      if (closed) throw new Error('store is closed');
      const chunk = options.chunk ?? 500;
      const inactive = `GROUP BY subject_id HAVING max(issued_at) < @cutoff AND max(stored_at) < @cutoff`;
      const candidates = db.prepare(`SELECT subject_id FROM receipts WHERE subject_id > @after ${inactive} ORDER BY subject_id LIMIT @chunk`).pluck();
      const ids = `SELECT value FROM json_each(@ids)`;
      const recheck = db.prepare(`SELECT subject_id FROM receipts WHERE subject_id IN (${ids}) ${inactive}`).pluck();
      const counted = db.prepare(`SELECT issued_at, policy_version, language, action, gpc, purposes FROM receipts WHERE subject_id IN (${ids})`);
      const dropReceipts = db.prepare(`DELETE FROM receipts WHERE subject_id IN (${ids})`);
      const dropSubjects = db.prepare(`DELETE FROM subjects WHERE subject_id IN (${ids})`);
      const dailyKey = 'day = ? AND policy_version = ? AND language = ? AND action = ? AND gpc = ?';
      const purposeKey = 'day = ? AND policy_version = ? AND purpose = ? AND granted = ?';
      const lessDaily = db.prepare(`UPDATE daily_counts SET n = n - ? WHERE ${dailyKey}`);
      const emptyDaily = db.prepare(`DELETE FROM daily_counts WHERE ${dailyKey} AND n <= 0`);
      const lessPurpose = db.prepare(`UPDATE daily_purpose_counts SET n = n - ? WHERE ${purposeKey}`);
      const emptyPurpose = db.prepare(`DELETE FROM daily_purpose_counts WHERE ${purposeKey} AND n <= 0`);
      // Re-checked under the write lock: a receipt stored since the candidates were read keeps its subject.
      const purgeChunk = db.transaction((candidateIds: string[]) => {
        const gone = recheck.all({ ids: JSON.stringify(candidateIds), cutoff }) as string[];
        const list = JSON.stringify(gone);
        const rows = counted.all({ ids: list }) as Row[];
        const deltas = counterDeltas(
          rows.map((r) => ({
            issuedAtUtc: r.issued_at as string,
            payload: {
              policyVersion: r.policy_version as string, language: r.language as string, action: r.action as StoredReceipt['action'],
              gpc: r.gpc === 1, purposes: JSON.parse(r.purposes as string) as Record<string, boolean>,
            },
          })),
        );
        dropReceipts.run({ ids: list });
        dropSubjects.run({ ids: list });
        for (const d of deltas.daily) {
          const key = [d.day, d.policyVersion, d.language, d.action, d.gpc ? 1 : 0];
          lessDaily.run(d.n, ...key);
          emptyDaily.run(...key);
        }
        for (const d of deltas.purposes) {
          const key = [d.day, d.policyVersion, d.purpose, d.granted ? 1 : 0];
          lessPurpose.run(d.n, ...key);
          emptyPurpose.run(...key);
        }
        return { subjects: gone.length, receipts: rows.length };
      });
      // Deleted rows are overwritten with zeros, not just unlinked: purged personal data must not linger in free pages.
      const secure = db.pragma('secure_delete', { simple: true }) as number;
      db.pragma('secure_delete = ON');
      const total = { subjects: 0, receipts: 0 };
      try {
        for (let after = ''; ; ) {
          const batch = candidates.all({ after, cutoff, chunk }) as string[];
          if (!batch.length) return total;
          after = batch[batch.length - 1]!;
          const done = purgeChunk.immediate(batch);
          total.subjects += done.subjects;
          total.receipts += done.receipts;
          // Between chunks, a collector sharing this process gets to store what arrived meanwhile.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        db.pragma(`secure_delete = ${secure}`);
      }
    },
    async reclaimSpace() {
      if (closed) throw new Error('store is closed');
      const bytes = (file: string): number => {
        try {
          return statSync(file).size;
        } catch {
          return 0;
        }
      };
      const size = (): number => bytes(path) + bytes(`${path}-wal`);
      // TRUNCATE copies the WAL into the file and empties it: until then VACUUM's new copy of the file sits in the
      // WAL beside the old one. It answers busy at once while the checkpoint thread (or another process) is
      // checkpointing, so it is tried again for up to the busy timeout.
      const checkpoint = async (): Promise<void> => {
        const until = Date.now() + BUSY_TIMEOUT_MS;
        while (wal && (db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>)[0]?.busy && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      await checkpoint();
      const before = size();
      // Never inside a transaction: storeBatch and purge chunks each begin and commit within one synchronous call.
      db.exec('VACUUM');
      await checkpoint();
      return { before, after: size() };
    },
    async collectorKey(generate) {
      const read = () => q.getKey.get() as { private_jwk: string; created_at: string } | undefined;
      let row = read();
      if (!row) {
        const k = generate();
        q.putKey.run(JSON.stringify(k.privateJwk), k.createdAt);
        row = read()!;
      }
      return { privateJwk: JSON.parse(row.private_jwk) as StoredCollectorKey['privateJwk'], createdAt: row.created_at };
    },
    async close() {
      if (closed) return;
      closed = true;
      // Batches already queued (or waiting for another process's lock) are still stored and answered.
      while (queue.length || syncing || waiting.length) {
        if (queue.length && !scheduled) flush();
        await new Promise((r) => setTimeout(r, 1));
      }
      await stopCheckpointer?.();
      db.close();
      if (walFd !== undefined) closeSync(walFd);
    },
  };
}
