// Where the bytes of dist/consentseal.js come from: builds the script-tag bundle with a source map and
// attributes each minified character to its source file. Gzip per file is an estimate (each file's
// characters compressed alone, scaled so the column sums to the real total). `npm run size:breakdown`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';

const config = (await import('../rollup.config.mjs')).default.find((b) => b.output.file === 'dist/consentseal.js');
const bundle = await rollup({ input: config.input, plugins: config.plugins });
const { output } = await bundle.generate({ format: 'iife', sourcemap: true });
const { code, map } = output[0];
const trace = new TraceMap(map);

// The stylesheet arrives as one string without mappings; find it so it is not charged to its neighbour.
const css = readFileSync('src/ui/styles.css', 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').trim().slice(0, 24);
const name = (source) => (source ? source.replace(/.*node_modules\//, '').replace(/.*?\/src\//, 'src/') : '(wrapper)');
const chars = {};
for (const [l, line] of code.split('\n').entries()) {
  const cssStart = line.indexOf(css.replace(/\s*([{}:;,>])\s*/g, '$1').slice(0, 12));
  for (let c = 0; c < line.length; c++) {
    let file = name(originalPositionFor(trace, { line: l + 1, column: c }).source);
    if (cssStart >= 0 && c >= cssStart - 1) {
      const end = line.slice(cssStart).search(/(?<!\\)"/) + cssStart; // the closing, unescaped quote
      if (c <= end) file = 'src/ui/styles.css';
    }
    (chars[file] ??= []).push(line[c]);
  }
}
const gz = (s) => gzipSync(s, { level: 9 }).length;
const total = gz(code);
const rows = Object.entries(chars).map(([file, cs]) => [file, cs.length, gz(cs.join(''))]);
const sum = rows.reduce((n, r) => n + r[2], 0);
rows.sort((a, b) => b[2] - a[2]);
console.log('   raw B  ~gzip B  file');
for (const [file, raw, g] of rows) console.log(`${String(raw).padStart(8)} ${String(Math.round((g * total) / sum)).padStart(8)}  ${file}`);
console.log(`${String(code.length).padStart(8)} ${String(total).padStart(8)}  total (this build, before the size check's own build)`);
