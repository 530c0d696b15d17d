import cluster from 'node:cluster';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { serveClusterLimits } from './cluster-limits';
import { dashboardRoutes } from './dashboard/routes';
import { createCollector, DEFAULT_MAX_CONNECTIONS, generateCollectorKey, openStore, verifyStore, type CollectorOptions, type StoreLocation } from './index';

const USAGE = `Usage:
  consentseal-collector [--port 8787] [--host 127.0.0.1]
                        [--db ./consentseal.db [--sqlite-sync full|normal] | --postgres postgres://… [--postgres-schema NAME]]
                        [--allow-origin https://site.example]… [--admin-token-file FILE]
                        [--rate-limit 20] [--rate-burst 100] [--trust-proxy] [--max-connections 1000]
                        [--max-connections-per-client 64] [--workers 1]
  consentseal-collector verify [--db ./consentseal.db | --postgres postgres://… [--postgres-schema NAME]]
  consentseal-collector purge --older-than-days N [--no-vacuum]
                        [--db ./consentseal.db | --postgres postgres://… [--postgres-schema NAME]]

The admin token (for GET /receipts, GET /stats and the audit console at /dashboard) comes from
--admin-token-file or env CONSENTSEAL_ADMIN_TOKEN (at least 16 characters).
--rate-limit: requests per second per client IP (0 disables); --trust-proxy takes the IP from X-Forwarded-For.
--max-connections N: open connections per process (0 = no cap); over it, a new connection is closed at once.
--max-connections-per-client N: open connections per client address (IPv4, IPv6 /64) per process
  (0 = no cap; default 64, or none with --trust-proxy, where every connection is the proxy's).
--sqlite-sync normal: no fsync per commit (an accepted receipt survives a killed collector, not a power cut).
--workers N: N processes on the one port (node:cluster). The rate limit and the console's failed sign-in
  limits hold across them (kept in the primary process); the connection caps are per process.
verify re-checks every signature, ack, chain and counter, and exits 1 when it finds any problem.
purge deletes every subject (all its receipts, never part of a chain) whose latest receipt was issued and
stored more than N days ago (N ≥ 1), with its share of the counters, and prints how many it removed.
  On SQLite, when it removed any, it then runs VACUUM to shrink the file and prints its size before and
  after: VACUUM rewrites the whole file, holding the write lock until done (a collector running on the file
  cannot store meanwhile: its batches fail after 5 s and the SDK retries them), and needs free disk space of
  up to twice the file. --no-vacuum skips it (the freed pages are reused by new receipts).
  On PostgreSQL autovacuum makes the space reusable; purge runs no VACUUM FULL.`;

/** A byte count with thousands separators (fixed to en-US, so the output never depends on the locale). */
const bytes = (n: number): string => `${n.toLocaleString('en-US')} bytes`;

