import pg from 'pg';
import { decide } from './chain';
import { counterDeltas } from './counters';
import type {
  AckSigner, ChainStatus, InsertOutcome, ReceiptFilter, ReceiptStore, ScannedReceipt, StatsFilter,
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
const RETRYABLE = new Set(['40P01', '40001']);

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

const CONTEXT_SQL = `SELECT
  (SELECT json_build_object('jws_hash', jws_hash, 'ack', ack) FROM receipts WHERE receipt_id = $1) AS by_id,
  (SELECT kid FROM subjects WHERE subject_id = $2) AS bound_kid,
  (SELECT receipt_id FROM receipts WHERE subject_id = $2 AND seq = $3) AS at_seq,
  (SELECT json_build_object('jws_hash', jws_hash, 'chain_status', chain_status) FROM receipts WHERE subject_id = $2 AND seq = $3 - 1) AS pred,
  (SELECT json_build_object('prev', prev) FROM receipts WHERE subject_id = $2 AND seq = $3 + 1) AS succ`;

/**
 * Opens a PostgreSQL receipt store (creating its tables if needed). Several collectors may share one
 * database: each batch is one transaction that takes advisory locks on its subjects (in a fixed order),
 * so chain and key-binding checks see a consistent subject, and upserts counters in a fixed order.
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

  const storeBatch = async (c: pg.PoolClient, receipts: VerifiedReceipt[], sign: AckSigner): Promise<InsertOutcome[]> => {
    const storedAt = new Date().toISOString();
    const subjects = [...new Set(receipts.map((r) => r.payload.subjectId))];
    await c.query(
      'SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT hashtextextended(s, 0) AS k FROM unnest($1::text[]) AS s ORDER BY 1) t',
      [subjects],
    );
    const outcomes: InsertOutcome[] = [];
    const accepted: VerifiedReceipt[] = [];
    for (const r of receipts) {
      const p = r.payload;
      const { receiptId, subjectId, seq } = p;
      const ctx = (await c.query(CONTEXT_SQL, [receiptId, subjectId, seq])).rows[0] as Row;
      const byId = ctx.by_id as { jws_hash: string; ack: string } | null;
      const pred = ctx.pred as { jws_hash: string; chain_status: ChainStatus } | null;
      const succ = ctx.succ as { prev: string | null } | null;
      const boundKid = (ctx.bound_kid as string | null) ?? undefined;
      const d = decide(r, {
        byId: byId ? { jwsHash: byId.jws_hash, ack: byId.ack } : undefined,
        boundKid,
        atSeq: ctx.at_seq ? { receiptId: ctx.at_seq as string } : undefined,
        pred: pred ? { jwsHash: pred.jws_hash, chainStatus: pred.chain_status } : undefined,
        succ: succ ?? undefined,
      });
      if (d.status === 'duplicate') {
        outcomes.push({ status: 'duplicate', receiptId, ack: d.ack });
        continue;
      }
      if (d.status === 'rejected') {
        outcomes.push(d);
        continue;
      }
      if (boundKid === undefined) {
        await c.query('INSERT INTO subjects (subject_id, kid, jwk, first_seen) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
          subjectId, r.kid, JSON.stringify(r.jwk), storedAt,
        ]);
      }
      const ack = sign(r, storedAt);
      const ins = await c.query(
        `INSERT INTO receipts (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)
         ON CONFLICT DO NOTHING`,
        [
          receiptId, subjectId, seq, p.prev, r.jwsHash, r.issuedAtUtc, storedAt, p.action, p.method, p.policyVersion,
          p.policyUrl, p.language, p.noticeHash, p.page, p.gpc, p.ephemeralKey, p.sdk, JSON.stringify(p.purposes),
          r.kid, d.chainStatus, r.jws, ack,
        ],
      );
      if (ins.rowCount === 0) {
        // Another collector stored this receiptId for another subject between our read and write.
        const other = (await c.query('SELECT jws_hash, ack FROM receipts WHERE receipt_id = $1', [receiptId])).rows[0] as Row | undefined;
        outcomes.push(
          other?.jws_hash === r.jwsHash
            ? { status: 'duplicate', receiptId, ack: other.ack as string }
            : { status: 'rejected', reason: 'receiptId: already used by a different receipt' },
        );
        continue;
      }
      if (d.chainStatus === 'complete') {
        for (let s = seq + 1; ; s++) {
          const u = await c.query("UPDATE receipts SET chain_status = 'complete' WHERE subject_id = $1 AND seq = $2 AND chain_status = 'incomplete'", [subjectId, s]);
          if (!u.rowCount) break;
        }
      }
      accepted.push(r);
      outcomes.push({ status: 'accepted', receiptId, ack, chainStatus: d.chainStatus });
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

  let closed = false;
  return {
    kind: 'postgres',
    async insertBatch(receipts, sign) {
      if (closed) throw new Error('store is closed');
      if (receipts.length === 0) return [];
      for (let attempt = 1; ; attempt++) {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          const out = await storeBatch(c, receipts, sign);
          await c.query('COMMIT');
          return out;
        } catch (e) {
          await c.query('ROLLBACK').catch(() => undefined);
          if (attempt >= 5 || !RETRYABLE.has((e as { code?: string }).code ?? '')) throw e;
        } finally {
          c.release();
        }
      }
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
    async counters(filter: StatsFilter = {}) {
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
