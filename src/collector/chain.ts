import { decodeB64url, sha256b64url } from './jws';
import type { ChainStatus, VerifiedReceipt } from './types';

/** Order of the P-256 group: an ES256 signature (r, s) verifies exactly when (r, n − s) does. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * The other valid spelling of an ES256 compact JWS: same header and payload, signature r‖(n − s).
 * WebCrypto may return either form, so the collector cannot insist on one; anyone holding a receipt can
 * make its twin, which verifies just as well. The twin of the twin is the original. Undefined when the
 * signature part is not a 64-byte signature with s in [1, n − 1] (no stored receipt is like that).
 */
export function signatureTwin(jws: string): string | undefined {
  const dot = jws.lastIndexOf('.');
  const sig = dot < 0 ? undefined : decodeB64url(jws.slice(dot + 1));
  if (!sig || sig.length !== 64) return undefined;
  const s = BigInt(`0x${sig.subarray(32).toString('hex')}`);
  if (s === 0n || s >= P256_ORDER) return undefined;
  const twin = Buffer.from(sig);
  Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex').copy(twin, 32);
  return `${jws.slice(0, dot + 1)}${twin.toString('base64url')}`;
}

/** base64url SHA-256 of the receipt's signature twin (see {@link signatureTwin}), or undefined. */
export function twinHash(jws: string): string | undefined {
  const twin = signatureTwin(jws);
  return twin === undefined ? undefined : sha256b64url(twin);
}

/**
 * True when `prev` names the stored receipt `jws` (whose hash is `jwsHash`): its hash, or the hash of its
 * signature twin. A script on the site can read a receipt and post its twin before the SDK does; the SDK's
 * next receipt then links to the JWS it signed, not to the twin the collector stored. Both are the same
 * signed statement, so the link holds. The twin is computed only when the plain hash differs (rare).
 */
export function linksTo(prev: string | null, jws: string | undefined, jwsHash: string): boolean {
  if (prev === jwsHash) return true;
  return prev !== null && jws !== undefined && twinHash(jws) === prev;
}

/** What a store knows about a receipt's neighbours, read inside the storing transaction. */
export interface ChainContext {
  /** A stored receipt with the same receiptId. */
  byId?: { jwsHash: string; ack: string } | undefined;
  /** The key id the subject is bound to (its first receipt's key). */
  boundKid?: string | undefined;
  /** A stored receipt of the same subject with the same seq. */
  atSeq?: { receiptId: string } | undefined;
  /**
   * The stored receipt seq − 1 of the same subject. `jws` returns its stored JWS; it is called only when
   * `prev` differs from `jwsHash` (so a store may read the JWS lazily).
   */
  pred?: { jwsHash: string; chainStatus: ChainStatus; jws: () => string | undefined } | undefined;
  /** The stored receipt seq + 1 of the same subject. */
  succ?: { prev: string | null } | undefined;
}

/** The store's verdict on one receipt. */
export type ChainDecision =
  | { status: 'accept'; chainStatus: ChainStatus }
  | { status: 'duplicate'; ack: string }
  | { status: 'rejected'; reason: string };

/**
 * Applies dedupe, key binding and hash-chain rules. A receipt whose predecessor has not arrived yet
 * is accepted with an `incomplete` chain; the store marks it (and its successors) complete when the gap fills.
 * A receipt's signature twin counts as the receipt itself: a duplicate of it, and a link to it either way.
 */
export function decide(r: VerifiedReceipt, c: ChainContext): ChainDecision {
  const { seq, prev } = r.payload;
  if (c.byId) {
    return c.byId.jwsHash === r.jwsHash || c.byId.jwsHash === twinHash(r.jws)
      ? { status: 'duplicate', ack: c.byId.ack }
      : { status: 'rejected', reason: 'receiptId: already used by a different receipt' };
  }
  if (c.boundKid !== undefined && c.boundKid !== r.kid) return { status: 'rejected', reason: 'subjectId: bound to a different key' };
  if (c.atSeq) return { status: 'rejected', reason: `seq: subject already has a different receipt with seq ${seq}` };
  if (c.pred && c.pred.jwsHash !== prev && !linksTo(prev, c.pred.jws(), c.pred.jwsHash)) {
    return { status: 'rejected', reason: `prev: does not match the hash of stored receipt seq ${seq - 1}` };
  }
  if (c.succ && !linksTo(c.succ.prev, r.jws, r.jwsHash)) return { status: 'rejected', reason: `seq: stored receipt seq ${seq + 1} links to a different receipt` };
  return { status: 'accept', chainStatus: seq === 1 || c.pred?.chainStatus === 'complete' ? 'complete' : 'incomplete' };
}
