import pg from 'pg';
import { decide } from './chain';
import { counterDeltas } from './counters';
import { needsFolding, queryFilter, statsStatements } from './stats-query';
import type {
  AckSigner, ChainStatus, Counters, InsertOutcome, PurgeResult, ReceiptFilter, ReceiptStore, ScannedReceipt, StatsFilter,
  StoredCollectorKey, StoredReceipt, VerifiedReceipt,
} from './types';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS receipts (
  receipt_id text PRIMARY KEY,
  subject_id text NOT NULL,
  seq integer NOT NULL,
  prev text,
  jws_hash text NOT NULL,
  issued_at timestamptz NOT NULL,
  stored_at timestamptz NOT NULL,
  action text NOT NULL,
  method text NOT NULL,
  policy_version text NOT NULL,
  policy_url text NOT NULL,
  language text NOT NULL,
  notice_hash text NOT NULL,
  page text NOT NULL,
  gpc boolean NOT NULL,
  ephemeral_key boolean NOT NULL,
  sdk text NOT NULL,
  purposes jsonb NOT NULL,
  kid text NOT NULL,
  chain_status text NOT NULL,
  jws text NOT NULL,
  ack text NOT NULL,
  UNIQUE (subject_id, seq)
);
CREATE INDEX IF NOT EXISTS receipts_issued ON receipts (issued_at, receipt_id);
CREATE INDEX IF NOT EXISTS receipts_incomplete ON receipts (subject_id) WHERE chain_status = 'incomplete';
CREATE TABLE IF NOT EXISTS subjects (
  subject_id text PRIMARY KEY,
  kid text NOT NULL,
  jwk jsonb NOT NULL,
  first_seen timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS daily_counts (
  day text NOT NULL, policy_version text NOT NULL, language text NOT NULL, action text NOT NULL, gpc boolean NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (day, policy_version, language, action, gpc)
);
CREATE TABLE IF NOT EXISTS daily_purpose_counts (
  day text NOT NULL, policy_version text NOT NULL, purpose text NOT NULL, granted boolean NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (day, policy_version, purpose, granted)
);
CREATE TABLE IF NOT EXISTS collector_key (
  id integer PRIMARY KEY CHECK (id = 1),
  private_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
`;

const COLUMNS = `receipt_id, subject_id, seq, prev, jws_hash, issued_at, stored_at, action, method, policy_version,
  policy_url, language, notice_hash, page, gpc, ephemeral_key, sdk, purposes, kid, chain_status, jws, ack`;
/** Any id for the advisory lock that serialises schema creation between collectors starting together. */
const MIGRATION_LOCK = 0x636f6e73;
const RETRYABLE = new Set(['40P01', '40001', 'RETRY']);
/** Receipts per group transaction, and groups written at once by one collector. */
const MAX_GROUP = 1000;
const GROUPS_IN_FLIGHT = 2;

interface Item {
  r: VerifiedReceipt;
  sign: AckSigner;
}
interface Job {
  receipts: VerifiedReceipt[];
  sign: AckSigner;
  resolve: (o: InsertOutcome[]) => void;
  reject: (e: unknown) => void;
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(v as string).toISOString());

const toStored = (r: Row): StoredReceipt => ({
  receiptId: r.receipt_id as string,
  subjectId: r.subject_id as string,
  seq: r.seq as number,
  prev: r.prev as string | null,
  jwsHash: r.jws_hash as string,
  issuedAt: iso(r.issued_at),
  storedAt: iso(r.stored_at),
  action: r.action as StoredReceipt['action'],
  method: r.method as StoredReceipt['method'],
  purposes: r.purposes as Record<string, boolean>,
  policyVersion: r.policy_version as string,
  policyUrl: r.policy_url as string,
  language: r.language as string,
  noticeHash: r.notice_hash as string,
  page: r.page as string,
  gpc: r.gpc as boolean,
  ephemeralKey: r.ephemeral_key as boolean,
  sdk: r.sdk as string,
  kid: r.kid as string,
  chainStatus: r.chain_status as ChainStatus,
  jws: r.jws as string,
  ack: r.ack as string,
});

/** Options for {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Schema to create and use (default: the connection's search_path, usually `public`). */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
}

/**
 * Opens a PostgreSQL receipt store (creating its tables if needed). Batches are group-committed: the batches
 * waiting when a writer is free share one transaction with set-based reads and writes. Several collectors
 * may share one database: each transaction takes advisory locks on its subjects (in a fixed order), so chain
 * and key-binding checks see a consistent subject, and upserts counters in a fixed order.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<ReceiptStore> {
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('postgres schema: must match [a-z_][a-z0-9_]*');
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  // An idle client losing its connection must not crash the collector; the next query reconnects.
  pool.on('error', (e) => console.error(`consentseal-collector: postgres: ${e.message}`));
  const init = await pool.connect();
  try {
    await init.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      if (schema) await init.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await init.query(SCHEMA);
    } finally {
      await init.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (e) {
    init.release();
    await pool.end();
    throw e;
  }
  init.release();

  /** Stores one group of receipts (every batch waiting) with set-based reads and writes, in order. */
  const storeGroup = async (c: pg.PoolClient, items: Item[]): Promise<InsertOutcome[]> => {
    const storedAt = new Date().toISOString();
    const subjects = [...new Set(items.map((i) => i.r.payload.subjectId))];
    await c.query(
      'SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT hashtextextended(s, 0) AS k FROM unnest($1::text[]) AS s ORDER BY 1) t',
      [subjects],
    );
    const byId = new Map<string, { jwsHash: string; ack: string }>();
    for (const row of (await c.query('SELECT receipt_id, jws_hash, ack FROM receipts WHERE receipt_id = ANY($1::text[])', [items.map((i) => i.r.payload.receiptId)])).rows as Row[]) {
      byId.set(row.receipt_id as string, { jwsHash: row.jws_hash as string, ack: row.ack as string });
    }
    const kids = new Map<string, string>();
    for (const row of (await c.query('SELECT subject_id, kid FROM subjects WHERE subject_id = ANY($1::text[])', [subjects])).rows as Row[]) {
      kids.set(row.subject_id as string, row.kid as string);
    }
    // The neighbours (seq − 1, seq, seq + 1) of every receipt whose subject already exists.
    /** `jws` is known for receipts of this group, and read below for a stored one a `prev` does not match. */
    type Near = { receiptId: string; jwsHash: string; prev: string | null; chainStatus: ChainStatus; jws?: string };
    const near = new Map<string, Near>();
    const key = (subject: string, seq: number): string => `${subject} ${seq}`;
    const wantS: string[] = [];
    const wantQ: number[] = [];
    for (const { r } of items) {
      if (!kids.has(r.payload.subjectId)) continue;
      for (const q of [r.payload.seq - 1, r.payload.seq, r.payload.seq + 1]) wantS.push(r.payload.subjectId), wantQ.push(q);
    }
    if (wantS.length) {
      const { rows } = await c.query(
        `SELECT r.subject_id, r.seq, r.receipt_id, r.jws_hash, r.prev, r.chain_status
         FROM receipts r JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::int[]) AS k(s, q)) k ON r.subject_id = k.s AND r.seq = k.q`,
        [wantS, wantQ],
      );
      for (const row of rows as Row[]) {
        near.set(key(row.subject_id as string, row.seq as number), {
          receiptId: row.receipt_id as string, jwsHash: row.jws_hash as string, prev: row.prev as string | null, chainStatus: row.chain_status as ChainStatus,
        });
      }
    }
    // A `prev` that does not match its stored predecessor's hash may still name the predecessor's signature twin
    // (see `linksTo`): only then is that JWS read, in one query. Stored rows at seq − 1 cannot change within the
    // group (a receipt for a taken seq is rejected), so this is every such read the loop below can need.
    const mismatched = new Map<string, Near>();
    for (const { r } of items) {
      const pred = near.get(key(r.payload.subjectId, r.payload.seq - 1));
      if (pred && pred.jwsHash !== r.payload.prev) mismatched.set(pred.receiptId, pred);
    }
    if (mismatched.size) {
      const { rows } = await c.query('SELECT receipt_id, jws FROM receipts WHERE receipt_id = ANY($1::text[])', [[...mismatched.keys()]]);
      for (const row of rows as Row[]) mismatched.get(row.receipt_id as string)!.jws = row.jws as string;
    }
    const outcomes: InsertOutcome[] = [];
    const accepted: VerifiedReceipt[] = [];
    const acks: string[] = [];
    const statuses: Near[] = [];
    const newSubjects: VerifiedReceipt[] = [];
    const propagate: Array<[string, number]> = [];
    for (const { r, sign } of items) {
      const { receiptId, subjectId, seq } = r.payload;
      const same = near.get(key(subjectId, seq));
      const pred = near.get(key(subjectId, seq - 1));
      const d = decide(r, {
        byId: byId.get(receiptId),
        boundKid: kids.get(subjectId),
        atSeq: same && { receiptId: same.receiptId },
        pred: pred && { jwsHash: pred.jwsHash, chainStatus: pred.chainStatus, jws: () => pred.jws },
        succ: near.get(key(subjectId, seq + 1)),
      });
      if (d.status === 'duplicate') outcomes.push({ status: 'duplicate', receiptId, ack: d.ack });
      else if (d.status === 'rejected') outcomes.push(d);
      else {
        if (!kids.has(subjectId)) kids.set(subjectId, r.kid), newSubjects.push(r);
        const ack = sign(r, storedAt);
        const entry: Near = { receiptId, jwsHash: r.jwsHash, prev: r.payload.prev, chainStatus: d.chainStatus, jws: r.jws };
        byId.set(receiptId, { jwsHash: r.jwsHash, ack });
        near.set(key(subjectId, seq), entry);
        if (d.chainStatus === 'complete' && near.has(key(subjectId, seq + 1))) {
          // Complete the known successors now (later receipts of this group see it); the database catches up below.
          for (let s = seq + 1, n = near.get(key(subjectId, s)); n && n.chainStatus === 'incomplete'; n = near.get(key(subjectId, ++s))) n.chainStatus = 'complete';
          propagate.push([subjectId, seq + 1]);
        }
        accepted.push(r);
        acks.push(ack);
        statuses.push(entry);
        outcomes.push({ status: 'accepted', receiptId, ack, chainStatus: d.chainStatus });
      }
    }
    if (newSubjects.length) {
      await c.query(
        `INSERT INTO subjects (subject_id, kid, jwk, first_seen)
         SELECT s, k, j, $4::timestamptz FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS t(s, k, j) ON CONFLICT DO NOTHING`,
        [newSubjects.map((r) => r.payload.subjectId), newSubjects.map((r) => r.kid), newSubjects.map((r) => JSON.stringify(r.jwk)), storedAt],
      );
    }
    if (accepted.length) {
      const col = <T>(f: (r: VerifiedReceipt, i: number) => T): T[] => accepted.map(f);
      const ins = await c.query(
        `INSERT INTO receipts (${COLUMNS})
         SELECT a, b, c, d, e, f, $7::timestamptz, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::timestamptz[], $8::text[], $9::text[], $10::text[],
                     $11::text[], $12::text[], $13::text[], $14::text[], $15::boolean[], $16::boolean[], $17::text[], $18::jsonb[],
                     $19::text[], $20::text[], $21::text[], $22::text[])
           AS x(a, b, c, d, e, f, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v)
         ON CONFLICT DO NOTHING`,
        [
          col((r) => r.payload.receiptId), col((r) => r.payload.subjectId), col((r) => r.payload.seq), col((r) => r.payload.prev),
          col((r) => r.jwsHash), col((r) => r.issuedAtUtc), storedAt, col((r) => r.payload.action), col((r) => r.payload.method),
          col((r) => r.payload.policyVersion), col((r) => r.payload.policyUrl), col((r) => r.payload.language), col((r) => r.payload.noticeHash),
          col((r) => r.payload.page), col((r) => r.payload.gpc), col((r) => r.payload.ephemeralKey), col((r) => r.payload.sdk),
          col((r) => JSON.stringify(r.payload.purposes)), col((r) => r.kid), col((_, i) => statuses[i]!.chainStatus), col((r) => r.jws),
          col((_, i) => acks[i]!),
        ],
      );
      // Another collector stored one of these receipt ids (for another subject) since we read: start over.
      if (ins.rowCount !== accepted.length) throw Object.assign(new Error('concurrent receiptId'), { code: 'RETRY' });
    }
    // Walk the run of consecutive seqs after each filled gap (rows of this group may already say complete).
    for (const [subjectId, from] of propagate) {
      for (let s = from; ; s++) {
        const u = await c.query("UPDATE receipts SET chain_status = 'complete' WHERE subject_id = $1 AND seq = $2", [subjectId, s]);
        if (!u.rowCount) break;
      }
    }
    const deltas = counterDeltas(accepted);
    if (deltas.daily.length) {
      const d = deltas.daily;
      await c.query(
        `INSERT INTO daily_counts (day, policy_version, language, action, gpc, n)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[])
         ON CONFLICT (day, policy_version, language, action, gpc) DO UPDATE SET n = daily_counts.n + excluded.n`,
        [d.map((r) => r.day), d.map((r) => r.policyVersion), d.map((r) => r.language), d.map((r) => r.action), d.map((r) => r.gpc), d.map((r) => r.n)],
      );
      const pr = deltas.purposes;
      await c.query(
        `INSERT INTO daily_purpose_counts (day, policy_version, purpose, granted, n)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::bigint[])
         ON CONFLICT (day, policy_version, purpose, granted) DO UPDATE SET n = daily_purpose_counts.n + excluded.n`,
        [pr.map((r) => r.day), pr.map((r) => r.policyVersion), pr.map((r) => r.purpose), pr.map((r) => r.granted), pr.map((r) => r.n)],
      );
    }
    return outcomes;
  };

  /** Runs a group in one transaction, retrying on deadlock, serialisation failure or a receiptId race. */
  const runGroup = async (items: Item[]): Promise<InsertOutcome[]> => {
    for (let attempt = 1; ; attempt++) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await storeGroup(c, items);
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        if (attempt >= 5 || !RETRYABLE.has((e as { code?: string }).code ?? '')) throw e;
      } finally {
        c.release();
      }
    }
  };

  // Group commit: batches that arrive while a group is being written go together into the next one.
  let queue: Job[] = [];
  let inFlight = 0;
  const pump = (): void => {
    while (inFlight < GROUPS_IN_FLIGHT && queue.length) {
      let n = 0;
      let take = 0;
      while (take < queue.length && (take === 0 || n + queue[take]!.receipts.length <= MAX_GROUP)) n += queue[take++]!.receipts.length;
      const jobs = queue.slice(0, take);
      queue = queue.slice(take);
      inFlight++;
      runGroup(jobs.flatMap((j) => j.receipts.map((r) => ({ r, sign: j.sign })))).then(
        (out) => {
          let at = 0;
          for (const j of jobs) j.resolve(out.slice(at, (at += j.receipts.length)));
        },
        (e: unknown) => {
          for (const j of jobs) j.reject(e);
        },
      ).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  const list = async (filter: ReceiptFilter, limit: number, after?: { issuedAt: string; receiptId: string }): Promise<StoredReceipt[]> => {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown): string => (args.push(v), `$${args.length}`);
    if (filter.subjectId !== undefined) where.push(`subject_id = ${arg(filter.subjectId)}`);
    if (filter.receiptId !== undefined) where.push(`receipt_id = ${arg(filter.receiptId)}`);
    if (filter.from !== undefined) where.push(`issued_at >= ${arg(filter.from)}::timestamptz`);
    if (filter.to !== undefined) where.push(`issued_at < ${arg(filter.to)}::timestamptz`);
    if (after) where.push(`(issued_at, receipt_id) > (${arg(after.issuedAt)}::timestamptz, ${arg(after.receiptId)})`);
    const sql = `SELECT ${COLUMNS} FROM receipts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY issued_at, receipt_id LIMIT ${arg(limit)}`;
    return (await pool.query(sql, args)).rows.map(toStored);
  };

  const readCounters = async (filter: StatsFilter = {}): Promise<Counters> => {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.from !== undefined) args.push(filter.from), where.push(`day >= $${args.length}`);
    if (filter.to !== undefined) args.push(filter.to), where.push(`day <= $${args.length}`);
    if (filter.policyVersion !== undefined) args.push(filter.policyVersion), where.push(`policy_version = $${args.length}`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [daily, purposes] = await Promise.all([
      pool.query(`SELECT day, policy_version, language, action, gpc, n FROM daily_counts ${w}`, args),
      pool.query(`SELECT day, policy_version, purpose, granted, n FROM daily_purpose_counts ${w}`, args),
    ]);
    return {
      daily: (daily.rows as Row[]).map((r) => ({
        day: r.day as string, policyVersion: r.policy_version as string, language: r.language as string,
        action: r.action as StoredReceipt['action'], gpc: r.gpc as boolean, n: Number(r.n),
      })),
      purposes: (purposes.rows as Row[]).map((r) => ({
        day: r.day as string, policyVersion: r.policy_version as string, purpose: r.purpose as string,
        granted: r.granted as boolean, n: Number(r.n),
      })),
    };
  };

  let closed = false;
  return {
    kind: 'postgres',
    insertBatch(receipts, sign) {
      if (closed) return Promise.reject(new Error('store is closed'));
      if (receipts.length === 0) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        queue.push({ receipts, sign, resolve, reject });
        pump();
      });
    },
    listReceipts: (filter, page = {}) => list(filter, page.limit ?? 1000, page.after),
    async *exportReceipts(filter) {
      let after: { issuedAt: string; receiptId: string } | undefined;
      for (;;) {
        const rows = await list(filter, 1000, after);
        yield* rows;
        if (rows.length < 1000) return;
        const last = rows[rows.length - 1]!;
        after = { issuedAt: last.issuedAt, receiptId: last.receiptId };
      }
    },
    async *scanAll() {
      let cursor: [string, number] = ['', 0];
      for (;;) {
        const { rows } = await pool.query(
          `SELECT r.*, s.kid AS bound_kid FROM receipts r LEFT JOIN subjects s ON s.subject_id = r.subject_id
           WHERE (r.subject_id, r.seq) > ($1, $2) ORDER BY r.subject_id, r.seq LIMIT 1000`,
          cursor,
        );
        for (const r of rows as Row[]) yield { ...toStored(r), boundKid: (r.bound_kid as string | null) ?? null } satisfies ScannedReceipt;
        if (rows.length < 1000) return;
        const last = rows[rows.length - 1] as Row;
        cursor = [last.subject_id as string, last.seq as number];
      }
    },
    async subjectReceipts(subjectId, page = {}) {
      const { rows } = await pool.query(
        `SELECT r.*, s.kid AS bound_kid FROM receipts r LEFT JOIN subjects s ON s.subject_id = r.subject_id
         WHERE r.subject_id = $1 AND r.seq > $2 ORDER BY r.seq LIMIT $3`,
        [subjectId, page.afterSeq ?? 0, page.limit ?? 1000],
      );
      return (rows as Row[]).map((r) => ({ ...toStored(r), boundKid: (r.bound_kid as string | null) ?? null }));
    },
    counters: readCounters,
    async foldedCounters(query) {
      const st = statsStatements('postgres', query);
      const run = (s: { text: string; values: unknown }) => pool.query(s.text, s.values as unknown[]);
      const d = (await run(st.distinct)).rows[0] as Row;
      const distinct = { policyVersions: Number(d.versions), languages: Number(d.languages), purposes: Number(d.purposes) };
      if (!needsFolding(distinct, query.limits)) return { ...(await readCounters(queryFilter(query))), distinct };
      const [daily, purposes] = await Promise.all([run(st.daily), run(st.purposes)]);
      return {
        daily: (daily.rows as Row[]).map((r) => ({
          day: r.day as string, policyVersion: r.version as string, language: r.lang as string,
          action: r.action as StoredReceipt['action'], gpc: r.gpc as boolean, n: Number(r.n),
        })),
        purposes: (purposes.rows as Row[]).map((r) => ({
          day: r.day as string, policyVersion: r.version as string, purpose: r.purpose_id as string, granted: r.granted as boolean, n: Number(r.n),
        })),
        distinct,
      };
    },
    async purgeSubjects(cutoff, options = {}) {
      if (closed) throw new Error('store is closed');
      const chunk = options.chunk ?? 500;
      const inactive = 'GROUP BY subject_id HAVING max(issued_at) < $2::timestamptz AND max(stored_at) < $2::timestamptz';
      /** One chunk in one transaction, under the same per-subject locks as inserts; re-checked under them. */
      const purgeChunk = async (c: pg.PoolClient, candidates: string[]): Promise<PurgeResult> => {
        await c.query(
          'SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT hashtextextended(s, 0) AS k FROM unnest($1::text[]) AS s ORDER BY 1) t',
          [candidates],
        );
        const gone = (await c.query(`SELECT subject_id FROM receipts WHERE subject_id = ANY($1::text[]) ${inactive}`, [candidates, cutoff])).rows.map(
          (r: Row) => r.subject_id as string,
        );
        const rows = (await c.query('DELETE FROM receipts WHERE subject_id = ANY($1::text[]) RETURNING issued_at, policy_version, language, action, gpc, purposes', [gone]))
          .rows as Row[];
        await c.query('DELETE FROM subjects WHERE subject_id = ANY($1::text[])', [gone]);
        const deltas = counterDeltas(
          rows.map((r) => ({
            issuedAtUtc: iso(r.issued_at),
            payload: {
              policyVersion: r.policy_version as string, language: r.language as string, action: r.action as StoredReceipt['action'],
              gpc: r.gpc as boolean, purposes: r.purposes as Record<string, boolean>,
            },
          })),
        );
        const d = deltas.daily;
        if (d.length) {
          const args = [d.map((r) => r.day), d.map((r) => r.policyVersion), d.map((r) => r.language), d.map((r) => r.action), d.map((r) => r.gpc), d.map((r) => r.n)];
          const from = 'unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[]) AS x(day, policy_version, language, action, gpc, n)';
          const match = 'c.day = x.day AND c.policy_version = x.policy_version AND c.language = x.language AND c.action = x.action AND c.gpc = x.gpc';
          await c.query(`UPDATE daily_counts c SET n = c.n - x.n FROM ${from} WHERE ${match}`, args);
          await c.query(`DELETE FROM daily_counts c USING ${from} WHERE ${match} AND c.n <= 0`, args);
        }
        const pr = deltas.purposes;
        if (pr.length) {
          const args = [pr.map((r) => r.day), pr.map((r) => r.policyVersion), pr.map((r) => r.purpose), pr.map((r) => r.granted), pr.map((r) => r.n)];
          const from = 'unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::bigint[]) AS x(day, policy_version, purpose, granted, n)';
          const match = 'c.day = x.day AND c.policy_version = x.policy_version AND c.purpose = x.purpose AND c.granted = x.granted';
          await c.query(`UPDATE daily_purpose_counts c SET n = c.n - x.n FROM ${from} WHERE ${match}`, args);
          await c.query(`DELETE FROM daily_purpose_counts c USING ${from} WHERE ${match} AND c.n <= 0`, args);
        }
        return { subjects: gone.length, receipts: rows.length };
      };
      const total = { subjects: 0, receipts: 0 };
      for (let after = ''; ; ) {
        const { rows } = await pool.query(`SELECT subject_id FROM receipts WHERE subject_id > $1 ${inactive} ORDER BY subject_id LIMIT $3`, [after, cutoff, chunk]);
        if (!rows.length) return total;
        const batch = (rows as Row[]).map((r) => r.subject_id as string);
        after = batch[batch.length - 1]!;
        for (let attempt = 1; ; attempt++) {
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            const done = await purgeChunk(c, batch);
            await c.query('COMMIT');
            total.subjects += done.subjects;
            total.receipts += done.receipts;
            break;
          } catch (e) {
            await c.query('ROLLBACK').catch(() => undefined);
            // A deadlock with a concurrent insert (counter rows locked in another order): try the chunk again.
            if (attempt >= 5 || !RETRYABLE.has((e as { code?: string }).code ?? '')) throw e;
          } finally {
            c.release();
          }
        }
      }
    },
    async reclaimSpace() {
      // Autovacuum marks deleted rows' space reusable; VACUUM FULL would lock the tables for the whole rewrite.
      return undefined;
    },
    async countIncomplete() {
      const { rows } = await pool.query("SELECT count(*) AS n FROM receipts WHERE chain_status = 'incomplete'");
      return Number((rows[0] as Row).n);
    },
    async collectorKey(generate) {
      const read = async () => (await pool.query('SELECT private_jwk, created_at FROM collector_key WHERE id = 1')).rows[0] as Row | undefined;
      let row = await read();
      if (!row) {
        const k = generate();
        await pool.query('INSERT INTO collector_key (id, private_jwk, created_at) VALUES (1, $1, $2) ON CONFLICT DO NOTHING', [JSON.stringify(k.privateJwk), k.createdAt]);
        row = (await read())!;
      }
      return { privateJwk: row.private_jwk as StoredCollectorKey['privateJwk'], createdAt: iso(row.created_at) };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
