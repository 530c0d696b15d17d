// Picks the short names of scripts/mangle-props.mjs for the smallest gzip of dist/consentseal.js and
// prints them as a `shortNames` to paste there. `node scripts/mangle-names.mjs` (one to three minutes).
// Run it when the build reports a clash or a missing short name, or after a Preact upgrade; any
// valid choice is correct, this one only saves bytes (about 30 B gzip on 2026-11-29 over terser's
// own picks; brotli, which the budget does not count, lost 34 B).
//
// How: minify once, then for each shortened property (most used first) try every free one-letter
// name (and two-letter ones for properties used at most twice), swapping with the property that
// holds it, and keep whatever shrinks the gzip. A candidate is free when the bundle uses it as no
// property name and no DOM interface has it (terser's list of DOM property names).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { parseAst } from 'rollup/parseAst';
import { minify } from 'terser';
import config, { terserOptions } from '../rollup.config.mjs';
import { mangledNames, propertyNamesIn, shortNames } from './mangle-props.mjs';

const gzip = (code) => gzipSync(code, { level: 9 }).length;
const build = config.find((b) => b.output.file === 'dist/consentseal.js');
const bundle = await rollup({ input: build.input, plugins: build.plugins.filter((p) => !['terser', 'check-short-names'].includes(p.name)) });
const [{ code: plain }] = (await bundle.generate(build.output)).output;

// Start from the short names in use that are still free; a listed name without one gets a free one.
const domprops = readFileSync(new URL('../tools/domprops.js', `file://${createRequire(import.meta.url).resolve('terser')}`), 'utf8');
const taken = new Set([...propertyNamesIn(parseAst(plain)), ...[...domprops.matchAll(/"([^"]+)"/g)].map((m) => m[1])]);
const letters = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$'];
const free = () => [...letters, ...letters.flatMap((a) => letters.map((b) => a + b))].filter((n) => !taken.has(n) && !mangledNames.test(n));
const options = terserOptions({ mangleProps: true });
const cache = options.nameCache.props.props;
for (const [key, short] of Object.entries(cache)) if (taken.has(short) || mangledNames.test(short)) delete cache[key];
const unused = free().filter((n) => !Object.values(cache).includes(n));
for (const name of [...propertyNamesIn(parseAst(plain))].filter((n) => mangledNames.test(n))) cache[`$${name}`] ??= unused.shift();
const { code } = await minify(plain, options);
const longOf = Object.fromEntries(Object.entries(options.nameCache.props.props).map(([key, short]) => [short, key.slice(1)]));
console.log(`start: ${gzip(code)} B gzip`);

// Where each short name sits in the minified code, so a choice is a string splice, not a minify.
const sites = [];
const walk = (node) => {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(walk);
  const at = (n, name, quoted) => Object.hasOwn(longOf, name) && sites.push({ start: n.start, end: n.end, short: name, quoted });
  if (node.type === 'MemberExpression') {
    if (!node.computed) at(node.property, node.property.name, false);
    else if (node.property.type === 'Literal') at(node.property, String(node.property.value), true);
  }
  if (/^(Property|MethodDefinition|PropertyDefinition)$/.test(node.type) && !node.computed) {
    if (node.shorthand) throw new Error(`shorthand property ${node.key.name}: cannot rename it by splicing`);
    at(node.key, node.key.name ?? String(node.key.value), node.key.type === 'Literal');
  }
  for (const k in node) if (k !== 'type' && typeof node[k] === 'object') walk(node[k]);
};
walk(parseAst(code));
sites.sort((a, b) => a.start - b.start);
const render = (pick) => {
  let out = '';
  let from = 0;
  for (const s of sites) {
    out += code.slice(from, s.start) + (s.quoted ? JSON.stringify(pick[s.short]) : pick[s.short]);
    from = s.end;
  }
  return out + code.slice(from);
};

const counts = {};
for (const s of sites) counts[s.short] = (counts[s.short] ?? 0) + 1;
const uses = (short) => counts[short];
const order = Object.keys(longOf).filter(uses).sort((a, b) => uses(b) - uses(a));
let pick = Object.fromEntries(order.map((s) => [s, s]));
let best = gzip(render(pick));
for (let round = 1; round <= 2; round++) {
  for (const s of order) {
    for (const name of free()) {
      if (name.length > 1 && uses(s) > 2) continue; // a second letter on every use never pays
      if (pick[s] === name) continue;
      const next = { ...pick };
      const holder = order.find((o) => next[o] === name);
      if (holder) next[holder] = pick[s];
      next[s] = name;
      const size = gzip(render(next));
      if (size < best) [best, pick] = [size, next];
    }
  }
  console.log(`round ${round}: ${best} B gzip`);
}

const chosen = Object.fromEntries(order.map((s) => [longOf[s], pick[s]]).sort(([a], [b]) => a.localeCompare(b)));
const check = terserOptions({ mangleProps: true });
check.nameCache.props.props = Object.fromEntries(Object.entries(chosen).map(([long, short]) => [`$${long}`, short]));
console.log(`with these names, minified again: ${gzip((await minify(plain, check)).code)} B gzip`);
console.log(`export const shortNames = ${JSON.stringify(chosen).replace(/"(\w+)":/g, '$1: ').replace(/"/g, "'").replace(/,/g, ', ')};`);
