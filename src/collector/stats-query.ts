/**
 * The bounded counter query behind `GET /stats`, as SQL shared by the SQLite and PostgreSQL stores so both
 * answer exactly alike. Policy versions, languages and purpose ids are strings clients choose; past the
 * `StatsLimits` the least-counted of them are summed under {@link OTHER}, inside the database, so neither
 * the rows read nor the answer grow with how many distinct values clients sent.
 */
import type { DistinctCounts, StatsLimits } from './counters';
import type { StatsFilter } from './types';

/**
 * Stands for "every value past the limit" in folded counter rows. No stored value can be empty: policy
 * versions, languages and purpose ids all have at least one character.
 */
export const OTHER = '';

/** A window of UTC days (both inclusive), an optional policy version, and the limits to fold at. */
export interface StatsQuery {
  from: string;
  to: string;
  policyVersion?: string;
  limits: StatsLimits;
}

/** One statement with its parameters: named (`@name`) for better-sqlite3, positional (`$n`) for pg. */
export interface Statement {
  text: string;
  values: Record<string, unknown> | unknown[];
}

/**
 * The three statements: folded daily rows (day, policy_version, language, action, gpc, n), folded purpose
 * rows (day, policy_version, purpose, granted, n), and the distinct counts (versions, languages, purposes).
 * Ranking is by receipt count, ties by byte order (`COLLATE "C"` on PostgreSQL = SQLite's BINARY on UTF-8),
 * so which values are listed never depends on the backend or its locale.
 */
export function statsStatements(dialect: 'sqlite' | 'postgres', q: StatsQuery): { daily: Statement; purposes: Statement; distinct: Statement } {
  const all: Record<string, unknown> = {
    from: q.from, to: q.to, version: q.policyVersion, versions: q.limits.policyVersions, languages: q.limits.languages, purposes: q.limits.purposes,
  };
  const collate = dialect === 'postgres' ? ' COLLATE "C"' : '';
  const build = (make: (p: (name: string) => string) => string): Statement => {
    const used: string[] = [];
    const p = (name: string): string => {
      if (dialect === 'sqlite') return `@${name}`;
      if (!used.includes(name)) used.push(name);
      return `$${used.indexOf(name) + 1}`;
    };
    const text = make(p);
    if (dialect === 'postgres') return { text, values: used.map((n) => all[n]) };
    const values: Record<string, unknown> = {};
    for (const m of text.matchAll(/@(\w+)/g)) values[m[1]!] = all[m[1]!];
    return { text, values };
  };
  const where = (p: (name: string) => string): string =>
    `day >= ${p('from')} AND day <= ${p('to')}${q.policyVersion !== undefined ? ` AND policy_version = ${p('version')}` : ''}`;
  const top = (p: (name: string) => string, table: string, column: string, limit: string): string =>
    `SELECT ${column} FROM ${table} WHERE ${where(p)} GROUP BY ${column} ORDER BY sum(n) DESC, ${column}${collate} LIMIT ${p(limit)}`;
  const fold = (column: string, topTable: string): string => `CASE WHEN ${column} IN (SELECT ${column} FROM ${topTable}) THEN ${column} ELSE '${OTHER}' END`;
  const versionsCte = (p: (name: string) => string): string => `top_versions AS (${top(p, 'daily_counts', 'policy_version', 'versions')})`;
  return {
    daily: build(
      (p) => `WITH ${versionsCte(p)}, top_languages AS (${top(p, 'daily_counts', 'language', 'languages')})
        SELECT day, ${fold('policy_version', 'top_versions')} AS version, ${fold('language', 'top_languages')} AS lang, action, gpc, sum(n) AS n
        FROM daily_counts WHERE ${where(p)} GROUP BY day, version, lang, action, gpc`,
    ),
    purposes: build(
      (p) => `WITH ${versionsCte(p)}, top_purposes AS (${top(p, 'daily_purpose_counts', 'purpose', 'purposes')})
        SELECT day, ${fold('policy_version', 'top_versions')} AS version, ${fold('purpose', 'top_purposes')} AS purpose_id, granted, sum(n) AS n
        FROM daily_purpose_counts WHERE ${where(p)} GROUP BY day, version, purpose_id, granted`,
    ),
    distinct: build(
      // count(*) over a GROUP BY, not count(DISTINCT …): PostgreSQL sorts for the latter, hashes for the former.
      (p) => `SELECT (SELECT count(*) FROM (SELECT policy_version FROM daily_counts WHERE ${where(p)} GROUP BY policy_version) v) AS versions,
        (SELECT count(*) FROM (SELECT language FROM daily_counts WHERE ${where(p)} GROUP BY language) l) AS languages,
        (SELECT count(*) FROM (SELECT purpose FROM daily_purpose_counts WHERE ${where(p)} GROUP BY purpose) u) AS purposes`,
    ),
  };
}

/** False when every distinct value fits within the limits: then the plain counter rows are the answer, and cheaper to read. */
export const needsFolding = (d: DistinctCounts, l: StatsLimits): boolean =>
  d.policyVersions > l.policyVersions || d.languages > l.languages || d.purposes > l.purposes;

/** The plain counter filter of a stats query. */
export const queryFilter = (q: StatsQuery): StatsFilter => ({ from: q.from, to: q.to, ...(q.policyVersion !== undefined ? { policyVersion: q.policyVersion } : {}) });
