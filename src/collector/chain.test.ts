import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { decide, linksTo, signatureTwin, twinHash } from './chain';
import { verifyReceiptJws } from './jws';
import { hashJws, makeDevice, next, payloadOf, twinOf } from './test-receipts';
import type { VerifiedReceipt } from './types';

const verified = (jws: string): VerifiedReceipt => {
  const r = verifyReceiptJws(jws);
  if (!r.ok) throw new Error(r.reason);
  return r.receipt;
};

describe('ES256 signature twins', () => {
  it('makes the (r, n − s) twin, which verifies with the same key and whose twin is the original', async () => {
    const d = await makeDevice();
    for (let i = 0; i < 8; i++) {
      const jws = await next(d);
      const twin = signatureTwin(jws)!;
      expect(twin).toBe(twinOf(jws));
      expect(twin).not.toBe(jws);
      expect(twin.split('.').slice(0, 2)).toEqual(jws.split('.').slice(0, 2));
      expect(signatureTwin(twin)).toBe(jws);
      expect(twinHash(jws)).toBe(hashJws(twin));
      // A standard library accepts the twin too, and so does the collector's verifier: the attack is real.
      await expect(compactVerify(twin, await importJWK(d.jwk, 'ES256'))).resolves.toBeDefined();
      expect(verifyReceiptJws(twin).ok).toBe(true);
    }
  });

  it('has no twin for a signature that is not 64 bytes with s in [1, n − 1]', () => {
    const head = 'aGVhZA.cGF5bG9hZA.';
    const sig = (s: Buffer) => `${head}${Buffer.concat([Buffer.alloc(32, 7), s]).toString('base64url')}`;
    expect(signatureTwin(sig(Buffer.alloc(32)))).toBeUndefined();
    expect(signatureTwin(sig(Buffer.alloc(32, 0xff)))).toBeUndefined();
    expect(signatureTwin(`${head}${Buffer.alloc(63, 1).toString('base64url')}`)).toBeUndefined();
    expect(signatureTwin('no-dots')).toBeUndefined();
    expect(signatureTwin(sig(Buffer.alloc(32, 1)))).toBeDefined();
  });

  it('links a prev to a stored receipt by its hash or its twin’s hash, nothing else', async () => {
    const d = await makeDevice();
    const jws = await next(d);
    expect(linksTo(hashJws(jws), jws, hashJws(jws))).toBe(true);
    expect(linksTo(hashJws(twinOf(jws)), jws, hashJws(jws))).toBe(true);
    expect(linksTo(hashJws(await next(d)), jws, hashJws(jws))).toBe(false);
    expect(linksTo(null, jws, hashJws(jws))).toBe(false);
    // Without the stored JWS at hand only the hash itself can match.
    expect(linksTo(hashJws(twinOf(jws)), undefined, hashJws(jws))).toBe(false);
  });

  it('decides a twin is a duplicate, links to a stored twin both ways, and reads the stored JWS only on a mismatch', async () => {
    const d = await makeDevice();
    const [r1, r2] = [await next(d), await next(d)];
    const t1 = twinOf(r1);
    const stored1 = { jwsHash: hashJws(t1), ack: 'ack-of-twin' };
    expect(decide(verified(r1), { byId: stored1 })).toEqual({ status: 'duplicate', ack: 'ack-of-twin' });

    let reads = 0;
    const pred = (jws: string) => ({ jwsHash: hashJws(jws), chainStatus: 'complete' as const, jws: () => (reads++, jws) });
    expect(decide(verified(r2), { boundKid: d.kid, pred: pred(r1) })).toEqual({ status: 'accept', chainStatus: 'complete' });
    expect(reads).toBe(0);
    expect(decide(verified(r2), { boundKid: d.kid, pred: pred(t1) })).toEqual({ status: 'accept', chainStatus: 'complete' });
    expect(reads).toBe(1);
    // A predecessor posted after its successor: the twin of seq 1 fills the gap below a stored seq 2.
    expect(decide(verified(t1), { succ: { prev: payloadOf(r2).prev } })).toEqual({ status: 'accept', chainStatus: 'complete' });
    const other = await makeDevice();
    const stranger = await next(other);
    expect(decide(verified(r2), { boundKid: d.kid, pred: pred(stranger) })).toMatchObject({ status: 'rejected' });
  });
});
