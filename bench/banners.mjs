// `npm run bench`: ConsentSeal vs vanilla-cookieconsent vs klaro on the same page, in Chromium with
// 4x CPU throttling, runs alternating between banners (ABCABC…). Prints a Markdown report to stdout
// (progress goes to stderr) and writes bench/.results/latest.json.
//
// Env: RUNS (default 7) runs per banner; CPU_RATE (4); SETTLE_MS (1000) measurement window after the
// banner is fully shown and the page has loaded; TIMEOUT_MS (15000) per wait; MAX_MINUTES (6) stops
// starting new rounds after that long; ONLY=id,id picks banners; CHROMIUM_PATH (/usr/bin/chromium);
// BASELINE=file[,file…] also measures those builds of consentseal.js (older dist/consentseal.js
// copies) in the same rounds, as `consentseal-baseline`, `consentseal-baseline2`, ….
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { ACCEPT_TEXT, available, banners as allBanners, pageHtml } from './lib/pages.mjs';
import { probe } from './lib/probe.mjs';
import { startServer } from './lib/server.mjs';
import { cell, mdTable, ratio, summarize } from './lib/stats.mjs';

const num = (name, dflt) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const RUNS = Math.round(num('RUNS', 7));
const CPU_RATE = num('CPU_RATE', 4);
const SETTLE_MS = num('SETTLE_MS', 1000);
const TIMEOUT_MS = num('TIMEOUT_MS', 15000);
const MAX_MINUTES = num('MAX_MINUTES', 6);
const ONLY = process.env.ONLY?.split(',').filter(Boolean);
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const launchArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const log = (...a) => console.error(...a);

const cs = allBanners.find((b) => b.id === 'consentseal');
const baselines = (process.env.BASELINE?.split(',').filter(Boolean) ?? []).map((file, i) => {
  const id = `consentseal-baseline${i ? i + 1 : ''}`;
  return { ...cs, id, name: `ConsentSeal (${file.split('/').pop()})`, files: { [`/${id}.js`]: file }, head: cs.head.replace('/consentseal.js', `/${id}.js`) };
});
const picked = [...allBanners.filter((b) => !ONLY || ONLY.includes(b.id)), ...baselines];
const skipped = picked.filter((b) => !available(b));
const banners = picked.filter(available);
for (const b of skipped) log(`skipping ${b.name}: ${Object.values(b.files).join(', ')} not found (build it with \`npx rollup -c\`)`);
if (!banners.length) {
  log('no banner to measure');
  process.exit(1);
}

const round1 = (x) => (x == null ? null : Math.round(x * 10) / 10);
const sub = (a, b) => (a == null || b == null ? null : round1(a - b));

/** CDP Performance.getMetrics as { name: value }; durations converted to ms. */
async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(list.map((x) => [x.name, x.value]));
  return {
    scriptMs: round1(m.ScriptDuration * 1000),
    taskMs: round1(m.TaskDuration * 1000),
    layoutMs: round1(m.LayoutDuration * 1000),
    styleMs: round1(m.RecalcStyleDuration * 1000),
    heapBytes: m.JSHeapUsedSize,
  };
}

/** A throttled page in `context` with the CDP session that reads its metrics. */
async function openPage(context, errors) {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_RATE });
  return { page, cdp };
}

/** What the probe and the timing APIs saw, read in the page. */
const snapshot = () => {
  const B = window.__bench;
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    ...B,
    fcp: fcp ? fcp.startTime : null,
    dcl: nav ? nav.domContentLoadedEventEnd : null,
    load: nav ? nav.loadEventEnd : null,
    now: performance.now(),
    cookie: document.cookie,
  };
};

/** Waits until performance.now() in the page reaches `t` (the end of a measurement window). */
const waitPageTime = (page, t) => page.waitForFunction((x) => performance.now() >= x, t, { polling: 50, timeout: TIMEOUT_MS + t });

const longtaskSum = (lt, from, to) => {
  const sel = lt.filter(([s]) => s >= from && s < to);
  return { count: sel.length, ms: round1(sel.reduce((a, [, d]) => a + d, 0)) };
};

