// Shared by the audit console specs: a real collector process (dist/collector-cli.js) on a fresh SQLite
// file, seeded over HTTP with real signed receipts, and a signed-in page.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { makeDevice, next, payloadOf, type TestDevice } from '../src/collector/test-receipts';
import type { ReceiptPayload } from '../src/collector/types';

export const TOKEN = 'e2e-dashboard-admin-token-0123456789';

export interface RunningCollector {
  url: string;
  /** The SQLite file (tests tamper with it directly). */
  db: string;
  /** POSTs receipts as a browser would; resolves to the collector's reply. */
  post(receipts: string[]): Promise<{ accepted: string[]; rejected: Array<{ index: number; reason: string }> }>;
}

/** Starts `consentseal-collector --port 0 --db <tmp> [args]` and waits for its "listening on" line. */
export async function startCollector(args: string[] = []): Promise<RunningCollector & { stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'consentseal-dashboard-e2e-'));
  const db = join(dir, 'collector.db');
  const child: ChildProcess = spawn(process.execPath, ['dist/collector-cli.js', '--port', '0', '--db', db, '--rate-limit', '0', ...args], {
    env: { ...process.env, CONSENTSEAL_ADMIN_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`collector exited (${code}): ${stderr}`)));
  });
  return {
    url,
    db,
    async post(receipts) {
      const res = await fetch(`${url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ receipts }) });
      expect(res.status).toBe(200);
      return res.json();
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Each test gets its own collector and store, so tests can tamper and count without seeing each other. */
export const test = base.extend<{ collector: RunningCollector }>({
  collector: async ({}, use) => {
    const c = await startCollector();
    await use(c);
    await c.stop();
  },
});
export { expect };

/** Signs in through the login form and waits for the overview. */
export async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/dashboard`);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('main[data-view="overview"][data-state="ready"]')).toBeVisible();
}

/** The UTC day `daysAgo` days before today, `YYYY-MM-DD`. */
export const dayAgo = (daysAgo: number): string => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

/** A device's next receipt issued at UTC midnight `daysAgo` days ago (never in the future, so days are predictable). */
export async function receiptOn(d: TestDevice, daysAgo: number, over: Partial<Record<keyof ReceiptPayload, unknown>> = {}): Promise<string> {
  const t = new Date();
  t.setUTCHours(0, 0, 0, 0);
  return next(d, { issuedAt: new Date(t.getTime() - daysAgo * 86_400_000).toISOString(), ...over });
}

export { makeDevice, payloadOf };
