import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layering the design promises: the core knows nothing of the widget, and the headless
// build stays free of Preact and CSS.

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') || e.name.endsWith('.tsx') ? [join(dir, e.name)] : []));

const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

describe('module boundaries', () => {
  it.each(['src/core', 'src/storage', 'src/receipts', 'src/gating', 'src/integrations', 'src/i18n'])('%s never imports the UI or Preact', (dir) => {
    for (const file of files(dir).filter((f) => !/\.test\.tsx?$/.test(f))) {
      const bad = imports(file).filter((spec) => /(^|\/)ui(\/|$)/.test(spec) || spec.startsWith('preact'));
      expect(bad, file).toEqual([]);
    }
  });

  // Styles live in src/ui only (embed placeholders included); scripts/size-check.mjs also checks
  // that dist/headless.js carries none.
  it.each(['src/core', 'src/storage', 'src/receipts', 'src/gating', 'src/integrations', 'src/i18n'])('%s carries no CSS', (dir) => {
    for (const file of files(dir)) expect(imports(file).filter((s) => s.endsWith('.css')), file).toEqual([]);
  });

  it('the browser layers never import the collector', () => {
    for (const dir of ['src/core', 'src/storage', 'src/receipts', 'src/gating', 'src/integrations', 'src/ui']) {
      for (const file of files(dir)) expect(imports(file).filter((s) => s.includes('collector')), file).toEqual([]);
    }
  });
});
