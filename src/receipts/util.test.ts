import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { thumbprint } from './signer';
import { b64u } from '../core/bytes';
import { canonicalJson, serial, sha256 } from './util';

describe('b64u', () => {
  it('encodes bytes and UTF-8 strings without padding, URL-safe', () => {
    expect(b64u(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    expect(b64u(new Uint8Array([0xff]))).toBe('_w');
    expect(b64u('{"alg":"ES256"}')).toBe('eyJhbGciOiJFUzI1NiJ9');
    expect(b64u('é€')).toBe(Buffer.from('é€').toString('base64url'));
    const big = crypto.getRandomValues(new Uint8Array(65_536));
    expect(b64u(big)).toBe(Buffer.from(big).toString('base64url'));
  });

  it('sha256 matches node:crypto', async () => {
    const { createHash } = await import('node:crypto');
    expect(await sha256('abc')).toBe(createHash('sha256').update('abc').digest('base64url'));
  });
});

describe('canonicalJson', () => {
  it('sorts members by UTF-16 code units, recursively, without whitespace', () => {
    // RFC 8785 §3.2.3 sorting example (keys only).
    const v = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // Read the order off the text: JSON.parse would move the integer-like key "1" first.
    expect([...canonicalJson(v).matchAll(/:"([^"]+)"/g)].map((m) => m[1])).toEqual([
      'Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(canonicalJson({ b: [1, { d: null, c: true }], a: 'x "y"', u: undefined })).toBe('{"a":"x \\"y\\"","b":[1,{"c":true,"d":null}]}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson(1e21)).toBe('1e+21');
  });
});

describe('thumbprint (RFC 7638)', () => {
  it('gives the §3.1 example value', async () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
    };
    expect(await thumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('agrees with jose for a P-256 key', async () => {
    const { publicKey } = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])) as CryptoKeyPair;
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', publicKey);
    expect(await thumbprint({ kty, crv, x, y })).toBe(await calculateJwkThumbprint({ kty: kty!, crv: crv!, x: x!, y: y! }));
  });
});

describe('serial', () => {
  it('runs each task under the Web Lock of its name, and rejects (never throws) where the browser has none', async () => {
    const locks = { request: vi.fn(async (_name: string, fn: () => Promise<unknown>) => fn()) };
    const real = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true });
    try {
      expect(await serial('consentseal-x')(async () => 'done')).toBe('done');
      expect(locks.request).toHaveBeenCalledWith('consentseal-x', expect.any(Function));
      Object.defineProperty(globalThis, 'navigator', { value: { locks: null }, configurable: true });
      const run = serial('consentseal-x')(async () => 'never');
      await expect(run).rejects.toThrow(TypeError);
    } finally {
      if (real) Object.defineProperty(globalThis, 'navigator', real);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });
});
