import { readFileSync } from 'node:fs';
import { transform } from 'esbuild';
import { rollup } from 'rollup';
import { parseAst } from 'rollup/parseAst';
import { afterEach, describe, expect, it } from 'vitest';
import config from '../rollup.config.mjs';
import { checkShortNames, mangledNames, propertyNamesIn, shortNames } from './mangle-props.mjs';

const scriptBuild = config.find((b) => b.output.file === 'dist/consentseal.js');

/** Bundles `code` (one module) through the check and returns the error message, or '' when it passes. */
async function check(code) {
  const input = { name: 'input', resolveId: (id) => (id == 'entry' ? id : null), load: (id) => (id == 'entry' ? code : null) };
  try {
    await (await rollup({ input: 'entry', plugins: [input, checkShortNames()] })).generate({ format: 'iife' });
    return '';
  } catch (e) {
    return e.message;
  }
}

describe('propertyNamesIn', () => {
  it('finds a property name in every place one is written', () => {
    const names = propertyNamesIn(parseAst('a.b; a["c"]; ({ d: 1, "e": 2, f, [g]: 3 }); class K { h() {} i = 1 } "j" in a; a[k];'));
    expect([...names].sort()).toEqual(['b', 'c', 'd', 'e', 'f', 'h', 'i', 'j']);
  });
});

describe('checkShortNames', () => {
  const saved = { ...shortNames };
  afterEach(() => Object.assign(shortNames, saved));

  it('passes a bundle that uses none of the short names as a property', async () => {
    expect(await check('window.x = { purposes: 1 }.purposes;')).toBe('');
  });

  it('fails the build when a short name is already a property, and names both', async () => {
    const [long, short] = Object.entries(shortNames)[0];
    expect(await check(`window.x = { ${short}: 1 };`)).toContain(`'${short}' (for ${long})`);
    expect(await check(`window.x = window.y.${short};`)).toContain(`'${short}' (for ${long})`);
  });

  it('fails the build when a name that gets shortened has no short name', async () => {
    expect(await check('window.x = window.y.__q;')).toContain('__q has no short name');
  });

  it('fails the build when two names share a short name, or a short name is itself shortened', async () => {
    shortNames.__b = shortNames.__c;
    expect(await check('window.x = 1;')).toContain(`(for __b)`);
    Object.assign(shortNames, saved);
    shortNames.__b = '__k';
    expect(await check('window.x = 1;')).toContain(`'__k' (for __b)`);
  });
});

describe('the script-tag bundle', () => {
  it('shortens no property name our own code uses: every shortened name is Preact-internal', async () => {
    const bundle = await rollup({ input: scriptBuild.input, plugins: scriptBuild.plugins.filter((p) => p.name != 'terser') });
    const [chunk] = (await bundle.generate(scriptBuild.output)).output;
    const ours = Object.keys(chunk.modules).filter((id) => id.includes('/src/') && /\.tsx?$/.test(id));
    expect(ours.length).toBeGreaterThan(20);
    const clashes = [];
    for (const id of ours) {
      const { code } = await transform(readFileSync(id, 'utf8'), { loader: id.endsWith('x') ? 'tsx' : 'ts', jsx: 'automatic', jsxImportSource: 'preact' });
      for (const name of propertyNamesIn(parseAst(code))) if (mangledNames.test(name)) clashes.push(`${id}: ${name}`);
    }
    expect(clashes).toEqual([]);
  });

  it('has every listed name shortened and none left in the minified output', async () => {
    const bundle = await rollup({ input: scriptBuild.input, plugins: scriptBuild.plugins });
    const [{ code }] = (await bundle.generate(scriptBuild.output)).output;
    const left = [...propertyNamesIn(parseAst(code))].filter((name) => mangledNames.test(name));
    expect(left).toEqual([]);
    expect(Object.keys(shortNames).filter((name) => !mangledNames.test(name))).toEqual([]);
  }, 60_000);
});
