import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { validateConfig } from './core/config';

// The README's examples are part of the product: its configs must validate and its code must parse.

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/^```(\w+)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1]!, code: m[2]!, line: readme.slice(0, m.index).split('\n').length }));
const stripComments = (jsonc: string) => jsonc.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*/g, (_, str: string | undefined) => str ?? '');

/** Every object literal passed to createConsent(…) or ConsentSeal.init(…) in a JS/TS block. */
function configsIn(code: string): string[] {
  const file = ts.createSourceFile('x.ts', code, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && /(^|\.)(createConsent|init)$/.test(node.expression.getText()) && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) {
      found.push(node.arguments[0].getText());
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('README examples', () => {
  it('has examples to check', () => {
    expect(blocks.length).toBeGreaterThan(5);
  });

  const configs = [
    ...blocks.filter((b) => b.lang === 'html').flatMap((b) =>
      [...b.code.matchAll(/<script type="application\/json" id="consentseal-config">([\s\S]*?)<\/script>/g)].map((m) => ({ line: b.line, text: m[1]!, json: true })),
    ),
    // ```json blocks are configs; ```jsonc ones document other shapes (the notice document).
    ...blocks.filter((b) => b.lang === 'json').map((b) => ({ line: b.line, text: stripComments(b.code), json: true })),
    ...blocks.filter((b) => b.lang === 'ts' || b.lang === 'js').flatMap((b) => configsIn(b.code).map((text) => ({ line: b.line, text, json: false }))),
  ];

  it('shows several configs', () => {
    expect(configs.length).toBeGreaterThanOrEqual(3);
  });

  it.each(configs.map((c) => [c.line, c] as const))('config in the block at line %i validates', (_, c) => {
    const value: unknown = c.json ? JSON.parse(c.text) : new Function(`return (${c.text});`)();
    expect(() => validateConfig(value)).not.toThrow();
  });

  it.each(blocks.filter((b) => ['ts', 'js'].includes(b.lang)).map((b) => [b.line, b] as const))('code in the block at line %i parses', (_, b) => {
    const out = ts.transpileModule(b.code, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    expect(out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')) ?? []).toEqual([]);
  });
});
