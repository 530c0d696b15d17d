/** Shapes shared by the collector's verifier, stores, server and `verify` command. */

import type { ReceiptPayload } from '../core/types';
import type { FoldedCounters } from './counters';
import type { StatsQuery } from './stats-query';

/** The signed payload of a consent receipt (DESIGN.md "Receipt"), as validated by the collector. */
export type { ReceiptPayload };

/** The browser's public key as embedded in the receipt header. */
export interface PublicEcJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** A receipt whose header, signature and payload passed every check. */
export interface VerifiedReceipt {
  /** The exact compact JWS as received. */
  jws: string;
  /** base64url SHA-256 of `jws` (what the next receipt's `prev` must equal). */
  jwsHash: string;
  kid: string;
  jwk: PublicEcJwk;
  payload: ReceiptPayload;
  /** `payload.issuedAt` normalised to UTC `toISOString()` form, for ordering and daily counters. */
  issuedAtUtc: string;
}

/** `complete` when every receipt from seq 1 up to this one is stored and linked; `incomplete` while a gap remains. */
export type ChainStatus = 'complete' | 'incomplete';

/** One stored receipt: the exact JWS beside its parsed fields, as exported (one NDJSON line each). */
export interface StoredReceipt extends Omit<ReceiptPayload, 'ver'> {
  jwsHash: string;
  storedAt: string;
  kid: string;
  chainStatus: ChainStatus;
  jws: string;
  /** The collector's countersignature (`consent-ack+jws`) returned when the receipt was accepted. */
  ack: string;
}

/** What happened to one receipt of a batch. */
export type InsertOutcome =
  | { status: 'accepted'; receiptId: string; ack: string; chainStatus: ChainStatus }
  | { status: 'duplicate'; receiptId: string; ack: string }
  | { status: 'rejected'; reason: string };

/** Signs the collector's acknowledgement of one receipt (called inside the storing transaction). */
export type AckSigner = (receipt: VerifiedReceipt, storedAt: string) => string;

/** Filter for exports; `from`/`to` bound `issuedAt` (inclusive `from`, exclusive `to`, ISO 8601). */
export interface ReceiptFilter {
  subjectId?: string;
  receiptId?: string;
  from?: string;
  to?: string;
}

/** Filter for statistics; `from`/`to` are UTC days `YYYY-MM-DD`, both inclusive. */
export interface StatsFilter {
  from?: string;
  to?: string;
  policyVersion?: string;
}

/** One row of the pre-aggregated decision counters (per UTC day of `issuedAt`). */
export interface DailyCountRow {
  day: string;
  policyVersion: string;
  language: string;
  action: ReceiptPayload['action'];
  gpc: boolean;
  n: number;
}

/** One row of the pre-aggregated purpose counters (per UTC day of `issuedAt`). */
export interface DailyPurposeRow {
  day: string;
  policyVersion: string;
  purpose: string;
  granted: boolean;
  n: number;
}

/** The pre-aggregated counters: cheap to read even for millions of receipts. */
export interface Counters {
  daily: DailyCountRow[];
  purposes: DailyPurposeRow[];
}

/** What a purge removed. */
export interface PurgeResult {
  subjects: number;
  receipts: number;
}

/** A stored collector signing key (private JWK) with its creation time. */
export interface StoredCollectorKey {
  privateJwk: Record<string, string>;
  createdAt: string;
}

/** A receipt row with the key its subject is bound to, as scanned by `verifyStore`. */
export interface ScannedReceipt extends StoredReceipt {
  boundKid: string | null;
}

/**
 * One storage interface, two implementations (SQLite via better-sqlite3, PostgreSQL via pg).
 * Every method is async so both fit; each `insertBatch` is atomic.
 */
export interface ReceiptStore {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Stores verified receipts in one transaction, applying dedupe, key binding and chain rules in order,
   * and updates the daily counters in that same transaction. Resolves once the transaction is durable.
   */
  insertBatch(receipts: VerifiedReceipt[], sign: AckSigner): Promise<InsertOutcome[]>;
  /** Receipts matching `filter` ordered by (issuedAt, receiptId), one page after `after` (a receiptId cursor pair). */
  listReceipts(filter: ReceiptFilter, page?: { limit?: number; after?: { issuedAt: string; receiptId: string } }): Promise<StoredReceipt[]>;
  /** Streams every matching receipt page by page (bounded memory). */
  exportReceipts(filter: ReceiptFilter): AsyncIterable<StoredReceipt>;
  /** Streams every receipt ordered by (subjectId, seq) with the subject's bound key id. */
  scanAll(): AsyncIterable<ScannedReceipt>;
  /** One subject's receipts in seq order (seq > `afterSeq`, at most `limit`, default 1000) with its bound key id. */
  subjectReceipts(subjectId: string, page?: { afterSeq?: number; limit?: number }): Promise<ScannedReceipt[]>;
  /** The pre-aggregated counters, optionally limited to a range of days. */
  counters(filter?: StatsFilter): Promise<Counters>;
  /**
   * The counters of a window, summed in the database with the values past `q.limits` folded into one
   * (see `statsStatements`): what `GET /stats` reads, bounded however many distinct values clients sent.
   */
  foldedCounters(q: StatsQuery): Promise<FoldedCounters>;
  /** Receipts whose chain still has a gap. */
  countIncomplete(): Promise<number>;
  /**
   * Retention: deletes every subject whose receipts were all issued and stored before `cutoff` (an ISO
   * instant) — its receipts, its key binding and their share of the counters — in one transaction per
   * `chunk` subjects (default 500). Whole subjects only, so every remaining chain still verifies.
   */
  purgeSubjects(cutoff: string, options?: { chunk?: number }): Promise<PurgeResult>;
  /**
   * Gives the space of deleted rows back after a purge. SQLite keeps freed pages inside the file, so this runs
   * `VACUUM` (which rewrites the whole file: it holds the write lock until done, so other collectors' writes
   * on the file wait and, past their 5 s busy timeout, fail with 503 for the SDK to retry; it needs free disk
   * space of up to twice the file) and checkpoints the WAL, and resolves to the file's size in bytes (with its
   * WAL) before and after. PostgreSQL: resolves undefined (autovacuum makes the space reusable; no `VACUUM FULL`).
   */
  reclaimSpace(): Promise<{ before: number; after: number } | undefined>;
  /** Returns the collector's signing key, storing `generate()`'s key on first use (shared by every collector on the store). */
  collectorKey(generate: () => StoredCollectorKey): Promise<StoredCollectorKey>;
  close(): Promise<void>;
}
