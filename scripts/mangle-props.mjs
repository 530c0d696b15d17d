// Property names terser shortens in dist/consentseal.js, and only there: the IIFE is sealed, so
// nothing outside it reads these names. Measured on 2026-11-29: 215 B gzip with terser's own short
// names, 30 B more with the names below (chosen by `node scripts/mangle-names.mjs`; re-picked on
// 2026-11-30 after scripts/trim-preact.mjs cut most class-component names out of the bundle).
//
// A name is renamed everywhere in the bundle or nowhere, so one is listed only when every use of it
// in the bundle is internal. None of ours qualify: the config, the state, the events, the texts, the
// receipt payload, the cookie and the IndexedDB records are contract, and `window.ConsentSeal` is the
// whole core (`store`, `config`, `env`, `decide`, `emit`, … are reachable from the page). Mangling
// the few internal names we have (`readSync`, `onError`) made the gzip 9 B bigger, so the list is
// Preact's alone. Preact's are safe to rename because:
// - the bundle renders only function components of ours: no class component exists, so the class
//   lifecycle names below are only ever read (always undefined), never defined;
// - no preact/hooks, preact/devtools or second copy of Preact shares the `options` object, and the
//   page cannot reach the bundled Preact (`window.ConsentSeal` exposes no `h` or `render`);
// - Preact reads none of these by string. (It reads `key` and `ref` out of props by string and
//   turns every other prop into a DOM property or attribute, so no prop name is listed; its event
//   stamps `"__d" + random` and `"__a" + random` are computed keys, left as they are.)
// dist/headless.js and dist/index.js are unminified ESM for bundlers: never mangled.

/** Preact 10's own mangled internals (`_children` → `__k`, `_dom` → `__e`, `_parent` → `__`, …). */
const preactInternals = '__[a-zA-Z]?|_sb';

/** Class-component lifecycle, Component members and `options` hooks: none is defined or read by our code. */
const preactUnused = [
  'getDerivedStateFromProps',
  'getDerivedStateFromError',
  'getSnapshotBeforeUpdate',
  'getChildContext',
  'shouldComponentUpdate',
  'componentWillReceiveProps',
  'componentWillMount',
  'componentWillUpdate',
  'componentWillUnmount',
  'componentDidMount',
  'componentDidUpdate',
  'componentDidCatch',
  'defaultProps',
  'render', // Preact tells a class component by its prototype's render: none of ours has one
  'props', // of a vnode or component: our function components get theirs as an argument
  'context',
  'contextType',
  'sub', // a context provider's subscribe: no createContext in the bundle
  'base', // a component's DOM node
  'forceUpdate',
  'debounceRendering', // this and the next two: `options` hooks
  'vnode',
  'diffed',
  'unmount',
  '__html', // dangerouslySetInnerHTML's member: we never set one (no HTML is ever interpreted)
];

/** Which property names are shortened. */
export const mangledNames = new RegExp(`^(?:${preactInternals}|${preactUnused.join('|')})$`);

/**
 * The short name of each, picked for the smallest gzip (terser's own picks cost ~30 B more). terser
 * trusts these without checking them against the bundle, so `checkShortNames()` fails the build
 * when one of them is a property name anywhere in the bundle, and when a listed name in the bundle
 * has none here. None is a DOM property name either (Preact keeps `__k` on the element it renders
 * into): terser's own guard against those is off (`builtins`), since `context`, `contextType`, `sub`
 * and `unmount` are also DOM or built-in names, and we rename them knowingly.
 */
export const shortNames = {
  __: 'o', __b: 'm', __c: 'u', __d: 'ei', __e: 'i', __E: 'ee', __h: 'k', __i: 'el', __k: 'p', __n: 'hy',
  __P: 'ce', __s: 'ey', __u: 're', __v: 't', _sb: 'cn', base: 'co', context: 'j', props: 'h', render: 'se',
  // Read only in class-component branches that terser then drops: any free name will do.
  componentDidMount: 'Qa', componentDidUpdate: 'Qb', componentWillMount: 'Qc', componentWillReceiveProps: 'Qd',
  getDerivedStateFromProps: 'Qe', getSnapshotBeforeUpdate: 'Qf', sub: 'Qg',
};

/** The terser options that do it: `mangle.properties` and a fresh `nameCache` (terser writes to it). */
export const propertyMangling = () => ({
  mangle: { properties: { regex: mangledNames, builtins: true } },
  nameCache: { props: { props: Object.fromEntries(Object.entries(shortNames).map(([name, short]) => [`$${name}`, short])) } },
});

/** Every property name an ESTree AST uses: `a.b`, `a['b']`, `{ b }`, `{ 'b': … }`, class members, `'b' in a`. */
export function propertyNamesIn(ast) {
  const names = new Set();
  const walk = (node) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const key = (k) => (k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : undefined);
    if (node.type === 'MemberExpression') names.add(node.computed ? node.property.type === 'Literal' && String(node.property.value) : node.property.name);
    if (/^(Property|MethodDefinition|PropertyDefinition)$/.test(node.type) && !node.computed) names.add(key(node.key));
    if (node.type === 'BinaryExpression' && node.operator === 'in' && node.left.type === 'Literal') names.add(String(node.left.value));
    for (const k in node) if (k !== 'type' && typeof node[k] === 'object') walk(node[k]);
  };
  walk(ast);
  names.delete(undefined);
  names.delete(false);
  return names;
}

/**
 * A Rollup plugin, placed before terser: fails the build when a short name from `shortNames` is
 * already a property name in the bundle, is given twice, or is itself a name that gets shortened
 * (each would make two properties one), and when a name that gets shortened has no short name (terser
 * would pick one, maybe a DOM property's).
 */
export function checkShortNames() {
  return {
    name: 'check-short-names',
    renderChunk(code) {
      const used = propertyNamesIn(this.parse(code));
      const shorts = Object.values(shortNames);
      const clashes = Object.entries(shortNames).filter(
        ([, short]) => used.has(short) || mangledNames.test(short) || shorts.indexOf(short) != shorts.lastIndexOf(short),
      );
      const missing = [...used].filter((name) => mangledNames.test(name) && !Object.hasOwn(shortNames, name));
      const problems = [
        ...clashes.map(([name, short]) => `'${short}' (for ${name}) is already named in the bundle`),
        ...missing.map((name) => `${name} has no short name`),
      ];
      if (problems.length) {
        this.error(`scripts/mangle-props.mjs: ${problems.join(', ')}; run \`node scripts/mangle-names.mjs\` and paste its shortNames`);
      }
      return null;
    },
  };
}
