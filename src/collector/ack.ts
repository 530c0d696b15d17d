import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { decodeB64url, jwkThumbprint } from './jws';
import type { AckSigner, PublicEcJwk, StoredCollectorKey } from './types';

/** The JOSE `typ` of the collector's countersignature. */
export const ACK_TYP = 'consent-ack+jws';

/** Payload of an ack: which receipt, the hash of its exact JWS, and when the collector stored it. */
export interface AckPayload {
  receiptId: string;
  receiptHash: string;
  storedAt: string;
}

/** The collector's signing identity, loaded from its store. */
export interface CollectorSigner {
  kid: string;
  publicJwk: PublicEcJwk;
  /** Signs an ack over `{receiptId, receiptHash, storedAt}` (compact JWS, ES256). */
  signAck: AckSigner;
  /** Checks an ack made by this collector; returns its payload or undefined. */
  verifyAck(ack: string): AckPayload | undefined;
}

/** A fresh P-256 key for a new store. */
export function generateCollectorKey(): StoredCollectorKey {
  // Exported from a KeyObject of its own: exporting the generated KeyObject itself can deadlock Node 20
  // (a GC during the export finalizes the generation job, which takes the key lock the export holds),
  // which hung a starting collector now and then.
  const { privateKey: der } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { format: 'der', type: 'pkcs8' }, publicKeyEncoding: { format: 'der', type: 'spki' } });
  const privateJwk = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as Record<string, string>;
  return { privateJwk, createdAt: new Date().toISOString() };
}

const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Builds the signer for a stored collector key. */
export function collectorSigner(stored: StoredCollectorKey): CollectorSigner {
  const privateKey: KeyObject = createPrivateKey({ key: stored.privateJwk, format: 'jwk' });
  const full = createPublicKey(privateKey).export({ format: 'jwk' }) as Record<string, string>;
  const publicJwk: PublicEcJwk = { kty: 'EC', crv: 'P-256', x: full.x!, y: full.y! };
  const kid = jwkThumbprint(publicJwk);
  const publicKey = createPublicKey(privateKey);
  const header = b64json({ alg: 'ES256', typ: ACK_TYP, kid, jwk: publicJwk });
  const signJws = (payload: AckPayload): string => {
    const input = `${header}.${b64json(payload)}`;
    const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${sig.toString('base64url')}`;
  };
  return {
    kid,
    publicJwk,
    signAck: (receipt, storedAt) => signJws({ receiptId: receipt.payload.receiptId, receiptHash: receipt.jwsHash, storedAt }),
    verifyAck(ack) {
      const [h, p, s] = ack.split('.');
      if (h !== header || p === undefined || s === undefined) return undefined;
      const sig = decodeB64url(s);
      if (!sig || !verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)) return undefined;
      try {
        return JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as AckPayload;
      } catch {
        return undefined;
      }
    },
  };
}
