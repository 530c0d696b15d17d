// Property names terser may shorten in dist/consentseal.js (and only there: the IIFE is sealed, so
// nothing outside it can read these names). Measured on 2026-11-29: 16,617 → 16,461 B gzip.
//
// A name is renamed everywhere in the bundle or nowhere, so one is listed only when every use of it
// in the bundle is internal. None of ours qualify: the config, the state, the events, the texts, the
// receipt payload, the cookie and the IndexedDB records are contract, and `window.ConsentSeal` is the
// whole core (`store`, `config`, `env`, `decide`, `emit`, … are reachable from the page). Mangling
// the few internal names we have (`readSync`, `onError`) made the gzip 9 B bigger, so the list is
// Preact's alone. Preact's internals are safe to rename because:
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

/** Class-component lifecycle, Component methods and `options` hooks: none is defined or called by our code. */
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
  'contextType',
  'forceUpdate',
  'sub', // a context provider's subscribe: no createContext in the bundle
  'debounceRendering', // options hooks, see above
  'vnode',
  'diffed',
  'unmount',
];

/** terser `mangle.properties` for the script-tag build. `__html` (dangerouslySetInnerHTML) does not match. */
export const mangleProperties = { regex: new RegExp(`^(?:${preactInternals}|${preactUnused.join('|')})$`) };