/** One run: a first visit (show, measure, click Accept all) and a returning visit, in a fresh browser. */
async function runOnce(b, url, server) {
  const errors = [];
  const browser = await chromium.launch({ executablePath, args: launchArgs, timeout: 30_000 });
  const out = { banner: b.id, ok: false, errors };
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(probe, { text: ACCEPT_TEXT });

    // First visit: nothing stored.
    server.takeRequested();
    const first = await openPage(context, errors);
    await first.page.goto(url, { waitUntil: 'commit', timeout: TIMEOUT_MS });
    await first.page.waitForFunction(() => window.__bench.opaqueAt != null && document.readyState === 'complete', null, { polling: 100, timeout: TIMEOUT_MS });
    const shown = await first.page.evaluate(snapshot);
    const measureAt = Math.max(shown.opaqueAt, shown.load) + SETTLE_MS;
    await waitPageTime(first.page, measureAt);
    const m1 = await metrics(first.cdp);
    const s1 = await first.page.evaluate(snapshot);
    out.requested = server.takeRequested();

    await first.page.getByRole('button', { name: ACCEPT_TEXT, exact: true }).click({ timeout: TIMEOUT_MS });
    await first.page.waitForFunction(
      (src) => {
        const B = window.__bench;
        const re = new RegExp(src);
        return B.goneAt != null && B.writes.some((w) => w[0] >= B.clickAt && re.test(`${w[1]}:${w[2]}`));
      },
      b.persisted.source,
      { polling: 50, timeout: TIMEOUT_MS },
    );
    let gatedNote = null;
    await first.page.waitForFunction(() => window.__bench.gatedAt != null, null, { polling: 50, timeout: TIMEOUT_MS }).catch(() => {
      gatedNote = 'gated script did not run after Accept all';
    });
    const s2 = await first.page.evaluate(snapshot);
    const persisted = s2.writes.find((w) => w[0] >= s2.clickAt && b.persisted.test(`${w[1]}:${w[2]}`));
    const shifts = s2.shifts.filter(([, , input]) => !input);
    out.first = {
      inDomAt: round1(s1.inDomAt),
      visibleAt: round1(s1.visibleAt),
      opaqueAt: round1(s1.opaqueAt),
      fcp: round1(s1.fcp),
      dcl: round1(s1.dcl),
      load: round1(s1.load),
      measuredAt: round1(s1.now),
      ...m1,
      longtasks: longtaskSum(s1.longtasks, 0, s1.now),
      cls: shifts.reduce((a, [, v]) => a + v, 0),
      clickAt: round1(s2.clickAt),
      clickToHideStart: sub(s2.hideStartAt, s2.clickAt),
      clickToGone: sub(s2.goneAt, s2.clickAt),
      clickToPersisted: sub(persisted[0], s2.clickAt),
      clickToGated: sub(s2.gatedAt, s2.clickAt),
      gatedBeforeClick: s2.gatedBeforeClick,
      longtasksAfterClick: longtaskSum(s2.longtasks, s2.clickAt, Infinity),
      persistedWrite: `${persisted[1]}: ${persisted[2]}`.slice(0, 160),
      writesAfterClick: s2.writes.filter((w) => w[0] >= s2.clickAt).length,
      writesBeforeClick: s2.writes.filter((w) => w[0] < s2.clickAt).map((w) => `${w[1]}: ${w[2]}`.slice(0, 120)),
      frames: s2.frames,
    };
    if (gatedNote) errors.push(gatedNote);
    if (s2.gatedBeforeClick) errors.push('gated script ran before any decision');
    await first.page.close();

    // Returning visit: the decision is stored in this context; the gated script should run, no banner.
    const ret = await openPage(context, errors);
    await ret.page.goto(url, { waitUntil: 'commit', timeout: TIMEOUT_MS });
    await ret.page.waitForFunction(() => window.__bench.gatedAt != null && document.readyState === 'complete', null, { polling: 100, timeout: TIMEOUT_MS });
    const r0 = await ret.page.evaluate(snapshot);
    const retAt = Math.max(r0.gatedAt, r0.load) + SETTLE_MS;
    await waitPageTime(ret.page, retAt);
    const m2 = await metrics(ret.cdp);
    const r1 = await ret.page.evaluate(snapshot);
    out.returning = {
      gatedAt: round1(r1.gatedAt),
      fcp: round1(r1.fcp),
      dcl: round1(r1.dcl),
      load: round1(r1.load),
      ...m2,
      longtasks: longtaskSum(r1.longtasks, 0, r1.now),
      bannerShown: r1.visibleAt != null,
    };
    if (out.returning.bannerShown) errors.push('banner shown again on the returning visit');
    out.ok = !gatedNote && !s2.gatedBeforeClick && !out.returning.bannerShown;
  } catch (e) {
    errors.push(String(e?.message ?? e).split('\n')[0]);
  } finally {
    await browser.close().catch(() => {});
  }
  return out;
}

/** gzip-9 and brotli-11 (lgwin 22) of each file, as browsers would fetch them: one request each. */
function sizesOf(paths, bodies) {
  const files = [...new Set(paths)].sort().map((p) => {
    const body = bodies[p];
    return {
      path: p,
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      brotli: brotliCompressSync(body, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_LGWIN]: 22 } }).length,
    };
  });
  const sum = (k) => files.reduce((a, f) => a + f[k], 0);
  return { files, raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
}

