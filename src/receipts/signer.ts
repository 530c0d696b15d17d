import { createStore, get, set } from '../core/idb';
import { b64u, utf8 } from '../core/bytes';
import { canonicalJson, sha256 } from './util';

/** Serves both generateKey (EcKeyGenParams) and sign (EcdsaParams); each reads only its own members. */
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** RFC 7638 thumbprint of a JWK reduced to its required members (for EC: crv, kty, x, y). */
export const thumbprint = (jwk: Record<string, string | undefined>): Promise<string> => sha256(canonicalJson(jwk));

/**
 * This browser's device key as a JWS signer (compact serialization, the contract's protected header).
 * It ends each payload with what the signer knows: whether its key is ephemeral (could not be kept,
 * e.g. private mode: it lives as long as the page) and the SDK version, the contract's last members.
 *
 * Loads the key from its own database, after a probe that it still signs, or makes a new
 * non-extractable P-256 key. A key that cannot be stored (DataCloneError) or a store that cannot be
 * read (so a stored key must not be overwritten) gives an ephemeral key.
 */
export async function loadSigner(): Promise<(payload: object) => Promise<string>> {
  const ks = createStore('consentseal-keys', 'keys');
  const sign = async (input: string) => b64u(await crypto.subtle.sign(ALG, pair.privateKey, utf8(input)));
  let pair: CryptoKeyPair;
  // Until the store answers, a new key must not overwrite one we could not read.
  let ephemeral = true;
  try {
    pair = (await get('device', ks))!;
    ephemeral = false;
    // The probe: a stored key must still sign before we rely on it (no key fails it too).
    await sign('');
  } catch {
    pair = (await crypto.subtle.generateKey(ALG, false, ['sign'])) as CryptoKeyPair;
    if (!ephemeral) await set('device', pair, ks).catch(() => (ephemeral = true));
  }
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const pub = { kty, crv, x, y };
  // `kid` is the key's {@link thumbprint}, spelled out: terser inlines the call less compactly (7 B gzip).
  const head = b64u(JSON.stringify({ alg: 'ES256', typ: 'consent-receipt+jws', kid: await sha256(canonicalJson(pub)), jwk: pub })) + '.';
  return async (payload) => {
    const input = head + b64u(JSON.stringify({ ...payload, ephemeralKey: ephemeral, sdk: 'consentseal@' + __SDK_VERSION__ }));
    return input + '.' + (await sign(input));
  };
}
