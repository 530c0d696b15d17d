/**
 * Test fixtures: real consent receipts made the way a browser would (P-256 key, ES256 compact JWS),
 * signed with `jose` so the collector is tested against a standard library, not its own code.
 * Used only by the collector's tests and bench.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { ReceiptPayload } from './types';

export interface TestDevice {
  subjectId: string;
  kid: string;
  jwk: JWK;
  privateKey: CryptoKey;
  /** The last receipt made by `next` (its hash becomes the next `prev`). */
  last?: string | undefined;
  seq: number;
}

export const b64url = (s: string | Uint8Array): string => Buffer.from(s).toString('base64url');
export const hashJws = (jws: string): string => createHash('sha256').update(jws).digest('base64url');

/** A browser: a P-256 key pair and a pseudonymous subject id. */
export async function makeDevice(subjectId: string = randomUUID()): Promise<TestDevice> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const pub = { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! };
  return { subjectId, kid: await calculateJwkThumbprint(pub), jwk: pub, privateKey, seq: 0 };
}

/** A valid payload for `device` at `seq` (prev must be supplied for seq > 1). */
export function payloadFor(device: TestDevice, seq: number, prev: string | null, over: Partial<Record<keyof ReceiptPayload, unknown>> = {}): Record<string, unknown> {
  return {
    ver: 1,
    receiptId: randomUUID(),
    subjectId: device.subjectId,
    seq,
    prev,
    issuedAt: new Date().toISOString(),
    action: 'custom',
    method: 'preferences',
    purposes: { necessary: true, analytics: true, marketing: false },
    policyVersion: '2026-11-01',
    policyUrl: 'https://shop.example/privacy',
    language: 'en',
    noticeHash: hashJws('notice'),
    page: 'https://shop.example/checkout',
    gpc: false,
    ephemeralKey: false,
    sdk: 'consentseal@0.1.0',
    ...over,
  };
}

/** Signs any payload/header combination with jose's CompactSign (the header defaults to the valid one). */
export async function sign(device: TestDevice, payload: unknown, header: Record<string, unknown> = {}): Promise<string> {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return new CompactSign(new TextEncoder().encode(text))
    .setProtectedHeader({ alg: 'ES256', typ: 'consent-receipt+jws', kid: device.kid, jwk: device.jwk, ...header } as never)
    .sign(device.privateKey);
}

/** The device's next receipt in its chain (seq + 1, prev = hash of its last receipt). */
export async function next(device: TestDevice, over: Partial<Record<keyof ReceiptPayload, unknown>> = {}): Promise<string> {
  const seq = device.seq + 1;
  const jws = await sign(device, payloadFor(device, seq, device.last ? hashJws(device.last) : null, over));
  device.seq = seq;
  device.last = jws;
  return jws;
}

/** Decodes a compact JWS payload without verifying (for reading what a test made). */
export const payloadOf = (jws: string): ReceiptPayload => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as ReceiptPayload;

/**
 * The signature twin of an ES256 JWS, (r, s) → (r, n − s), written out here independently of the collector's
 * `signatureTwin`: what a script that read a receipt from the browser could post in its place.
 */
export function twinOf(jws: string): string {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const sig = Buffer.from(s, 'base64url');
  const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  const low = n - BigInt(`0x${sig.subarray(32).toString('hex')}`);
  const out = Buffer.concat([sig.subarray(0, 32), Buffer.from(low.toString(16).padStart(64, '0'), 'hex')]);
  return `${h}.${p}.${out.toString('base64url')}`;
}
