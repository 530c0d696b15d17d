import type { AckPayload, CollectorSigner } from '../ack';
import { linksTo } from '../chain';
import { sha256b64url, verifyReceiptJws } from '../jws';
import type { ScannedReceipt, StoredReceipt } from '../types';
import { storedFieldMismatches } from '../verify-store';

/** One check's outcome; `problems` says what is wrong, empty when `ok`. */
export interface Check {
  ok: boolean;
  problems: string[];
  /** True when the check could not run (the stored fields cannot be compared with a JWS that does not verify). */
  skipped?: boolean;
}

/** A stored receipt as the subject page shows it: decoded, and re-checked now. */
export interface InspectedReceipt {
  stored: StoredReceipt;
  /** The JWS protected header and payload, decoded (null when not decodable JSON). */
  header: unknown;
  payload: unknown;
  /** The ES256 signature, header and payload rules, re-run on view. */
  signature: Check;
  /** The stored columns (and hash, key id) against what the signed JWS says. */
  fields: Check;
  /** `prev` against the hash of the previous stored JWS, seq continuity, key binding, stored chain status. */
  chain: Check & { gap: boolean };
  /** The collector's countersignature, decoded and verified against the collector key. */
  ack: Check & { header: unknown; payload: AckPayload | null };
}

/** Decodes one base64url JSON part of a compact JWS, or null. */
export function decodePart(jws: string, index: 0 | 1): unknown {
  const part = jws.split('.')[index];
  if (!part || part.length > 65_536) return null;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

const check = (problems: string[]): Check => ({ ok: problems.length === 0, problems });

/**
 * Re-checks one subject's receipts (in seq order). `before` is the stored receipt just before the first
 * of `rows` (when paging), so the first link can be checked too. Signature checks reuse the collector's
 * verifier; field checks reuse `verifyStore`'s comparison, so the page and `verify` always agree.
 */
export function inspectChain(rows: ScannedReceipt[], signer: CollectorSigner, before?: ScannedReceipt): InspectedReceipt[] {
  let last = before;
  // Recomputed like verifyStore does: complete when seq 1, or linked to a complete predecessor.
  let lastComplete = before?.chainStatus === 'complete';
  return rows.map((row) => {
    const v = verifyReceiptJws(row.jws, Number.POSITIVE_INFINITY);
    const signature = check(v.ok ? [] : [v.reason]);
    const fields: Check = v.ok
      ? check(storedFieldMismatches(row, v.receipt).map((f) => `stored ${f} differs from the signed receipt`))
      : { ok: true, problems: [], skipped: true };

    const chainProblems: string[] = [];
    let gap = false;
    let linked = false;
    if (row.seq === 1) {
      if (row.prev !== null) chainProblems.push('seq 1 must have prev null');
    } else if (last?.seq === row.seq - 1) {
      // Its hash, or its signature twin's (see `linksTo`), as the collector and `verify` accept.
      if (!(linked = linksTo(row.prev, last.jws, sha256b64url(last.jws)))) chainProblems.push(`prev does not match the hash of receipt seq ${row.seq - 1}`);
    } else gap = true;
    if (row.boundKid !== row.kid) chainProblems.push("signed by a key other than the subject's bound key");
    const complete = row.seq === 1 ? row.prev === null : !gap && lastComplete && linked;
    if ((row.chainStatus === 'complete') !== complete) chainProblems.push(`stored chain status ${row.chainStatus} is wrong`);
    last = row;
    lastComplete = complete;

    const ack = signer.verifyAck(row.ack);
    const ackProblems: string[] = [];
    if (!ack) ackProblems.push("not a valid signature by this collector's key");
    else {
      if (ack.receiptId !== row.receiptId) ackProblems.push('acknowledges another receipt id');
      if (ack.receiptHash !== sha256b64url(row.jws)) ackProblems.push('acknowledges a different JWS (hash differs)');
      if (ack.storedAt !== row.storedAt) ackProblems.push('storage time differs from the stored one');
    }
    const { boundKid: _bound, ...stored } = row;
    return {
      stored,
      header: decodePart(row.jws, 0),
      payload: decodePart(row.jws, 1),
      signature,
      fields,
      chain: { ...check(chainProblems), gap },
      ack: { ...check(ackProblems), header: decodePart(row.ack, 0), payload: (decodePart(row.ack, 1) as AckPayload | null) ?? null },
    };
  });
}
