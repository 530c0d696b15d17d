// Fails when the script-tag build grows past its gzip budget; prints gzip and brotli sizes.
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const BUDGET_GZIP = 14 * 1024;
const files = ['dist/consentseal.js', 'dist/headless.js', 'dist/index.js'];

let failed = false;
for (const file of files) {
  const buf = readFileSync(file);
  const gz = gzipSync(buf, { level: 9 }).length;
  const br = brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const budget = file === 'dist/consentseal.js' ? BUDGET_GZIP : null;
  const over = budget !== null && gz > budget;
  if (over) failed = true;
  console.log(
    `${file.padEnd(22)} ${String(buf.length).padStart(7)} B raw  ${String(gz).padStart(6)} B gzip  ${String(br).padStart(6)} B brotli` +
      (budget ? `  budget ${budget} B gzip ${over ? 'EXCEEDED' : 'ok'} (${((gz / budget) * 100).toFixed(1)}%)` : ''),
  );
}
if (failed) {
  console.error('size check failed: dist/consentseal.js is over its gzip budget');
  process.exit(1);
}
