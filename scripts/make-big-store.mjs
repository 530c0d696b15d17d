#!/usr/bin/env node
// Builds a big SQLite receipt store for the audit console's speed test, then times the overview API and the
// dashboard's first render in Chromium.
//
//   npm run build   (or: BUILD=collector,dashboard npx rollup -c)
//   node scripts/make-big-store.mjs [--receipts 1000000] [--days 180] [--db /tmp/consentseal-big.db] [--reuse] [--no-measure] [--verify]
//
// Rows go straight into the collector's SQLite schema with prepared statements (the schema and collector key are
// created by the collector's own openSqliteStore first), with the daily counters filled from the same rows, so
// the counters match the receipts exactly. Distributions: traffic growing ~50% over the window with quieter
// weekends, ~1.4 receipts per subject (later ones mostly withdrawals and custom choices), 4 policy versions
// (the third adds a purpose), 5 languages, 8% of subjects with GPC on. Hash chains (prev = SHA-256 of the
// previous JWS) and key binding are real, but the JWS signatures and collector acks are NOT (signing a million
// receipts would take minutes and is not what is being measured): `consentseal-collector verify` and the
// console's Verify button report every receipt of this store as a bad signature and a bad ack, by design.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values: o } = parseArgs({
  options: {
    receipts: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '180' },
    db: { type: 'string', default: '/tmp/consentseal-big.db' },
    reuse: { type: 'boolean', default: false },
    'no-measure': { type: 'boolean', default: false },
    verify: { type: 'boolean', default: false },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});
const N = Number(o.receipts);
const DAYS = Number(o.days);
if (!(N > 0) || !(DAYS > 0)) throw new Error('--receipts and --days must be positive numbers');
const collector = await import(new URL('../dist/collector.js', import.meta.url).href).catch(() => {
  throw new Error('dist/collector.js is missing: run `npm run build` (or BUILD=collector,dashboard npx rollup -c) first');
});

const ms = (t) => Math.round(performance.now() - t);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Deterministic pseudo-random numbers, so two runs build the same store shape.
let seed = 0x5eed1234;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (weights) => {
  let r = rnd() * weights.reduce((a, [, w]) => a + w, 0);
  for (const [v, w] of weights) if ((r -= w) < 0) return v;
  return weights[weights.length - 1][0];
};
const b64 = (s) => Buffer.from(s).toString('base64url');
const digest = (s) => createHash('sha256').update(s).digest();
const sha = (s) => digest(s).toString('base64url');
const uuidFrom = (s) => {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) & 3]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

