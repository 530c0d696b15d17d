/**
 * Test backends: a fresh SQLite file or a fresh PostgreSQL schema per suite, plus raw SQL access so
 * tests can tamper with rows behind the store's back. Used only by the collector's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { vi } from 'vitest';
import { collectorSigner, generateCollectorKey } from './ack';
import { verifyReceiptJws } from './jws';
import { openPostgresStore } from './postgres-store';
import { openSqliteStore } from './sqlite-store';
import type { ReceiptStore, StoredReceipt } from './types';

/** The PostgreSQL used by tests (CI exports CONSENTSEAL_TEST_POSTGRES). */
export const TEST_POSTGRES = process.env.CONSENTSEAL_TEST_POSTGRES ?? 'postgres://consentseal:consentseal@127.0.0.1:5432/consentseal_test';

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Opens (or reopens) the store of this backend. */
  open(): Promise<ReceiptStore>;
  /** Runs raw SQL (with `?` placeholders, rewritten to `$n` for PostgreSQL) outside the store. */
  sql(text: string, ...args: unknown[]): Promise<void>;
  /** Where the collector CLI finds this store. */
  cliArgs: string[];
  /** Removes the file / drops the schema. */
  cleanup(): Promise<void>;
}

let counter = 0;

export function sqliteBackend(): TestBackend {
  const dir = mkdtempSync(join(tmpdir(), 'consentseal-collector-'));
  const file = join(dir, 'test.db');
  return {
    name: 'sqlite',
    open: async () => openSqliteStore(file),
    async sql(text, ...args) {
      const db = new Database(file);
      try {
        db.prepare(text).run(...args);
      } finally {
        db.close();
      }
    },
    cliArgs: ['--db', file],
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(): TestBackend {
  const schema = `cs_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const query = async (text: string, args: unknown[] = []): Promise<void> => {
    const c = new pg.Client({ connectionString: TEST_POSTGRES, options: `-c search_path=${schema}` });
    await c.connect();
    try {
      let i = 0;
      await c.query(text.replace(/\?/g, () => `$${++i}`), args);
    } finally {
      await c.end();
    }
  };
  return {
    name: 'postgres',
    open: () => openPostgresStore(TEST_POSTGRES, { schema, max: 4 }),
    sql: (text, ...args) => query(text, args),
    cliArgs: ['--postgres', TEST_POSTGRES, '--postgres-schema', schema],
    cleanup: () => query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

/** Both backends, for `describe.each`. */
export const backends: Array<[string, () => TestBackend]> = [
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
];

/**
 * Stores receipts as a collector would have at `when`: the clock (Date only; timers stay real) is set
 * back while the batch is verified, countersigned and stored, so `storedAt` and the acks are genuine.
 */
export async function storeAt(store: ReceiptStore, when: string, receipts: string[]): Promise<void> {
  const signer = collectorSigner(await store.collectorKey(generateCollectorKey));
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(when));
  try {
    const batch = receipts.map((jws) => {
      const v = verifyReceiptJws(jws);
      if (!v.ok) throw new Error(v.reason);
      return v.receipt;
    });
    const out = await store.insertBatch(batch, signer.signAck);
    const refused = out.filter((o) => o.status !== 'accepted');
    if (refused.length) throw new Error(`not stored: ${JSON.stringify(refused)}`);
  } finally {
    vi.useRealTimers();
  }
}

/** Signs in to the audit console at `url` with `token` (extra `headers` beside the form's and `origin`). */
export const consoleSignIn = (url: string, token: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${url}/dashboard/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, ...headers },
    body: new URLSearchParams({ token }).toString(),
  });

/** The session cookie (`name=value`) of a console sign-in with `token`. */
export const consoleSession = async (url: string, token: string): Promise<string> =>
  (await consoleSignIn(url, token)).headers.get('set-cookie')!.split(';')[0]!;

/**
 * A SQLite store whose export never ends (rows longer than any socket buffer, so the collector must
 * wait for its client to read), and `ended`: resolves once the export's iterator was closed.
 */
export async function endlessExportStore(): Promise<{ store: ReceiptStore; ended: Promise<void>; close(): Promise<void> }> {
  const backend = sqliteBackend();
  const real = await backend.open();
  let finished!: () => void;
  const ended = new Promise<void>((resolve) => (finished = resolve));
  const store: ReceiptStore = {
    ...real,
    async *exportReceipts() {
      try {
        for (;;) yield { receiptId: 'x', jws: 'a'.repeat(16_384), purposes: {} } as unknown as StoredReceipt;
      } finally {
        finished();
      }
    },
  };
  return { store, ended, close: async () => (await real.close(), await backend.cleanup()) };
}
