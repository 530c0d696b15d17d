// The audit console (GET /dashboard) in real Chromium against the built collector (dist/collector-cli.js).
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import Database from 'better-sqlite3';
import type { Page } from '@playwright/test';
import { DASHBOARD_CSP } from '../src/collector/dashboard/routes';
import { request as httpRequest } from 'node:http';
import { TOKEN, dayAgo, expect, makeDevice, payloadOf, receiptOn, signIn, startCollector, test } from './dashboard-helpers';

const P = (analytics: boolean, marketing: boolean) => ({ necessary: true, analytics, marketing });

/** Fails the test on any CSP violation or page error: the console must work under its own strict policy. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

test('nothing under /dashboard works without signing in, and a wrong token is refused', async ({ page, collector, request }) => {
  for (const path of ['/dashboard/api/overview', '/dashboard/api/receipts', '/dashboard/api/subjects/00000000-0000-4000-8000-000000000000', '/dashboard/api/export?format=csv', '/dashboard/dashboard.js']) {
    expect((await request.get(`${collector.url}${path}`)).status(), path).toBe(401);
  }
  expect((await request.post(`${collector.url}/dashboard/api/verify`, { headers: { origin: collector.url } })).status()).toBe(401);
  // A cross-site form post of the right token is refused (CSRF), without a session.
  const csrf = await request.post(`${collector.url}/dashboard/login`, { form: { token: TOKEN }, headers: { origin: 'http://evil.example' }, maxRedirects: 0 });
  expect(csrf.status()).toBe(403);
  expect(csrf.headers()['set-cookie']).toBeUndefined();

  const res = await page.goto(`${collector.url}/dashboard`);
  expect(res!.headers()['content-security-policy']).toBe(DASHBOARD_CSP);
  await page.getByLabel('Admin token').fill('not-the-admin-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong admin token.');
  expect(await page.context().cookies()).toEqual([]);

  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  const [cookie] = await page.context().cookies();
  expect(cookie).toMatchObject({ name: 'consentseal_dashboard', path: '/dashboard', httpOnly: true, sameSite: 'Strict', expires: -1 });
  expect(cookie!.value).not.toContain(TOKEN);
});

test('the overview shows the numbers the store holds, as charts and tables', async ({ page, collector, request }) => {
  const errors = watchErrors(page);
  const [a, b, c, d] = await Promise.all([makeDevice(), makeDevice(), makeDevice(), makeDevice()]);
  const receipts = [
    await receiptOn(a!, 3, { action: 'accept-all', purposes: P(true, true), policyVersion: 'v1' }),
    await receiptOn(a!, 1, { action: 'withdraw', purposes: P(false, false), policyVersion: 'v1' }),
    await receiptOn(b!, 3, { action: 'reject-all', purposes: P(false, false), policyVersion: 'v1', language: 'de', gpc: true }),
    await receiptOn(c!, 2, { action: 'custom', purposes: P(true, false), policyVersion: 'v2' }),
    await receiptOn(d!, 1, { action: 'accept-all', purposes: P(true, false), policyVersion: 'v2', language: 'zh-CN', gpc: true }),
  ];
  expect((await collector.post(receipts)).accepted).toHaveLength(5);
  // The collector's own statistics endpoint agrees on what is stored.
  const stats = await (await request.get(`${collector.url}/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  expect(stats.total).toBe(5);

  await signIn(page, collector.url);
  await expect(page.getByTestId('total')).toHaveText('5');
  await expect(page.getByTestId('share-accept-all')).toHaveText('40.0%');
  await expect(page.getByTestId('share-reject-all')).toHaveText('20.0%');
  await expect(page.getByTestId('share-custom')).toHaveText('20.0%');
  await expect(page.getByTestId('share-withdraw')).toHaveText('20.0%');
  await expect(page.getByTestId('share-gpc')).toHaveText('40.0%');
  await expect(page.getByTestId('incomplete')).toHaveText('0');

  // Receipts per day: one bar per day from the first to the last, each titled with its count.
  const bars = page.getByTestId('chart-per-day').locator('rect');
  await expect(bars).toHaveCount(3);
  expect(await bars.locator('title').allTextContents()).toEqual([`${dayAgo(3)}: 2`, `${dayAgo(2)}: 1`, `${dayAgo(1)}: 2`]);
  // One line per purpose in the acceptance chart, drawn as SVG elements.
  const lines = page.getByTestId('chart-purposes').locator('path');
  expect(await lines.evaluateAll((ps) => ps.map((p) => `${p.namespaceURI} ${p.getAttribute('data-series')}`))).toEqual([
    'http://www.w3.org/2000/svg analytics', 'http://www.w3.org/2000/svg marketing', 'http://www.w3.org/2000/svg necessary',
  ]);

  const rows = (id: string) => page.getByTestId(id).locator('tbody tr');
  await expect(rows('purposes')).toHaveText([/^analytics\s*3\s*2\s*60\.0%$/, /^marketing\s*1\s*4\s*20\.0%$/, /^necessary\s*5\s*0\s*100\.0%$/]);
  await expect(rows('actions')).toHaveText([/^accept-all\s*2\s*40\.0%$/, /^reject-all\s*1\s*20\.0%$/, /^custom\s*1\s*20\.0%$/, /^withdraw\s*1\s*20\.0%$/]);
  // By policy version: receipts, action shares, GPC, then acceptance per purpose (analytics, marketing, necessary).
  await expect(rows('versions').nth(0).locator('td')).toHaveText(['v1', dayAgo(3), dayAgo(1), '3', '33.3%', '33.3%', '0.0%', '33.3%', '33.3%', '33.3%', '33.3%', '100.0%']);
  await expect(rows('versions').nth(1).locator('td')).toHaveText(['v2', dayAgo(2), dayAgo(1), '2', '50.0%', '0.0%', '50.0%', '0.0%', '50.0%', '100.0%', '0.0%', '100.0%']);
  await expect(rows('languages').locator('td:first-child')).toHaveText(['de', 'en', 'zh-CN']);
  await expect(rows('languages').nth(1).locator('td')).toHaveText(['en', '3', '33.3%', '0.0%', '33.3%', '33.3%', '0.0%']);

  // A day range narrows everything to the counters of those days.
  await page.getByLabel('From day (UTC)').fill(dayAgo(1));
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('total')).toHaveText('2');
  await expect(page.getByTestId('chart-per-day').locator('rect')).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('search by subject, receipt id and time range leads to the subject chain, re-verified', async ({ page, collector }) => {
  const errors = watchErrors(page);
  const d = await makeDevice();
  const other = await makeDevice();
  const chain = [
    await receiptOn(d, 5, { action: 'accept-all', purposes: P(true, true) }),
    await receiptOn(d, 4, { action: 'custom', purposes: P(true, false), method: 'preferences' }),
    await receiptOn(d, 2, { action: 'withdraw', purposes: P(false, false), method: 'api', policyVersion: '2026-12-01' }),
  ];
  const lone = await receiptOn(other, 4, { action: 'reject-all', purposes: P(false, false) });
  // Sent out of order: the collector links them anyway.
  expect((await collector.post([chain[2]!, lone, chain[0]!, chain[1]!])).accepted).toHaveLength(4);
  await signIn(page, collector.url);

  await page.getByRole('link', { name: 'Search' }).click();
  await page.getByLabel('Subject id').fill(d.subjectId);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('results').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('result-count')).toHaveText('3 receipts shown.');

  await page.goto(`${collector.url}/dashboard#/search?from=${dayAgo(4)}&to=${dayAgo(4)}`);
  const decisions = page.getByTestId('results').locator('tbody tr td:nth-child(5)');
  await expect(decisions).toHaveCount(2);
  expect((await decisions.allTextContents()).sort()).toEqual(['custom', 'reject-all']);

  await page.getByRole('link', { name: 'Search' }).click();
  await page.getByLabel('Receipt id').fill(payloadOf(chain[1]!).receiptId);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('results').locator('tbody tr')).toHaveCount(1);
  await page.getByRole('link', { name: d.subjectId }).click();

  const receipts = page.getByTestId('receipt');
  await expect(receipts).toHaveCount(3);
  expect(await receipts.evaluateAll((els) => els.map((e) => e.getAttribute('data-seq')))).toEqual(['1', '2', '3']);
  await expect(page.getByTestId('chain-summary')).toHaveText('3 receipts in seq order; every signature, link and countersignature checks out.');
  for (const id of ['sig-status', 'fields-status', 'chain-status', 'ack-status']) {
    await expect(page.getByTestId(id)).toHaveText([/valid|match|linked/, /valid|match|linked/, /valid|match|linked/]);
  }
  const third = receipts.nth(2);
  await expect(third.getByRole('heading')).toHaveText(`#3 · withdraw · ${dayAgo(2)}T00:00:00.000Z`);
  await expect(third.getByRole('row', { name: /Policy version/ })).toContainText('2026-12-01');
  await third.getByText('Signed header and payload').click();
  expect(JSON.parse((await third.getByTestId('jws-payload').textContent())!)).toEqual(payloadOf(chain[2]!));
  expect(JSON.parse((await third.getByTestId('jws-header').textContent())!)).toMatchObject({ alg: 'ES256', typ: 'consent-receipt+jws', kid: d.kid });
  await third.getByText('Collector countersignature').click();
  const ack = JSON.parse((await third.getByTestId('ack-decoded').textContent())!);
  expect(ack.header).toMatchObject({ alg: 'ES256', typ: 'consent-ack+jws' });
  expect(ack.payload.receiptId).toBe(payloadOf(chain[2]!).receiptId);
  expect(errors).toEqual([]);
});

test('verify finds a receipt changed directly in the database, and the subject page shows which', async ({ page, collector }) => {
  const d = await makeDevice();
  const good = await makeDevice();
  const jws = [await receiptOn(d, 2, { action: 'reject-all', purposes: P(false, false) }), await receiptOn(d, 1), await receiptOn(good, 1)];
  expect((await collector.post(jws)).accepted).toHaveLength(3);
  await signIn(page, collector.url);
  await page.getByRole('link', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Verify every receipt' }).click();
  await expect(page.getByTestId('verify-verdict')).toHaveText('OK: nothing broken');

  // Someone rewrites history: the first decision becomes an acceptance.
  const tampered = payloadOf(jws[0]!).receiptId;
  const db = new Database(collector.db);
  db.prepare("UPDATE receipts SET action = 'accept-all', purposes = ? WHERE receipt_id = ?").run(JSON.stringify(P(true, true)), tampered);
  db.close();

  await page.getByRole('button', { name: 'Verify every receipt' }).click();
  await expect(page.getByTestId('verify-verdict')).toHaveText('FAILED: problems found');
  await expect(page.getByTestId('verify-counts').getByRole('row', { name: /Stored fields differing/ })).toContainText('1');
  await expect(page.getByTestId('verify-problems')).toContainText(`${tampered}: stored action, purposes differ from the signed receipt`);

  await page.goto(`${collector.url}/dashboard#/subject/${d.subjectId}`);
  const first = page.getByTestId('receipt').first();
  await expect(first.getByTestId('fields-status')).toHaveText('Stored fields DIFFER');
  await expect(first.getByTestId('sig-status')).toHaveText('Signature valid');
  await expect(first.getByTestId('receipt-problems').locator('li')).toHaveText(['stored action differs from the signed receipt', 'stored purposes differs from the signed receipt']);
  await expect(page.getByTestId('chain-summary')).toHaveText('2 receipts in seq order; 1 with problems.');

  // A JWS whose signed bytes were altered fails its signature too.
  const db2 = new Database(collector.db);
  const [h, p, s] = jws[2]!.split('.');
  const forged = JSON.parse(Buffer.from(p!, 'base64url').toString());
  forged.purposes.marketing = true;
  db2.prepare('UPDATE receipts SET jws = ? WHERE receipt_id = ?').run(`${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`, forged.receiptId);
  db2.close();
  await page.goto(`${collector.url}/dashboard#/subject/${good.subjectId}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Subject ${good.subjectId}`);
  await expect(page.getByTestId('sig-status')).toHaveText('Signature INVALID');
  await expect(page.getByTestId('fields-status')).toHaveText('Stored fields not comparable (signature invalid)');
  await expect(page.getByTestId('ack-status')).toHaveText('Countersignature INVALID');
});

test('exports the search result as NDJSON and CSV with safe escaping', async ({ page, collector }) => {
  const d = await makeDevice();
  const jws = [
    await receiptOn(d, 2, { policyVersion: '=HYPERLINK("http://evil.example","click"), "quoted"' }),
    await receiptOn(d, 1, { policyVersion: '+1,2' }),
  ];
  const other = await receiptOn(await makeDevice(), 1);
  expect((await collector.post([...jws, other])).accepted).toHaveLength(3);
  await signIn(page, collector.url);
  await page.goto(`${collector.url}/dashboard#/search?subjectId=${d.subjectId}`);
  await expect(page.getByTestId('results').locator('tbody tr')).toHaveCount(2);

  const [nd] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'NDJSON' }).click()]);
  expect(nd.suggestedFilename()).toBe('consentseal-receipts.ndjson');
  const lines = readFileSync((await nd.path())!, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((r) => r.jws)).toEqual(jws);
  expect(lines[0]).toMatchObject({ subjectId: d.subjectId, seq: 1, policyVersion: '=HYPERLINK("http://evil.example","click"), "quoted"', chainStatus: 'complete' });
  expect(typeof lines[0].ack).toBe('string');

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
  expect(csv.suggestedFilename()).toBe('consentseal-receipts.csv');
  const text = readFileSync((await csv.path())!, 'utf8');
  const records = text.split('\r\n');
  expect(records).toHaveLength(4); // header, two receipts, and the empty string after the last CRLF
  expect(records[0]).toMatch(/^receiptId,subjectId,seq,issuedAt,storedAt,action,method,policyVersion,/);
  expect(records[1]).toContain(`,"'=HYPERLINK(""http://evil.example"",""click""), ""quoted""",`);
  expect(records[2]).toContain(`,"'+1,2",`);
  expect(records[1]).toContain(`,${jws[0]},`);
  expect(records[1]!.startsWith(`${payloadOf(jws[0]!).receiptId},${d.subjectId},1,`)).toBe(true);
});

test('markup stored in a receipt renders as text, never as HTML', async ({ page, collector }) => {
  const errors = watchErrors(page);
  const dialogs: string[] = [];
  page.on('dialog', (dlg) => {
    dialogs.push(dlg.message());
    void dlg.dismiss();
  });
  const evil = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>';
  const d = await makeDevice();
  const jws = await receiptOn(d, 1, { policyVersion: evil, page: 'https://shop.example/<script>alert(1)</script>' });
  const out = await collector.post([jws]);
  expect(out.rejected).toEqual([]);
  await signIn(page, collector.url);

  await expect(page.getByTestId('versions').locator('tbody td').first()).toHaveText(evil);
  await page.goto(`${collector.url}/dashboard#/search?subjectId=${d.subjectId}`);
  await expect(page.getByTestId('results').locator('tbody td').nth(6)).toHaveText(evil);
  await page.getByRole('link', { name: d.subjectId }).click();
  const r = page.getByTestId('receipt');
  await expect(r.getByRole('row', { name: /Policy version/ }).locator('td')).toHaveText(evil);
  await expect(r.getByRole('row', { name: /^Page/ }).locator('td')).toHaveText('https://shop.example/<script>alert(1)</script>');
  expect(await page.locator('main img, main b, main script').count()).toBe(0);
  expect(await page.title()).toBe('ConsentSeal audit console');
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
});

test('log out ends the session', async ({ page, collector }) => {
  await signIn(page, collector.url);
  // A second tab of the same session, left open, learns at its next request that the session ended.
  const other = await page.context().newPage();
  await other.goto(`${collector.url}/dashboard#/search`);
  await expect(other.locator('main[data-view="search"]')).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByLabel('Admin token')).toBeVisible();
  expect((await page.request.get(`${collector.url}/dashboard/api/overview`)).status()).toBe(401);
  await page.goto(`${collector.url}/dashboard`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await other.getByLabel('Subject id').fill('00000000-0000-4000-8000-000000000000');
  await other.getByRole('button', { name: 'Search' }).click();
  await expect(other.getByRole('alert')).toHaveText('Your session has ended.');
  await other.getByRole('link', { name: 'Sign in again' }).click();
  await expect(other.getByLabel('Admin token')).toBeVisible();
});

test('login, overview, search and subject pages have no serious accessibility violations', async ({ page, collector }) => {
  const d = await makeDevice();
  expect((await collector.post([await receiptOn(d, 2), await receiptOn(d, 1, { action: 'withdraw', purposes: P(false, false) })])).accepted).toHaveLength(2);
  const serious = async () =>
    (await new AxeBuilder({ page }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  await page.goto(`${collector.url}/dashboard`);
  expect(await serious()).toEqual([]);
  await signIn(page, collector.url);
  expect(await serious()).toEqual([]);
  await page.goto(`${collector.url}/dashboard#/search?subjectId=${d.subjectId}`);
  await expect(page.locator('main[data-view="search"]')).toBeVisible();
  expect(await serious()).toEqual([]);
  await page.goto(`${collector.url}/dashboard#/subject/${d.subjectId}`);
  await expect(page.locator('main[data-view="subject"]')).toBeVisible();
  expect(await serious()).toEqual([]);
});

/** GET on a fresh connection each time, so a cluster spreads the requests over its workers. */
const statusOnNewConnection = (url: string, cookie: string): Promise<number> =>
  new Promise((resolve, reject) => {
    httpRequest(url, { agent: false, headers: { cookie } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject).end();
  });

test('with --workers 2, one sign-in works in every worker and logging out ends it in all of them', async ({ page }) => {
  const c = await startCollector(['--workers', '2']);
  try {
    await signIn(page, c.url);
    const [cookie] = await page.context().cookies();
    const header = `${cookie!.name}=${cookie!.value}`;
    const api = `${c.url}/dashboard/api/overview`;
    const statuses = async () => Promise.all(Array.from({ length: 12 }, () => statusOnNewConnection(api, header)));
    expect(new Set(await statuses())).toEqual(new Set([200]));
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByLabel('Admin token')).toBeVisible();
    // The worker that served the logout tells the others through the cluster primary.
    await expect.poll(async () => [...new Set(await statuses())]).toEqual([401]);
  } finally {
    await c.stop();
  }
});
