/**
 * ConsentSeal reference collector: verifies, countersigns and stores signed consent receipts.
 *
 * ```ts
 * import { createCollector } from 'consentseal/collector';
 * const collector = await createCollector({ db: './consentseal.db', adminToken: process.env.TOKEN, allowOrigins: ['https://shop.example'] });
 * console.log(await collector.listen(8787, '127.0.0.1'));
 * ```
 * @packageDocumentation
 */
import { openPostgresStore, type PostgresStoreOptions } from './postgres-store';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite-store';
import type { ReceiptStore } from './types';

export { createCollector, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, MAX_BATCH, MAX_BODY_BYTES } from './server';
export type { Collector, CollectorOptions, CollectorRoute, RouteContext } from './server';
export { verifyStore, type VerifyReport } from './verify-store';
export { dashboardRoutes, DASHBOARD_CSP, type DashboardOptions } from './dashboard/routes';
export { verifyReceiptJws, jwkThumbprint, sha256b64url, MAX_JWS_LENGTH, MAX_JSON_DEPTH, MAX_FUTURE_MS, type VerifyResult } from './jws';
export { validatePayload, LIMITS } from './payload';
export { ACK_TYP, collectorSigner, generateCollectorKey, type AckPayload, type CollectorSigner } from './ack';
export {
  buildStats, STATS_LIMITS, OTHER_KEY, type Stats, type StatsGroup, type StatsLimits, type PurposeRate, type FoldedCounters, type DistinctCounts,
} from './counters';
export { statsStatements, OTHER, type StatsQuery, type Statement } from './stats-query';
export { clientKey, tokenBuckets, type RateLimitOptions } from './rate-limit';
export { serveClusterLimits } from './cluster-limits';
export { openSqliteStore, openPostgresStore, type SqliteStoreOptions, type PostgresStoreOptions };
export type * from './types';

/** Where a store lives: a SQLite file or a PostgreSQL URL (optionally in its own schema). */
export type StoreLocation = ({ db: string } & SqliteStoreOptions) | ({ postgres: string } & PostgresStoreOptions);

/** Opens the SQLite or PostgreSQL store named by `where`; both implement {@link ReceiptStore}. */
export async function openStore(where: StoreLocation): Promise<ReceiptStore> {
  if ('postgres' in where) {
    const { postgres, ...o } = where;
    return openPostgresStore(postgres, o);
  }
  const { db, ...o } = where;
  return openSqliteStore(db, o);
}
