// Builds every file that ships in dist/. See the "Builds" table in the README.
import { readFileSync } from 'node:fs';
import resolve from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';
import { checkShortNames, propertyMangling } from './scripts/mangle-props.mjs';
import { trimPreactPlugin } from './scripts/trim-preact.mjs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const define = { __SDK_VERSION__: JSON.stringify(pkg.version) };

/** `import css from './x.css'` yields the stylesheet as a minified string (the widget adopts it). */
function cssString() {
  return {
    name: 'css-string',
    transform(code, id) {
      if (!id.endsWith('.css')) return null;
      const min = code
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\s+/g, ' ')
        .replace(/\s*([{}:;,>])\s*/g, '$1')
        .replace(/;}/g, '}')
        .trim();
      return { code: `export default ${JSON.stringify(min)};`, map: { mappings: '' } };
    },
  };
}

// ascii_only: \u escapes keep the zh-CN texts intact on a page served in another charset (and
// compress better than raw UTF-8). mangleProps: only for the sealed script-tag IIFE (see
// scripts/mangle-props.mjs). arrows: false leaves object methods as methods rather than arrow-valued
// properties (`load(){return …}`), 5 B gzip smaller on the script tag. Exported for scripts/mangle-names.mjs.
export const terserOptions = ({ mangleProps = false } = {}) => ({
  ecma: 2020,
  module: false,
  compress: { passes: 3, unsafe_arrows: true, arrows: false, pure_getters: true },
  ...(mangleProps ? propertyMangling() : { mangle: { properties: false } }),
  format: { comments: false, ascii_only: true },
});

/** Drops the newline Rollup ends a minified file with: 1 B raw, 4 B gzip on 2026-11-29. */
const noFinalNewline = () => ({
  name: 'no-final-newline',
  generateBundle(_, bundle) {
    for (const file of Object.values(bundle)) if (file.type == 'chunk') file.code = file.code.trimEnd();
  },
});

/**
 * Declares with `let` what the source declares with `const`, before terser: nothing assigns to them
 * (TypeScript refuses it; Preact, zustand and idb-keyval assign to none of theirs), and `let` has the
 * same block scope, temporal dead zone and fresh binding per loop iteration, so only the keyword
 * differs, and terser joins the declarations. 41 B gzip on 2026-11-30.
 */
const constAsLet = () => ({
  name: 'const-as-let',
  renderChunk(code) {
    const starts = [];
    const walk = (node) => {
      if (!node || typeof node != 'object') return;
      if (Array.isArray(node)) return node.forEach(walk);
      if (node.type == 'VariableDeclaration' && node.kind == 'const') starts.push(node.start);
      for (const k in node) if (k != 'type') walk(node[k]);
    };
    walk(this.parse(code));
    // From the end, so that each start still points at its `const`.
    for (const at of starts.sort((a, b) => b - a)) code = code.slice(0, at) + 'let' + code.slice(at + 5);
    return { code, map: null };
  },
});

/**
 * V8's explicit compile hint (Chrome 136+; other engines read a comment): every function of the file is
 * compiled eagerly, on the thread that streams the script in, instead of being pre-parsed there and
 * parsed and compiled again on the page's main thread at its first call. Nearly all of the script-tag
 * build runs on a first visit, so this took the lazy compiles out of its evaluation: 57 → 9 ms of
 * main-thread time (4× CPU throttling) for 21 B gzip. See README "Size and speed".
 */
const compileHint = () => ({
  name: 'compile-hint',
  generateBundle(_, bundle) {
    for (const file of Object.values(bundle)) {
      if (file.type != 'chunk') continue;
      file.code = '//# allFunctionsCalledOnLoad\n' + file.code;
      // One line more at the top.
      if (file.map) file.map.mappings = ';' + file.map.mappings;
    }
  },
});

/**
 * The script-tag build runs only in a page (it reads `document.currentScript` as it starts), so the
 * source's guards for server-side rendering and workers, where `document` or `navigator` is missing,
 * are always false there: written as such, terser drops them. The ESM builds keep them.
 */
const inPage = () => ({
  name: 'in-page',
  transform(code, id) {
    if (!/\.tsx?$/.test(id)) return null;
    const out = code
      .replace(/typeof document == 'undefined'/g, 'false')
      .replace(/globalThis\.(document|navigator)\b/g, '$1');
    return out == code ? null : { code: out, map: null };
  },
});

// `sealed`: the script-tag IIFE, whose Preact nothing outside can reach; only there are Preact's
// unused paths cut (scripts/trim-preact.mjs) and its property names shortened (scripts/mangle-props.mjs).
// The minified builds keep ES2021 syntax (`??=`, `||=`: 13 B gzip on the script tag). They already
// need more than ES2021 to work in full (`<dialog>.showModal()`, `Array.prototype.at`: Chrome 92,
// Firefox 98, Safari 15.4), so this excludes no browser they work in. The ESM builds stay ES2020.
const browserPlugins = (minify, { sealed = false } = {}) => [
  ...(sealed ? [trimPreactPlugin(), inPage()] : []),
  cssString(),
  resolve({ browser: true }),
  esbuild({ target: minify ? 'es2021' : 'es2020', define, jsx: 'automatic', jsxImportSource: 'preact', minify: false }),
  ...(minify ? [...(sealed ? [checkShortNames(), constAsLet()] : []), terser(terserOptions({ mangleProps: sealed })), noFinalNewline(), ...(sealed ? [compileHint()] : [])] : []),
];

const nodeExternal = (id) => id.startsWith('node:') || ['jose', 'better-sqlite3', 'pg'].some((d) => id === d || id.startsWith(`${d}/`));
const nodePlugins = [cssString(), resolve({ preferBuiltins: true }), esbuild({ target: 'node20', define, jsx: 'automatic', jsxImportSource: 'preact' })];

const builds = [
  {
    tag: 'script',
    input: 'src/script-tag.ts',
    output: { file: 'dist/consentseal.js', format: 'iife', sourcemap: false },
    plugins: browserPlugins(true, { sealed: true }),
  },
  {
    tag: 'esm',
    input: { index: 'src/index.ts', headless: 'src/headless.ts' },
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    plugins: browserPlugins(false),
  },
  {
    tag: 'dashboard',
    input: 'src/collector/dashboard/app.ts',
    output: { file: 'dist/dashboard.js', format: 'iife' },
    plugins: browserPlugins(true),
  },
  {
    tag: 'collector',
    input: { collector: 'src/collector/index.ts', 'collector-cli': 'src/collector/cli.ts' },
    output: {
      dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js',
      banner: (chunk) => (chunk.isEntry && chunk.name === 'collector-cli' ? '#!/usr/bin/env node' : ''),
    },
    external: nodeExternal,
    plugins: nodePlugins,
  },
  {
    tag: 'types',
    input: { index: 'src/index.ts', headless: 'src/headless.ts', collector: 'src/collector/index.ts' },
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
    external: nodeExternal,
    plugins: [dts({ respectExternal: false, compilerOptions: { noEmit: false, declaration: true } })],
  },
];

// BUILD=esm,collector builds only those parts (script, esm, dashboard, collector, types); default: all.
const only = process.env.BUILD?.split(',');
export default builds
  .filter((b) => !only || only.includes(b.tag))
  .map(({ tag, ...options }) => options);