function fail(message: string): never {
  console.error(`consentseal-collector: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/**
 * `verify` and `purge` only read or trim a store: pointed where none is (a mistyped path, schema or
 * database), opening it would create an empty one there, which `verify` then called OK.
 */
async function mustBeAStore(where: StoreLocation): Promise<void> {
  let found = false;
  if ('db' in where) {
    if (!existsSync(where.db)) fail(`no database at ${where.db}`);
    try {
      const db = new Database(where.db, { readonly: true, fileMustExist: true });
      try {
        found = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'receipts'").get() !== undefined;
      } finally {
        db.close();
      }
    } catch {
      // Not an SQLite file at all.
    }
    if (!found) fail(`no ConsentSeal store in ${where.db} (it has no receipts table)`);
    return;
  }
  const c = new pg.Client({ connectionString: where.postgres });
  await c.connect();
  try {
    const table = await c.query('SELECT to_regclass($1) IS NOT NULL AS found', [where.schema ? `"${where.schema.replace(/"/g, '""')}".receipts` : 'receipts']);
    found = (table.rows[0] as { found: boolean }).found;
  } finally {
    await c.end();
  }
  if (!found) fail(`no ConsentSeal store in PostgreSQL schema ${where.schema ?? '(the search_path)'} (it has no receipts table)`);
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string', default: '8787' },
        host: { type: 'string', default: '127.0.0.1' },
        db: { type: 'string' },
        postgres: { type: 'string' },
        'postgres-schema': { type: 'string' },
        'sqlite-sync': { type: 'string', default: 'full' },
        'allow-origin': { type: 'string', multiple: true, default: [] },
        'admin-token-file': { type: 'string' },
        'rate-limit': { type: 'string', default: '20' },
        'rate-burst': { type: 'string', default: '100' },
        'trust-proxy': { type: 'boolean', default: false },
        'max-connections': { type: 'string', default: String(DEFAULT_MAX_CONNECTIONS) },
        // No default here: left out, the collector picks it (64, or none with --trust-proxy).
        'max-connections-per-client': { type: 'string' },
        workers: { type: 'string', default: '1' },
        'older-than-days': { type: 'string' },
        'no-vacuum': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const { values: o, positionals } = parsed;
  if (o.help) return void console.log(USAGE);
  if (o.db !== undefined && o.postgres !== undefined) fail('give --db or --postgres, not both');
  if (o['no-vacuum'] && positionals[0] !== 'purge') fail('--no-vacuum belongs to purge');
  const where: StoreLocation =
    o.postgres !== undefined
      ? { postgres: o.postgres, ...(o['postgres-schema'] ? { schema: o['postgres-schema'] } : {}) }
      : { db: o.db ?? './consentseal.db', synchronous: o['sqlite-sync'] === 'normal' ? 'NORMAL' : 'FULL' };
  if (o['sqlite-sync'] !== 'full' && o['sqlite-sync'] !== 'normal') fail('--sqlite-sync must be full or normal');

  if (positionals[0] === 'verify') {
    await mustBeAStore(where);
    const store = await openStore(where);
    try {
      const r = await verifyStore(store);
      console.log(
        [
          `receipts: ${r.receipts} (subjects: ${r.subjects})`,
          `bad signatures: ${r.badSignatures}`,
          `stored fields differing from the signed receipt: ${r.fieldMismatches}`,
          `bad acks: ${r.badAcks}`,
          `subjects with a key mismatch: ${r.keyMismatches}`,
          `broken chains: ${r.brokenChains}`,
          `incomplete chains (gap awaiting a receipt): ${r.incompleteChains}`,
          `counter mismatches: ${r.counterMismatches}`,
          ...r.problems.map((p) => `  problem: ${p}`),
          r.ok ? 'OK' : 'FAILED',
        ].join('\n'),
      );
      process.exitCode = r.ok ? 0 : 1;
    } finally {
      await store.close();
    }
    return;
  }
  if (positionals[0] === 'purge') {
    const days = Number(o['older-than-days']);
    if (o['older-than-days'] === undefined || !Number.isInteger(days) || days < 1 || days > 36_500) {
      fail('purge needs --older-than-days N, a whole number of days from 1 to 36500');
    }
    await mustBeAStore(where);
    const cutoff = new Date(Date.now() - days * 86_400_000).toISOString();
    const store = await openStore(where);
    try {
      const r = await store.purgeSubjects(cutoff);
      console.log(`purged ${r.subjects} subject${r.subjects === 1 ? '' : 's'} (${r.receipts} receipt${r.receipts === 1 ? '' : 's'}) whose latest receipt was issued and stored before ${cutoff}`);
      if (r.subjects > 0 && !o['no-vacuum'] && store.kind === 'sqlite') {
        console.log('VACUUM: rewriting the database file (other writers wait until it is done)…');
        const space = await store.reclaimSpace();
        if (space) console.log(`VACUUM: file size ${bytes(space.before)} before, ${bytes(space.after)} after`);
      }
    } finally {
      await store.close();
    }
    return;
  }
  if (o['older-than-days'] !== undefined) fail('--older-than-days belongs to purge');
  if (positionals.length) fail(`unknown command ${positionals[0]}`);

  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0–65535');
  const perSecond = Number(o['rate-limit']);
  const burst = Number(o['rate-burst']);
  if (!(perSecond >= 0) || !(burst >= 1)) fail('--rate-limit must be ≥ 0 and --rate-burst ≥ 1');
  const maxConnections = Number(o['max-connections']);
  if (!Number.isInteger(maxConnections) || maxConnections < 0) fail('--max-connections must be a whole number ≥ 0 (0 = no cap)');
  const perClientArg = o['max-connections-per-client'];
  const maxPerClient = perClientArg === undefined ? undefined : Number(perClientArg);
  if (maxPerClient !== undefined && (perClientArg!.trim() === '' || !Number.isInteger(maxPerClient) || maxPerClient < 0)) {
    fail('--max-connections-per-client must be a whole number ≥ 0 (0 = no cap)');
  }
  for (const origin of o['allow-origin']) {
    let ok = false;
    try {
      ok = new URL(origin).origin === origin;
    } catch {
      ok = false;
    }
    if (!ok) fail(`--allow-origin ${origin}: must be an origin like https://site.example (no path, no trailing slash)`);
  }
  let adminToken = process.env.CONSENTSEAL_ADMIN_TOKEN;
  if (o['admin-token-file'] !== undefined) {
    try {
      adminToken = readFileSync(o['admin-token-file'], 'utf8').trim();
    } catch (e) {
      fail(`--admin-token-file: ${(e as Error).message}`);
    }
  }
  if (adminToken !== undefined && adminToken.length < 16) fail('the admin token must be at least 16 characters');

  const workers = Number(o.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) fail('--workers must be 1–64');
  if (workers > 1 && cluster.isPrimary) return primary(workers, where);

  const options: CollectorOptions = {
    ...('postgres' in where
      ? { postgres: where.postgres, ...(where.schema ? { postgresSchema: where.schema } : {}) }
      : { db: where.db, sqliteSync: where.synchronous ?? 'FULL' }),
    allowOrigins: o['allow-origin'],
    rateLimit: perSecond === 0 ? false : { perSecond, burst },
    trustProxy: o['trust-proxy'],
    // A worker's limits live in the primary (serveClusterLimits), so a client gets them once, not once per worker.
    clusterLimits: cluster.isWorker,
    maxConnections: maxConnections === 0 ? false : maxConnections,
    ...(maxPerClient !== undefined ? { maxConnectionsPerClient: maxPerClient === 0 ? false : maxPerClient } : {}),
    routes: dashboardRoutes({ trustProxy: o['trust-proxy'], clusterLimits: cluster.isWorker, ...(adminToken ? { sessions: { secret: adminToken } } : {}) }),
    log: (line) => console.error(`consentseal-collector: ${line}`),
    ...(adminToken ? { adminToken } : {}),
  };
  const collector = await createCollector(options);
  const url = await collector.listen(port, o.host);
  if (cluster.isWorker) process.send!({ listening: url, kid: collector.signer.kid });
  else console.log(`consentseal-collector listening on ${url} (store: ${'postgres' in where ? 'postgres' : where.db}, key: ${collector.signer.kid})`);
  if (!adminToken && !cluster.isWorker) console.error('consentseal-collector: no admin token set; GET /receipts and GET /stats answer 401');
  const stop = (): void => {
    collector.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * Cluster primary: prepares the store once (schema, collector key) so workers do not race to create them,
 * holds the limits every worker shares (rate limit, failed sign-ins: a replaced worker keeps them), forks
 * the workers (they share the listening port), replaces any that die, and stops them all on a signal.
 */
async function primary(workers: number, where: StoreLocation): Promise<void> {
  const store = await openStore(where);
  await store.collectorKey(generateCollectorKey);
  await store.close();
  serveClusterLimits();
  let stopping = false;
  let url = '';
  let ready = 0;
  const fork = (): void => {
    const w = cluster.fork();
    // A message to a worker that just died (a limit answer, a connection handed over) fails on its closed
    // channel; unheard, that error would end the primary and every worker with it.
    w.on('error', (e: Error) => console.error(`consentseal-collector: worker ${w.process.pid}: ${e.message}`));
    w.on('message', (m: { listening?: string; kid?: string; consentsealDashboardRevoke?: string }) => {
      // An audit console logout in one worker: tell the others.
      if (m.consentsealDashboardRevoke) for (const other of Object.values(cluster.workers ?? {})) if (other && other !== w) other.send(m);
      if (!m.listening || url) return;
      if (++ready === workers) {
        url = m.listening;
        console.log(`consentseal-collector listening on ${url} (store: ${'postgres' in where ? 'postgres' : where.db}, key: ${m.kid}, workers: ${workers})`);
      }
    });
  };
  cluster.on('exit', (w, code, signal) => {
    if (stopping) {
      if (!Object.keys(cluster.workers ?? {}).length) process.exit(0);
      return;
    }
    if (!url) {
      // A worker that cannot even start would fail again: stop rather than fork forever.
      console.error(`consentseal-collector: worker exited during start-up (${signal ?? code})`);
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exit(1);
    }
    console.error(`consentseal-collector: worker ${w.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  for (let i = 0; i < workers; i++) fork();
  const stop = (): void => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`consentseal-collector: ${(e as Error)?.message ?? String(e)}`);
  process.exit(1);
});
