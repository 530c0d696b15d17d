import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { PORTS } from './ports';

// A decision shared by `cookie.domain` between two sites (a. and b.shop.consentseal.test), each
// signing receipts with its own key (IndexedDB is per origin), against a real collector.

const site = (host: string) => `http://${host}.shop.consentseal.test:${PORTS.pages}`;
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--host-resolver-rules=MAP *.shop.consentseal.test 127.0.0.1',
      // WebCrypto, and so receipts, need a secure context.
      `--unsafely-treat-insecure-origin-as-secure=${site('a')},${site('b')}`,
    ],
  },
});

let collector: ChildProcess;
/** The collector's port: any free one (a run with --repeat-each starts one collector per worker). */
let port: string;
let dir: string;
test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'consentseal-r9-'));
  collector = spawn(process.execPath, [fileURLToPath(new URL('../dist/collector-cli.js', import.meta.url)), '--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'c.db'), '--allow-origin', site('a'), '--allow-origin', site('b')]);
  port = await new Promise<string>((resolve, reject) => {
    collector.stdout!.on('data', (d) => {
      const listening = /listening on http:\/\/[^:]+:(\d+)/.exec(String(d));
      if (listening) resolve(listening[1]!);
    });
    collector.on('exit', reject);
  });
});
test.afterAll(() => {
  collector.kill();
  rmSync(dir, { recursive: true, force: true });
});

const receipts = (page: Page) => page.evaluate(() => (window as unknown as { receipts: string[] }).receipts);
const state = (page: Page) => page.evaluate(() => (window as unknown as { ConsentSeal: { getState(): { subjectId: string; purposes: object } } }).ConsentSeal.getState());

test("a sibling site's shared decision applies, and the decision made there gets receipts the collector accepts", async ({ context }) => {
  const a = await context.newPage();
  await a.goto(`${site('a')}/e2e/pages/r9-cookie-domain.html?collector=${port}`);
  await a.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => receipts(a)).toEqual(['signed', 'sent']);
  const first = await state(a);

  const b = await context.newPage();
  await b.goto(`${site('b')}/e2e/pages/r9-cookie-domain.html?collector=${port}`);
  expect(await state(b)).toMatchObject({ subjectId: first.subjectId, purposes: { analytics: true, marketing: true } });
  await b.evaluate(() => (window as unknown as { ConsentSeal: { setPurposes(c: object): Promise<unknown> } }).ConsentSeal.setPurposes({ marketing: false }));
  await expect.poll(() => receipts(b)).toEqual(['signed', 'sent']);
  expect(await b.evaluate(() => (window as unknown as { errors: string[] }).errors)).toEqual([]);

  // Back on a: b's decision applies there too, and a's next decision is accepted as well.
  await a.reload();
  expect((await state(a)).purposes).toMatchObject({ analytics: true, marketing: false });
  await a.evaluate(() => (window as unknown as { ConsentSeal: { rejectAll(): Promise<unknown> } }).ConsentSeal.rejectAll());
  await expect.poll(() => receipts(a)).toEqual(['signed', 'sent']);
  expect(await a.evaluate(() => (window as unknown as { errors: string[] }).errors)).toEqual([]);
});
