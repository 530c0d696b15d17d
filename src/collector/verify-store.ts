import { collectorSigner, type CollectorSigner } from './ack';
import { linksTo } from './chain';
import { counterDeltas } from './counters';
import { sha256b64url, verifyReceiptJws } from './jws';
import type { Counters, ReceiptStore, ScannedReceipt, VerifiedReceipt } from './types';

/** What `consentseal-collector verify` found. `ok` is false when any problem count is non-zero. */
export interface VerifyReport {
  ok: boolean;
  receipts: number;
  subjects: number;
  /** Receipts whose JWS no longer verifies (signature, header or payload). */
  badSignatures: number;
  /** Receipts whose stored columns (or hash, or key id) differ from what the JWS says. */
  fieldMismatches: number;
  /** Receipts whose ack is not a valid collector signature over their id, hash and storage time. */
  badAcks: number;
  /** Subjects whose receipts use more than one key, or not the key they are bound to. */
  keyMismatches: number;
  /** Subjects with a `prev` that does not match, or a stored chain status that is wrong. */
  brokenChains: number;
  /** Subjects with a gap still open (receipts not yet arrived); informational, not a problem. */
  incompleteChains: number;
  /** Counter rows that differ from the counts recomputed from the receipts. */
  counterMismatches: number;
  /** The first problems found, one line each. */
  problems: string[];
}

const MAX_PROBLEMS = 100;
const SEP = '\u0000';

const samePurposes = (a: Record<string, boolean>, b: Record<string, boolean>): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/** Which stored columns differ from the verified JWS. */
function mismatches(row: ScannedReceipt, v: VerifiedReceipt): string[] {
  const p = v.payload;
  const out: string[] = [];
  const cmp = (name: string, stored: unknown, signed: unknown): void => {
    if (stored !== signed) out.push(name);
  };
  cmp('receiptId', row.receiptId, p.receiptId);
  cmp('subjectId', row.subjectId, p.subjectId);
  cmp('seq', row.seq, p.seq);
  cmp('prev', row.prev, p.prev);
  cmp('issuedAt', row.issuedAt, v.issuedAtUtc);
  cmp('action', row.action, p.action);
  cmp('method', row.method, p.method);
  cmp('policyVersion', row.policyVersion, p.policyVersion);
  cmp('policyUrl', row.policyUrl, p.policyUrl);
  cmp('language', row.language, p.language);
  cmp('noticeHash', row.noticeHash, p.noticeHash);
  cmp('page', row.page, p.page);
  cmp('gpc', row.gpc, p.gpc);
  cmp('ephemeralKey', row.ephemeralKey, p.ephemeralKey);
  cmp('sdk', row.sdk, p.sdk);
  cmp('kid', row.kid, v.kid);
  cmp('jwsHash', row.jwsHash, sha256b64url(row.jws));
  if (!samePurposes(row.purposes, p.purposes)) out.push('purposes');
  return out;
}

const countKeys = (c: Counters, into = new Map<string, number>()): Map<string, number> => {
  for (const r of c.daily) {
    const k = ['d', r.day, r.policyVersion, r.language, r.action, r.gpc].join(SEP);
    into.set(k, (into.get(k) ?? 0) + r.n);
  }
  for (const r of c.purposes) {
    const k = ['p', r.day, r.policyVersion, r.purpose, r.granted].join(SEP);
    into.set(k, (into.get(k) ?? 0) + r.n);
  }
  return into;
};

/**
 * Re-verifies a whole store: every receipt's signature and header, its stored columns against the signed
 * payload, its ack, each subject's key binding and hash chain (and stored chain status), and the daily
 * counters against counts recomputed from the receipts. Streams the store, so memory stays bounded
 * apart from the counter totals.
 */
