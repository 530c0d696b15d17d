import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, EmbeddedJWK } from 'jose';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { dbs, faults, reset } from './fake-idb';
import { loadSigner } from './signer';

vi.mock('../core/idb', () => import('./fake-idb'));

const keyDb = () => dbs.get('consentseal-keys/keys');

beforeEach(reset);

/** What the signer stamps on every payload: whether its key is ephemeral, and the SDK version. */
const stamped = async (sign: Awaited<ReturnType<typeof loadSigner>>) => {
  const { ephemeralKey, sdk } = payloadOf(await sign({}));
  expect(sdk).toBe(`consentseal@${__SDK_VERSION__}`);
  return ephemeralKey as boolean;
};
const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('loadSigner', () => {
  it('signs an ES256 JWS that jose verifies with the embedded key; header exactly as the contract', async () => {
    const sign = await loadSigner();
    const jws = await sign({ ver: 1, hello: 'wörld' });
    const { payload, protectedHeader } = await compactVerify(jws, EmbeddedJWK, { algorithms: ['ES256'] });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ ver: 1, hello: 'wörld', ephemeralKey: false, sdk: `consentseal@${__SDK_VERSION__}` });
    expect(Object.keys(JSON.parse(new TextDecoder().decode(payload)))).toEqual(['ver', 'hello', 'ephemeralKey', 'sdk']);
    expect(Object.keys(protectedHeader)).toEqual(['alg', 'typ', 'kid', 'jwk']);
    expect(protectedHeader.alg).toBe('ES256');
    expect(protectedHeader.typ).toBe('consent-receipt+jws');
    expect(Object.keys(protectedHeader.jwk!)).toEqual(['kty', 'crv', 'x', 'y']);
    expect(protectedHeader.kid).toBe(await calculateJwkThumbprint(protectedHeader.jwk!));
    expect(Buffer.from(jws.split('.')[2]!, 'base64url')).toHaveLength(64);
  });

  it('keeps the private key non-extractable in its own database and reuses it', async () => {
    const first = await loadSigner();
    const pair = keyDb()!.get('device') as CryptoKeyPair;
    expect(pair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', pair.privateKey)).rejects.toThrow();
    const second = await loadSigner();
    const kid = async (s: typeof first) => decodeProtectedHeader(await s({})).kid;
    expect(await kid(second)).toBe(await kid(first));
    expect(await stamped(second)).toBe(false);
  });

  it('replaces a stored key that no longer signs', async () => {
    const old = await loadSigner();
    const oldKid = decodeProtectedHeader(await old({})).kid;
    keyDb()!.set('device', { privateKey: 'broken', publicKey: 'broken' });
    const sign = await loadSigner();
    const jws = await sign({});
    await compactVerify(jws, EmbeddedJWK);
    expect(decodeProtectedHeader(jws).kid).not.toBe(oldKid);
    expect((keyDb()!.get('device') as CryptoKeyPair).privateKey).toBeInstanceOf(CryptoKey);
  });

  it('uses an ephemeral key when the key cannot be stored (DataCloneError)', async () => {
    faults.set = new DOMException('CryptoKey cannot be cloned', 'DataCloneError');
    const sign = await loadSigner();
    expect(await stamped(sign)).toBe(true);
    await compactVerify(await sign({}), EmbeddedJWK);
  });

  it('does not overwrite a stored key it cannot read: ephemeral instead', async () => {
    await loadSigner();
    const stored = keyDb()!.get('device');
    faults.get = new Error('IndexedDB read failed');
    expect(await stamped(await loadSigner())).toBe(true);
    expect(keyDb()!.get('device')).toBe(stored);
  });
});