async function generate() {
  if (existsSync(o.db)) for (const f of [o.db, `${o.db}-wal`, `${o.db}-shm`]) rmSync(f, { force: true });
  // The collector creates its schema and key exactly as in production.
  const store = collector.openSqliteStore(o.db);
  await store.collectorKey(collector.generateCollectorKey);
  await store.close();

  const t0 = performance.now();
  const DAY = 86_400;
  const end = Math.floor(Date.now() / 1000) - 3600;
  const start = end - DAYS * DAY;
  const dayOf = (t) => new Date(t * 1000).toISOString().slice(0, 10);
  // Traffic: grows 50% over the window, weekends at 75%, ±10% noise per day.
  const weights = Array.from({ length: DAYS }, (_, d) => {
    const wd = new Date((start + d * DAY) * 1000).getUTCDay();
    return (1 + (0.5 * d) / DAYS) * (wd === 0 || wd === 6 ? 0.75 : 1) * (0.9 + rnd() * 0.2);
  });
  const cum = [];
  weights.reduce((a, w, i) => (cum[i] = a + w), 0);
  const pickDay = () => {
    const r = rnd() * cum[cum.length - 1];
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  // Pass 1: a compact schedule (subject, seq, time) for every receipt.
  const subj = new Uint32Array(N);
  const seqs = new Uint16Array(N);
  const times = new Uint32Array(N);
  let n = 0;
  let subjects = 0;
  while (n < N) {
    const s = subjects++;
    const k = pick([[1, 70], [2, 20], [3, 7], [4, 3]]);
    let t = start + pickDay() * DAY + Math.floor(rnd() * DAY);
    for (let q = 1; q <= k && n < N && t < end; q++) {
      subj[n] = s;
      seqs[n] = q;
      times[n] = t - start;
      n++;
      t += 60 + Math.floor(-Math.log(1 - rnd()) * 20 * DAY);
    }
  }
  const order = new Uint32Array(n).map((_, i) => i).sort((a, b) => times[a] - times[b] || seqs[a] - seqs[b]);
  console.log(`schedule: ${n.toLocaleString('en-US')} receipts for ${subjects.toLocaleString('en-US')} subjects (${ms(t0)} ms)`);

  // Pass 2: rows in time order (so the issued_at index grows at its end), with real hash chains.
  const versions = [0, 0.33, 0.58, 0.89].map((f) => ({ from: Math.floor(f * DAYS), name: dayOf(start + Math.floor(f * DAYS) * DAY) }));
  const purposesOf = (vi) => (vi >= 2 ? ['necessary', 'analytics', 'marketing', 'personalization'] : ['necessary', 'analytics', 'marketing']);
  const LANGS = [['en', 50], ['de', 15], ['fr', 12], ['zh-CN', 13], ['es', 10]];
  const PAGES = ['/', '/products', '/products/lamp', '/checkout', '/blog/why-consent', '/account'];
  const subjLang = new Uint8Array(subjects).map(() => pick(LANGS.map(([, w], i) => [i, w])));
  const subjGpc = new Uint8Array(subjects).map(() => (rnd() < 0.08 ? 1 : 0));
  const lastHash = new Array(subjects);
  const lastGrants = new Array(subjects);

  const db = new Database(o.db);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const COLS = 'receipt_id, subject_id, seq, prev, jws_hash, issued_at, stored_at, action, method, policy_version, policy_url, language, notice_hash, page, gpc, ephemeral_key, sdk, purposes, kid, chain_status, jws, ack';
  const insert = db.prepare(`INSERT INTO receipts (${COLS}) VALUES (${COLS.split(',').map(() => '?').join(',')})`);
  const addSubject = db.prepare('INSERT INTO subjects (subject_id, kid, jwk, first_seen) VALUES (?, ?, ?, ?)');
  const daily = new Map();
  const purposeCounts = new Map();
  const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
  const SEP = '\u0000';

  const writeBatch = db.transaction((from, to) => {
    for (let j = from; j < to; j++) {
      const i = order[j];
      const s = subj[i];
      const seq = seqs[i];
      const t = start + times[i];
      const d = Math.floor(times[i] / DAY);
      let vi = 0;
      while (vi + 1 < versions.length && d >= versions[vi + 1].from) vi++;
      const version = versions[vi].name;
      const lang = LANGS[subjLang[s]][0];
      const gpc = subjGpc[s] === 1;
      const ids = purposesOf(vi);
      // Consent drifts down a little with each new policy version.
      const action = seq === 1
        ? pick([['accept-all', 54 - vi * 4], ['reject-all', 29 + vi * 2], ['custom', 17 + vi * 2]])
        : pick([['withdraw', 35], ['custom', 35], ['accept-all', 20], ['reject-all', 10]]);
      const purposes = {};
      for (const id of ids) {
        const prev = lastGrants[s]?.[id] ?? false;
        purposes[id] = id === 'necessary' ? true
          : action === 'accept-all' ? !(gpc && id === 'marketing')
          : action === 'reject-all' ? false
          : action === 'withdraw' ? prev && rnd() < 0.3
          : rnd() < { analytics: 0.62, marketing: 0.24, personalization: 0.41 }[id] && !(gpc && id === 'marketing');
      }
      lastGrants[s] = purposes;
      const method = action === 'custom' ? 'preferences' : action === 'withdraw' ? (rnd() < 0.3 ? 'api' : 'preferences') : rnd() < 0.85 ? 'banner' : 'preferences';
      const subjectId = uuidFrom(`subject-${s}`);
      const jwk = { kty: 'EC', crv: 'P-256', x: sha(`x${s}`), y: sha(`y${s}`) };
      const kid = sha(`{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`);
      const issuedAt = new Date(t * 1000).toISOString();
      const payload = {
        ver: 1, receiptId: randomUUID(), subjectId, seq, prev: seq === 1 ? null : lastHash[s], issuedAt, action, method, purposes,
        policyVersion: version, policyUrl: 'https://shop.example/privacy', language: lang, noticeHash: sha(`${version}/${lang}`),
        page: `https://shop.example${PAGES[Math.floor(rnd() * PAGES.length)]}`, gpc, ephemeralKey: false, sdk: 'consentseal@0.1.0',
      };
      const jws = `${b64(JSON.stringify({ alg: 'ES256', typ: 'consent-receipt+jws', kid, jwk }))}.${b64(JSON.stringify(payload))}.${Buffer.concat([digest(`sig-a${i}`), digest(`sig-b${i}`)]).toString('base64url')}`;
      const hash = sha(jws);
      lastHash[s] = hash;
      if (seq === 1) addSubject.run(subjectId, kid, JSON.stringify(jwk), issuedAt);
      insert.run(
        payload.receiptId, subjectId, seq, payload.prev, hash, issuedAt, new Date(t * 1000 + 1500).toISOString(), action, method, version,
        payload.policyUrl, lang, payload.noticeHash, payload.page, gpc ? 1 : 0, 0, payload.sdk, JSON.stringify(purposes), kid, 'complete', jws,
        'unsigned.big-store.ack',
      );
      const day = issuedAt.slice(0, 10);
      bump(daily, [day, version, lang, action, gpc ? 1 : 0].join(SEP));
      for (const id of ids) bump(purposeCounts, [day, version, id, purposes[id] ? 1 : 0].join(SEP));
    }
  });
  const BATCH = 50_000;
  for (let j = 0; j < n; j += BATCH) {
    writeBatch(j, Math.min(n, j + BATCH));
    if ((j / BATCH) % 4 === 3) console.log(`  ${Math.min(n, j + BATCH).toLocaleString('en-US')} rows (${ms(t0)} ms)`);
  }
  db.transaction(() => {
    const dq = db.prepare('INSERT INTO daily_counts (day, policy_version, language, action, gpc, n) VALUES (?, ?, ?, ?, ?, ?)');
    for (const [k, v] of daily) dq.run(...k.split(SEP).map((x, i) => (i === 4 ? Number(x) : x)), v);
    const pq = db.prepare('INSERT INTO daily_purpose_counts (day, policy_version, purpose, granted, n) VALUES (?, ?, ?, ?, ?)');
    for (const [k, v] of purposeCounts) pq.run(...k.split(SEP).map((x, i) => (i === 3 ? Number(x) : x)), v);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  console.log(`store: ${o.db}, ${(statSync(o.db).size / 1e9).toFixed(2)} GB, ${daily.size + purposeCounts.size} counter rows, built in ${(ms(t0) / 1000).toFixed(1)} s`);
  return { subjects, sampleSubject: uuidFrom('subject-0') };
}

async function measure(sampleSubject) {
  const TOKEN = 'big-store-benchmark-token-0123456789';
  const c = await collector.createCollector({ db: o.db, adminToken: TOKEN, rateLimit: false, routes: collector.dashboardRoutes() });
  const url = await c.listen(0, '127.0.0.1');
  const results = {};
  try {
    const login = await fetch(`${url}/dashboard/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
      body: new URLSearchParams({ token: TOKEN }),
    });
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const time = async (name, path, runs = 10) => {
      const all = [];
      let body = '';
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const res = await fetch(`${url}${path}`, { headers: { cookie } });
        body = await res.text();
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${body.slice(0, 200)}`);
        all.push(performance.now() - t);
      }
      const bytes = body.length;
      results[name] = { firstMs: +all[0].toFixed(1), medianMs: +median(all).toFixed(1), maxMs: +Math.max(...all).toFixed(1), bytes };
      console.log(`${name.padEnd(34)} first ${all[0].toFixed(1)} ms, median ${median(all).toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms (${bytes.toLocaleString('en-US')} bytes)`);
      return body;
    };
    const ov = JSON.parse(await time('GET /dashboard/api/overview', '/dashboard/api/overview'));
    results.total = ov.all.total;
    const lastDay = ov.days[ov.days.length - 1];
    await time('GET /dashboard/api/overview (30 days)', `/dashboard/api/overview?from=${ov.days[Math.max(0, ov.days.length - 30)]}`);
    await time('GET /dashboard/api/receipts (1 day)', `/dashboard/api/receipts?from=${lastDay}&limit=50`);
    await time('GET /dashboard/api/subjects/:id', `/dashboard/api/subjects/${sampleSubject}`);

    // A streamed CSV export of the last 30 days, read chunk by chunk: time, size, and how much the process grew.
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const t = performance.now();
    const res = await fetch(`${url}/dashboard/api/export?format=csv&from=${ov.days[Math.max(0, ov.days.length - 30)]}`, { headers: { cookie } });
    let bytes = 0;
    let rows = 0;
    for await (const chunk of res.body) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) rows++;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    results.export30Days = { ms: ms(t), rows: rows - 1, mb: +(bytes / 1e6).toFixed(1), rssGrowthMb: +((peak - rss0) / 1e6).toFixed(1) };
    console.log(`CSV export, last 30 days               ${(rows - 1).toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(1)} MB in ${ms(t)} ms; process RSS grew ${((peak - rss0) / 1e6).toFixed(1)} MB at most`);

    if (o.verify) {
      // The console's Verify button on this store: every receipt fails (unsigned by design); this times the full scan.
      const t = performance.now();
      const r = await (await fetch(`${url}/dashboard/api/verify`, { method: 'POST', headers: { cookie, origin: url } })).json();
      results.verify = { ms: ms(t), receipts: r.receipts, badSignatures: r.badSignatures, ok: r.ok };
      console.log(`POST /dashboard/api/verify             ${ms(t)} ms for ${r.receipts.toLocaleString('en-US')} receipts (bad signatures: ${r.badSignatures.toLocaleString('en-US')}, as expected here)`);
    }

    const { chromium } = await import('playwright');
    const browser = await chromium.launch({ executablePath: o.chromium, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${url}/dashboard`);
      await page.getByLabel('Admin token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const renders = [];
      for (let i = 0; i < 5; i++) {
        if (i > 0) await page.reload();
        await page.waitForSelector('main[data-view="overview"][data-state="ready"]');
        // Milliseconds from the start of navigation to the overview being in the DOM (charts and tables built).
        renders.push(await page.evaluate(() => performance.getEntriesByName('consentseal:overview')[0].startTime));
      }
      const bars = await page.locator('[data-testid="chart-per-day"] rect').count();
      results.firstRender = { firstMs: +renders[0].toFixed(1), medianMs: +median(renders).toFixed(1), maxMs: +Math.max(...renders).toFixed(1), bars };
      console.log(`dashboard first render (Chromium)   first ${renders[0].toFixed(1)} ms, median ${median(renders).toFixed(1)} ms, max ${Math.max(...renders).toFixed(1)} ms (navigation start → overview in DOM, ${bars} day bars)`);
      const shown = await page.getByTestId('total').textContent();
      if (shown !== ov.all.total.toLocaleString('en-US')) throw new Error(`overview shows ${shown}, API says ${ov.all.total}`);
    } finally {
      await browser.close();
    }
  } finally {
    await c.close();
  }
  return results;
}

console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
let sample = uuidFrom('subject-0');
if (!(o.reuse && existsSync(o.db))) sample = (await generate()).sampleSubject;
else console.log(`reusing ${o.db}`);
if (!o['no-measure']) console.log(JSON.stringify({ ...(await measure(sample)), loadAverage: loadavg().map((l) => +l.toFixed(1)) }));