export async function verifyStore(store: ReceiptStore): Promise<VerifyReport> {
  const r: VerifyReport = {
    ok: false, receipts: 0, subjects: 0, badSignatures: 0, fieldMismatches: 0, badAcks: 0, keyMismatches: 0,
    brokenChains: 0, incompleteChains: 0, counterMismatches: 0, problems: [],
  };
  const problem = (line: string): void => {
    if (r.problems.length < MAX_PROBLEMS) r.problems.push(line);
  };
  let signer: CollectorSigner | undefined;
  try {
    signer = collectorSigner(
      await store.collectorKey(() => {
        throw new Error('the store has no collector key');
      }),
    );
  } catch (e) {
    problem(`collector key: ${(e as Error).message}`);
  }

  const recomputed = new Map<string, number>();
  let pending: VerifiedReceipt[] = [];
  const flushCounts = (): void => {
    countKeys(counterDeltas(pending), recomputed);
    pending = [];
  };

  let subject = '';
  let last: { seq: number; jwsHash: string; jws: string; complete: boolean; kid: string } | undefined;
  let broken = false;
  let gap = false;
  let keyBad = false;
  const endSubject = (): void => {
    if (!subject) return;
    r.subjects++;
    if (broken) r.brokenChains++;
    if (gap) r.incompleteChains++;
    if (keyBad) r.keyMismatches++;
  };

  for await (const row of store.scanAll()) {
    r.receipts++;
    const id = row.receiptId;
    if (row.subjectId !== subject) {
      endSubject();
      subject = row.subjectId;
      last = undefined;
      broken = gap = keyBad = false;
    }
    const v = verifyReceiptJws(row.jws, Number.POSITIVE_INFINITY);
    if (!v.ok) {
      r.badSignatures++;
      problem(`${id}: ${v.reason}`);
    } else {
      const diff = mismatches(row, v.receipt);
      if (diff.length) {
        r.fieldMismatches++;
        problem(`${id}: stored ${diff.join(', ')} differ from the signed receipt`);
      }
      pending.push(v.receipt);
      if (pending.length >= 1000) flushCounts();
    }
    const ack = signer?.verifyAck(row.ack);
    if (!ack || ack.receiptId !== id || ack.receiptHash !== sha256b64url(row.jws) || ack.storedAt !== row.storedAt) {
      r.badAcks++;
      problem(`${id}: ack does not verify for this receipt`);
    }
    if (row.boundKid !== row.kid || (last && last.kid !== row.kid)) {
      if (!keyBad) problem(`${row.subjectId}: receipts signed by a key other than the subject's bound key`);
      keyBad = true;
    }
    // Recompute the chain from the stored JWS hashes (a prev may name the predecessor's signature twin,
    // see `linksTo`); the stored chain status must agree.
    const linked = row.seq === 1 ? row.prev === null : last?.seq === row.seq - 1;
    const prevMatches = row.seq > 1 && linked && linksTo(row.prev, last!.jws, last!.jwsHash);
    if (linked && row.seq > 1 && !prevMatches) {
      broken = true;
      problem(`${id}: prev does not match the hash of receipt seq ${row.seq - 1}`);
    }
    if (!linked && row.seq > 1) gap = true;
    const complete = row.seq === 1 ? row.prev === null : prevMatches && !!last?.complete;
    if ((row.chainStatus === 'complete') !== complete) {
      broken = true;
      problem(`${id}: stored chain status ${row.chainStatus} is wrong`);
    }
    last = { seq: row.seq, jwsHash: sha256b64url(row.jws), jws: row.jws, complete, kid: row.kid };
  }
  endSubject();
  flushCounts();

  const stored = countKeys(await store.counters());
  for (const k of new Set([...stored.keys(), ...recomputed.keys()])) {
    if ((stored.get(k) ?? 0) !== (recomputed.get(k) ?? 0)) {
      r.counterMismatches++;
      problem(`counter ${k.split(SEP).join(' / ')}: stored ${stored.get(k) ?? 0}, receipts say ${recomputed.get(k) ?? 0}`);
    }
  }
  // A store without its key cannot show its acks are genuine, nor make new ones: a problem even when empty.
  r.ok = r.badSignatures + r.fieldMismatches + r.badAcks + r.keyMismatches + r.brokenChains + r.counterMismatches === 0 && signer !== undefined;
  return r;
}

/** Which stored columns of a receipt differ from its verified JWS (shared with the audit console's subject page). */
export { mismatches as storedFieldMismatches };
