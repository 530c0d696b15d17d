import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { createCollector } from './server';
import { backends } from './test-backends';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = join(root, 'node_modules/.cache/consentseal-collector-test', `cluster-${process.pid}.mjs`);

beforeAll(async () => {
  mkdirSync(dirname(fixture), { recursive: true });
  await build({
    entryPoints: [join(root, 'src/collector/test-cluster-fixture.ts')],
    outfile: fixture, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    external: ['better-sqlite3', 'pg', 'jose'], define: { __SDK_VERSION__: '"test"' }, logLevel: 'silent',
  });
}, 60_000);

const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      await once(c, 'exit');
    }
  }
  children.clear();
});

/** Starts the fixture cluster (one worker) and resolves with its URL and everything it wrote so far. */
async function cluster(mode: 'serve' | 'silent', db: string): Promise<{ url: string; output: () => string }> {
  const child = spawn(process.execPath, [fixture, mode, db], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`cluster exited (${code}): ${out}`)));
  });
  return { url, output: () => out };
}

const key = (url: string) => fetch(`${url}/.well-known/consentseal-collector-key`);

it('answers from the primary’s buckets in a worker of a library cluster (createCollector clusterLimits)', async () => {
  const backend = backends[0]![1]();
  try {
    const { url } = await cluster('serve', backend.cliArgs[1]!);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await key(url)).status);
    expect(statuses).toEqual([200, 200, 429]);
  } finally {
    await backend.cleanup();
  }
});

it('refuses with 429 and logs it when the primary does not answer (fail closed)', async () => {
  const backend = backends[0]![1]();
  try {
    const { url, output } = await cluster('silent', backend.cliArgs[1]!);
    const t = Date.now();
    const res = await key(url);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(Date.now() - t).toBeGreaterThanOrEqual(1900);
    // The worker logs before it answers; its stderr may reach this process just after the reply.
    await vi.waitFor(() => expect(output()).toContain('worker: rate limit unavailable, refusing requests with 429: the cluster primary did not answer a limit check'));
  } finally {
    await backend.cleanup();
  }
});

it('refuses clusterLimits outside a cluster worker, before opening any store', async () => {
  await expect(createCollector({ db: '/nonexistent/dir/never-opened.db', clusterLimits: true })).rejects.toThrow('clusterLimit: only in a cluster worker');
});
