import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { collectorSigner, generateCollectorKey } from './ack';
import { verifyReceiptJws } from './jws';
import { makeDevice, next } from './test-receipts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

describe('collector key and acks', () => {
  it('makes a P-256 key whose acks jose verifies, naming the receipt, its hash and the time stored', async () => {
    const key = generateCollectorKey();
    expect(Object.keys(key.privateJwk).sort()).toEqual(['crv', 'd', 'kty', 'x', 'y']);
    const signer = collectorSigner(key);
    const r = verifyReceiptJws(await next(await makeDevice()));
    if (!r.ok) throw new Error(r.reason);
    const ack = signer.signAck(r.receipt, '2026-11-29T10:00:00.000Z');
    const { payload } = await compactVerify(ack, await importJWK(signer.publicJwk, 'ES256'));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({
      receiptId: r.receipt.payload.receiptId,
      receiptHash: r.receipt.jwsHash,
      storedAt: '2026-11-29T10:00:00.000Z',
    });
  });

  it('generates thousands of keys in a row without hanging (exporting a generated KeyObject deadlocks Node 20)', async () => {
    // In a child process, so a deadlock fails this test by its deadline instead of freezing the test run.
    // ack.ts bundles with no package imports, so a temp dir will do.
    const dir = mkdtempSync(join(tmpdir(), 'consentseal-ack-'));
    const file = join(dir, 'ack.mjs');
    await build({ entryPoints: [join(root, 'src/collector/ack.ts')], outfile: file, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent' });
    const script = `const { generateCollectorKey } = await import(${JSON.stringify(file)});
      const churn = [];
      for (let i = 0; i < 10000; i++) {
        if (!generateCollectorKey().privateJwk.d) process.exit(3);
        churn.push({ i, s: 'x' + i });
        if (churn.length > 1000) churn.length = 0;
      }
      console.log('ok');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    // ~13 s on an idle 2-core machine; a deadlock never ends, so the deadline only has to be far above
    // a slow run (a loaded machine took over 25 s).
    const deadline = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(deadline);
    rmSync(dir, { recursive: true, force: true });
    expect({ code, signal, out: out.trim() }).toEqual({ code: 0, signal: null, out: 'ok' });
  }, 100_000);
});
