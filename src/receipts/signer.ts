import { createStore, get, set } from 'idb-keyval';
import { b64u, canonicalJson, sha256, utf8 } from './util';

/** Serves both generateKey (EcKeyGenParams) and sign (EcdsaParams); each reads only its own members. */
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** RFC 7638 thumbprint of a JWK reduced to its required members (for EC: crv, kty, x, y). */
export const thumbprint = (jwk: Record<string, string | undefined>): Promise<string> => sha256(canonicalJson(jwk));

/** Signs receipts with this browser's device key. */
export interface Signer {
  /** JWS compact serialization of `payload` with the protected header of the contract. */
  sign(payload: object): Promise<string>;
  /** The key could not be kept (private mode): it lives only as long as this page. */
  ephemeral: boolean;
}

/**
 * Loads the device key from its own database, after a probe that it still signs, or makes a new
 * non-extractable P-256 key. A key that cannot be stored (DataCloneError) or a store that cannot be
 * read (so a stored key must not be overwritten) gives an ephemeral key.
 */
export async function loadSigner(): Promise<Signer> {
  const subtle = crypto.subtle;
  let pair: CryptoKeyPair | undefined;
  let ephemeral = false;
  let jwk: JsonWebKey | undefined;
  const ks = createStore('consentseal-keys', 'keys');
  let read = false;
  try {
    pair = await get<CryptoKeyPair>('device', ks);
    read = true;
    // The probe: a stored key must still sign (and its public half export) before we rely on it.
    if (pair) await subtle.sign(ALG, pair.privateKey, new Uint8Array(1)), (jwk = await subtle.exportKey('jwk', pair.publicKey));
  } catch {
    ephemeral = !read;
  }
  if (!pair || !jwk) {
    pair = (await subtle.generateKey(ALG, false, ['sign', 'verify'])) as CryptoKeyPair;
    jwk = await subtle.exportKey('jwk', pair.publicKey);
    try {
      if (!ephemeral) await set('device', pair, ks);
    } catch {
      ephemeral = true;
    }
  }
  const { kty, crv, x, y } = jwk;
  const pub = { kty, crv, x, y };
  const head = b64u(JSON.stringify({ alg: 'ES256', typ: 'consent-receipt+jws', kid: await thumbprint(pub), jwk: pub })) + '.';
  const key = pair.privateKey;
  return {
    ephemeral,
    sign: async (payload) => {
      const input = head + b64u(JSON.stringify(payload));
      return input + '.' + b64u(await subtle.sign(ALG, key, utf8(input)));
    },
  };
}
