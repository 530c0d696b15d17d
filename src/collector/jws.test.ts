import { CompactSign, EmbeddedJWK, calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCollectorKey } from './ack';
import { decodeB64url, jsonTooDeep, jwkThumbprint, MAX_JWS_LENGTH, verifyReceiptJws } from './jws';
import { b64url, hashJws, makeDevice, payloadFor, sign, type TestDevice } from './test-receipts';

let device: TestDevice;
let other: TestDevice;
beforeAll(async () => {
  device = await makeDevice();
  other = await makeDevice();
});

const reasonOf = (jws: unknown, now?: number): string => {
  const r = verifyReceiptJws(jws, now);
  if (r.ok) throw new Error('expected a rejection');
  return r.reason;
};

describe('verifyReceiptJws', () => {
  it('accepts a receipt that jose also verifies with its embedded key, and parses it', async () => {
    const payload = payloadFor(device, 1, null);
    const jws = await sign(device, payload);
    const byJose = await compactVerify(jws, EmbeddedJWK, { algorithms: ['ES256'] });
    expect(JSON.parse(new TextDecoder().decode(byJose.payload))).toEqual(payload);
    const r = verifyReceiptJws(jws);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.receipt.payload).toEqual(payload);
    expect(r.receipt.kid).toBe(device.kid);
    expect(r.receipt.jwsHash).toBe(hashJws(jws));
    expect(r.receipt.issuedAtUtc).toBe(new Date(payload.issuedAt as string).toISOString());
  });

  it('computes the RFC 7638 thumbprint exactly as jose does', async () => {
    expect(jwkThumbprint(device.jwk as never)).toBe(await calculateJwkThumbprint(device.jwk));
    expect(jwkThumbprint(other.jwk as never)).toBe(other.kid);
  });

  it('rejects a tampered payload (bad signature)', async () => {
    const jws = await sign(device, payloadFor(device, 1, null));
    const [h, , s] = jws.split('.');
    const forged = `${h}.${b64url(JSON.stringify(payloadFor(device, 1, null, { action: 'accept-all' })))}.${s}`;
    expect(reasonOf(forged)).toBe('signature: does not verify with header.jwk');
  });

  it('rejects a signature by another key than the embedded one', async () => {
    const jws = await sign(other, payloadFor(device, 1, null), { kid: device.kid, jwk: device.jwk });
    expect(reasonOf(jws)).toBe('signature: does not verify with header.jwk');
  });

  it('rejects a wrong alg, even one jose would refuse to sign with ES256 keys', async () => {
    const p = payloadFor(device, 1, null);
    const good = await sign(device, p);
    const [, body, sig] = good.split('.');
    const header = (o: object) => `${b64url(JSON.stringify(o))}.${body}.${sig}`;
    expect(reasonOf(header({ alg: 'none', typ: 'consent-receipt+jws', kid: device.kid, jwk: device.jwk }))).toBe('header.alg: must be ES256');
    expect(reasonOf(header({ alg: 'ES384', typ: 'consent-receipt+jws', kid: device.kid, jwk: device.jwk }))).toBe('header.alg: must be ES256');
    const hs = await new CompactSign(new TextEncoder().encode(JSON.stringify(p)))
      .setProtectedHeader({ alg: 'HS256', typ: 'consent-receipt+jws', kid: device.kid, jwk: device.jwk } as never)
      .sign(new Uint8Array(32));
    expect(reasonOf(hs)).toBe('header.alg: must be ES256');
  });

  it('rejects a wrong typ, a kid that is not the thumbprint, extra header members and a missing jwk', async () => {
    const p = payloadFor(device, 1, null);
    expect(reasonOf(await sign(device, p, { typ: 'JWT' }))).toBe('header.typ: must be consent-receipt+jws');
    expect(reasonOf(await sign(device, p, { kid: other.kid }))).toBe('header.kid: must be the RFC 7638 thumbprint of header.jwk');
    expect(reasonOf(await sign(device, p, { x5u: 'https://evil.example/k' }))).toBe('header: must hold exactly alg, typ, kid and jwk');
    expect(reasonOf(await sign(device, p, { jwk: undefined }))).toBe('header: must hold exactly alg, typ, kid and jwk');
  });

  it('rejects a jwk carrying the private key d, or other members, or another curve', async () => {
    const p = payloadFor(device, 1, null);
    const priv = generateCollectorKey().privateJwk;
    expect(reasonOf(await sign(device, p, { jwk: { ...device.jwk, d: priv.d } }))).toBe('header.jwk: must not contain a private key (d)');
    expect(reasonOf(await sign(device, p, { jwk: { ...device.jwk, ext: true } }))).toBe('header.jwk: must hold exactly kty, crv, x and y');
    expect(reasonOf(await sign(device, p, { jwk: { ...device.jwk, crv: 'P-384' } }))).toBe('header.jwk: must be an EC P-256 key');
    expect(reasonOf(await sign(device, p, { jwk: { ...device.jwk, x: 'abc' } }))).toBe('header.jwk: x and y must be 32-byte base64url coordinates');
  });

  it('rejects a key that is not a point on P-256', async () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: b64url(Buffer.alloc(32, 1)), y: b64url(Buffer.alloc(32, 2)) };
    const kid = await calculateJwkThumbprint(jwk);
    const p = payloadFor(device, 1, null);
    const [, body, sig] = (await sign(device, p)).split('.');
    expect(reasonOf(`${b64url(JSON.stringify({ alg: 'ES256', typ: 'consent-receipt+jws', kid, jwk }))}.${body}.${sig}`)).toBe(
      'header.jwk: not a valid P-256 public key',
    );
  });

  it('rejects malformed compact serialisations', async () => {
    const good = await sign(device, payloadFor(device, 1, null));
    const [h, p, s] = good.split('.') as [string, string, string];
    expect(reasonOf(42)).toBe('receipt: must be a compact JWS string');
    expect(reasonOf('a.b')).toBe('receipt: not a compact JWS (header.payload.signature)');
    expect(reasonOf(`${h}.${p}.${s}.x`)).toBe('receipt: not a compact JWS (header.payload.signature)');
    expect(reasonOf(`${h}=.${p}.${s}`)).toBe('header: not base64url JSON');
    expect(reasonOf(`${h}.${p}.${s.slice(0, -2)}`)).toBe('signature: must be a 64-byte ES256 signature');
    expect(reasonOf(`${h}.${p}.${s}x`)).toBe('signature: must be a 64-byte ES256 signature');
    expect(reasonOf('x'.repeat(MAX_JWS_LENGTH + 1))).toBe(`receipt: longer than ${MAX_JWS_LENGTH} characters`);
    const notJson = await sign(device, 'not json');
    expect(reasonOf(notJson)).toBe('payload: not base64url JSON');
    const deep = await sign(device, `{"a":${'['.repeat(20)}${']'.repeat(20)}}`);
    expect(reasonOf(deep)).toBe('payload: not base64url JSON');
  });

  it('rejects issuedAt more than 10 minutes in the future, and accepts up to 10 minutes', async () => {
    const now = Date.parse('2026-11-29T12:00:00.000Z');
    const at = (iso: string) => sign(device, payloadFor(device, 1, null, { issuedAt: iso }));
    expect(reasonOf(await at('2026-11-29T12:10:00.001Z'), now)).toBe('payload.issuedAt: more than 10 minutes in the future');
    expect(reasonOf(await at('2026-11-29T14:10:01+02:00'), now)).toBe('payload.issuedAt: more than 10 minutes in the future');
    expect(verifyReceiptJws(await at('2026-11-29T12:10:00.000Z'), now).ok).toBe(true);
    expect(verifyReceiptJws(await at('2020-01-01T00:00:00Z'), now).ok).toBe(true);
  });

  // Each payload rule, one bad value at a time: [field, value, expected reason prefix].
  const prev = hashJws('previous');
  const cases: Array<[string, unknown, string, number?]> = [
    ['ver', 2, 'payload.ver'],
    ['ver', '1', 'payload.ver'],
    ['receiptId', 'not-a-uuid', 'payload.receiptId'],
    ['receiptId', '3F2504E0-4F89-11D3-9A0C-0305E82C3301', 'payload.receiptId'],
    ['subjectId', 12, 'payload.subjectId'],
    ['seq', 0, 'payload.seq'],
    ['seq', 1.5, 'payload.seq'],
    ['seq', '2', 'payload.seq'],
    ['prev', prev, 'payload.prev: must be null when seq is 1'],
    ['prev', null, 'payload.prev: must be a base64url SHA-256', 2],
    ['prev', prev.slice(1), 'payload.prev', 2],
    ['prev', `${prev.slice(0, 42)}B`, 'payload.prev', 2],
    ['issuedAt', '2026-11-29', 'payload.issuedAt'],
    ['issuedAt', '2026-02-30T10:00:00Z', 'payload.issuedAt'],
    ['issuedAt', 'yesterday', 'payload.issuedAt'],
    ['action', 'accept', 'payload.action'],
    ['method', 'cookie', 'payload.method'],
    ['purposes', [], 'payload.purposes'],
    ['purposes', {}, 'payload.purposes'],
    ['purposes', { Analytics: true }, 'payload.purposes'],
    ['purposes', { analytics: 'yes' }, 'payload.purposes.analytics'],
    ['purposes', { ['a'.repeat(41)]: true }, 'payload.purposes'],
    ['purposes', Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, true])), 'payload.purposes'],
    ['policyVersion', '', 'payload.policyVersion'],
    ['policyVersion', 'v'.repeat(129), 'payload.policyVersion'],
    ['policyVersion', 'a\nb', 'payload.policyVersion'],
    ['policyUrl', '/privacy', 'payload.policyUrl'],
    ['policyUrl', 'javascript:alert(1)', 'payload.policyUrl'],
    ['policyUrl', `https://x.example/${'a'.repeat(2048)}`, 'payload.policyUrl'],
    ['language', 'english language', 'payload.language'],
    ['language', 'e', 'payload.language'],
    ['noticeHash', 'abc', 'payload.noticeHash'],
    ['page', 'https://shop.example/a?b=c', 'payload.page'],
    ['page', 'https://shop.example/a#top', 'payload.page'],
    ['page', 'ftp://shop.example/a', 'payload.page'],
    ['page', 'https://user:pw@shop.example/a', 'payload.page'],
    ['gpc', 'false', 'payload.gpc'],
    ['ephemeralKey', 0, 'payload.ephemeralKey'],
    ['sdk', '', 'payload.sdk'],
    ['sdk', 'consent seal', 'payload.sdk'],
    ['sdk', 's'.repeat(65), 'payload.sdk'],
  ];
  it.each(cases)('rejects payload.%s = %j', async (field, value, reason, seq = 1) => {
    const p = payloadFor(device, seq, seq === 1 ? null : prev, { [field]: value });
    expect(reasonOf(await sign(device, p))).toMatch(new RegExp(`^${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('rejects unknown, missing and non-object payloads', async () => {
    expect(reasonOf(await sign(device, { ...payloadFor(device, 1, null), extra: 1 }))).toBe('payload.extra: unknown field');
    const { sdk: _omit, ...missing } = payloadFor(device, 1, null);
    expect(reasonOf(await sign(device, missing))).toBe('payload.sdk: missing');
    expect(reasonOf(await sign(device, '[1]'))).toBe('payload: must be a JSON object');
  });

  it('verifies again from the key cache with the same result', async () => {
    const a = await sign(other, payloadFor(other, 1, null));
    expect(verifyReceiptJws(a).ok).toBe(true);
    expect(verifyReceiptJws(a).ok).toBe(true);
    const key = await importJWK(other.jwk, 'ES256');
    await expect(compactVerify(a, key)).resolves.toBeTruthy();
  });
});

describe('helpers', () => {
  it('decodes only canonical unpadded base64url', () => {
    expect(decodeB64url('aGk')?.toString()).toBe('hi');
    expect(decodeB64url('aGk=')).toBeUndefined();
    expect(decodeB64url('aGl')).toBeUndefined();
    expect(decodeB64url('a+k')).toBeUndefined();
  });
  it('measures JSON depth outside strings only', () => {
    expect(jsonTooDeep('[[[]]]', 3)).toBe(false);
    expect(jsonTooDeep('[[[[]]]]', 3)).toBe(true);
    expect(jsonTooDeep('{"a":"[[[[[[\\"[[["}', 1)).toBe(false);
    // An escaped backslash ends before the closing quote, so the brackets after it count.
    expect(jsonTooDeep('{"a":"x\\\\","b":[[1]]}', 2)).toBe(true);
    expect(jsonTooDeep('{"a":"x\\\\","b":[[1]]}', 3)).toBe(false);
    // Deep nesting after a long string run is still found, and a second call starts afresh.
    expect(jsonTooDeep(`{"r":["${'A'.repeat(5000)}"],"d":[[[[[[[[[]]]]]]]]]}`)).toBe(true);
    expect(jsonTooDeep(`{"r":["${'A'.repeat(5000)}"]}`)).toBe(false);
  });
});