// Rows of the report: label, how to read the value from a run, decimals.
const ROWS = [
  ['banner visible (ms from navigation start)', (r) => r.first?.visibleAt],
  ['banner fully opaque (ms, after any fade-in)', (r) => r.first?.opaqueAt],
  ['first contentful paint (ms)', (r) => r.first?.fcp],
  ['main-thread script time until settled (ms, CDP ScriptDuration)', (r) => r.first?.scriptMs],
  ['long tasks until settled (count)', (r) => r.first?.longtasks.count, 0],
  ['long tasks until settled (total ms)', (r) => r.first?.longtasks.ms, 0],
  ['CLS (layout shifts without recent input, whole first visit)', (r) => r.first?.cls, 4],
  ['click Accept all → banner gone (ms)', (r) => r.first?.clickToGone],
  ['click Accept all → decision persisted (ms)', (r) => r.first?.clickToPersisted],
  ['click Accept all → gated analytics script ran (ms)', (r) => r.first?.clickToGated],
  ['returning visitor: gated analytics script ran (ms from navigation start)', (r) => r.returning?.gatedAt],
  ['returning visitor: main-thread script time (ms)', (r) => r.returning?.scriptMs],
  ['returning visitor: long tasks (total ms)', (r) => r.returning?.longtasks.ms, 0],
];

async function main() {
  const pages = Object.fromEntries(banners.map((b) => [`/${b.id}.html`, pageHtml(b)]));
  const files = Object.assign({}, ...banners.map((b) => b.files));
  const server = await startServer({ pages, files });
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const runs = [];
  let browserVersion = '?';
  try {
    const probeBrowser = await chromium.launch({ executablePath, args: launchArgs });
    browserVersion = probeBrowser.version();
    await probeBrowser.close();
    log(`Chromium ${browserVersion}, CPU throttling ${CPU_RATE}x, ${RUNS} runs per banner, alternating: ${banners.map((b) => b.id).join(' → ')}`);
    rounds: for (let round = 0; round < RUNS; round++) {
      for (const b of banners) {
        if (Date.now() - started > MAX_MINUTES * 60_000) {
          log(`stopping: over MAX_MINUTES=${MAX_MINUTES}`);
          break rounds;
        }
        const t0 = Date.now();
        const r = await runOnce(b, `${server.origin}/${b.id}.html`, server);
        r.round = round + 1;
        r.loadAverage1m = round1(loadavg()[0]);
        runs.push(r);
        const f = r.first;
        log(
          `round ${round + 1}/${RUNS} ${b.id.padEnd(22)} ${r.ok ? 'ok  ' : 'FAIL'} ${((Date.now() - t0) / 1000).toFixed(1)}s` +
            (f ? `  visible ${f.visibleAt}  script ${f.scriptMs}  gone +${f.clickToGone}  persisted +${f.clickToPersisted}` : '') +
            (r.returning ? `  return gated ${r.returning.gatedAt}` : '') +
            (r.errors.length ? `  [${r.errors.join('; ')}]` : ''),
        );
      }
    }
  } finally {
    await server.close();
  }
  const finished = Date.now();

  const per = banners.map((b) => {
    const mine = runs.filter((r) => r.banner === b.id);
    const good = mine.filter((r) => r.ok);
    const requested = good[0]?.requested ?? Object.keys(b.files);
    return {
      id: b.id,
      name: b.name,
      version: b.version,
      placement: b.placement,
      runs: mine.length,
      okRuns: good.length,
      size: sizesOf(requested, server.bodies),
      stats: Object.fromEntries(ROWS.map(([label, get]) => [label, summarize(good.map(get))])),
      persistedExample: good[0]?.first.persistedWrite ?? null,
      writesBeforeClick: good[0]?.first.writesBeforeClick ?? [],
      errors: [...new Set(mine.flatMap((r) => r.errors))],
    };
  });

  const env = {
    date: new Date(started).toISOString(),
    durationS: Math.round((finished - started) / 1000),
    chromium: browserVersion,
    cpuThrottling: CPU_RATE,
    runsPerBanner: RUNS,
    settleMs: SETTLE_MS,
    cpus: `${cpus().length}× ${cpus()[0]?.model ?? '?'}`,
    node: process.version,
    loadAverage1m: { before: round1(loadBefore), after: round1(loadavg()[0]) },
    skipped: skipped.map((b) => b.id),
  };
  const dir = fileURLToPath(new URL('./.results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}latest.json`, `${JSON.stringify({ env, summary: per, runs }, null, 2)}\n`);

  console.log(report(env, per));
  log(`\nwrote bench/.results/latest.json (${env.durationS}s)`);
  if (per.some((p) => p.okRuns === 0)) process.exitCode = 1;
}

function report(env, per) {
  const cs = per.find((p) => p.id === 'consentseal');
  const others = cs ? per.filter((p) => p !== cs) : [];
  const head = ['metric', ...per.map((p) => `${p.name} ${p.version}`), ...others.map((o) => `ConsentSeal ÷ ${o.name}`)];
  const align = ['l', ...per.map(() => 'r'), ...others.map(() => 'r')];
  const fixedRow = (label, get) => {
    const v = per.map(get);
    return [label, ...v.map((x) => x.toLocaleString('en-US')), ...others.map((o) => ratio({ median: get(cs) }, { median: get(o) }))];
  };
  const rows = [
    fixedRow('JS + CSS the page loads, gzip -9 (bytes)', (p) => p.size.gzip),
    fixedRow('JS + CSS the page loads, brotli -q 11 (bytes)', (p) => p.size.brotli),
    fixedRow('JS + CSS the page loads, uncompressed (bytes)', (p) => p.size.raw),
    ...ROWS.map(([label, , digits = 1]) => [
      label,
      ...per.map((p) => cell(p.stats[label], digits)),
      ...others.map((o) => ratio(cs.stats[label], o.stats[label])),
    ]),
    ['successful runs', ...per.map((p) => `${p.okRuns}/${p.runs}`), ...others.map(() => '')],
  ];
  const lines = [
    `## Banner benchmark`,
    '',
    `${env.date}: Chromium ${env.chromium}, CPU throttling ${env.cpuThrottling}×, ${env.runsPerBanner} runs per banner alternating (${per.map((p) => p.name).join(', ')}), ` +
      `${env.cpus}, Node ${env.node}. Cells: median [min–max]; ratios compare medians (below 1× = ConsentSeal smaller/faster).`,
    '',
    mdTable(head, rows, align),
    '',
    'Files per banner: ' +
      per.map((p) => `${p.name}: ${p.size.files.map((f) => `\`${f.path}\` (${f.raw.toLocaleString('en-US')} B, gzip ${f.gzip.toLocaleString('en-US')})`).join(' + ')}`).join('; ') +
      '.',
  ];
  lines.push('', howMeasured(env, per));
  if (env.skipped.length) lines.push('', `Not measured (build missing): ${env.skipped.join(', ')}.`);
  for (const p of per) if (p.errors.length) lines.push('', `${p.name} errors: ${p.errors.join('; ')}`);
  return lines.join('\n');
}

function howMeasured(env, per) {
  return [
    `**How measured** (\`npm run bench\`, bench/banners.mjs; \`RUNS=n\` changes the run count). Every banner is measured on the same`,
    'static page (a header, six paragraphs, a footer and one inline analytics script gated by the banner\'s own mechanism),',
    'served uncompressed with `no-store` from a local server on 127.0.0.1, configured with the same three purposes (necessary,',
    'analytics, marketing) and an "Accept all" button on the first layer. Each run launches a fresh headless Chromium',
    `(new profile, 1280×800 viewport) with ${env.cpuThrottling}× CPU throttling (CDP \`Emulation.setCPUThrottlingRate\`); runs alternate between banners.`,
    'One in-page probe, injected before any page script, finds the accept button by its text in the document and in open shadow',
    'roots; from the moment one is inserted it checks once per animation frame whether the button has a box inside the viewport,',
    'is `visibility: visible` and has an effective opacity above 0.01 ("visible") or of at least 0.99 ("fully opaque"), and notes',
    '`performance.now()` (ms since navigation start). Main-thread script time is CDP `Performance.getMetrics` `ScriptDuration`',
    `for the whole page (the page's own inline scripts and the probe included), read ${env.settleMs} ms after the banner is fully shown and`,
    'the load event has ended; long tasks and CLS come from buffered `PerformanceObserver`s (CLS = sum of `layout-shift` values',
    'without recent input over the whole first visit). Playwright then clicks Accept all; the click time is the click event\'s',
    '`timeStamp`; "banner gone" is the first frame with no visible accept button (exit animations included); "decision persisted"',
    'is the first write of the banner\'s decision cookie after the click (a `document.cookie` setter hook); "gated script ran" is',
    'the analytics script\'s own `performance.now()`. The returning visit opens a new tab in the same profile (decision stored)',
    'and times the gated script. Sizes are gzip -9 / brotli -q 11 of each JS and CSS file the page requested for the banner,',
    'summed (one request each). Tags are placed as each project documents: ' +
      per.map((p) => `${p.name}: ${p.placement}`).join('; ') +
      `. The machine is shared (1-minute load average ${env.loadAverage1m.before} before, ${env.loadAverage1m.after} after the run),`,
    'so only differences well outside the min–max ranges mean something.',
  ].join('\n');
}

await main();
