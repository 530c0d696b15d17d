// Where a RETURNING visitor's main-thread time goes: the bench page (bench/lib/pages.mjs) after an
// "Accept all" on a first visit (decision cookie, device key and receipt stored), reloaded in a new
// tab with the CPU slowed 4×. Prints medians; not a test. `npm run build` (or `BUILD=script npx rollup -c`) first.
//
//   node bench/startup-profile.mjs            metrics only: ConsentSeal vs vanilla-cookieconsent, alternating
//   TRACE=1 node bench/startup-profile.mjs    also a trace of ConsentSeal's returning visit: evaluation of
//                                             dist/consentseal.js vs its later callbacks, wall and thread (CPU)
//                                             time; DUMP=1 lists the V8 events inside the evaluation
//   PROFILE=1 node bench/startup-profile.mjs  also a CPU profile and a trace of ConsentSeal's returning visit:
//                                             compile vs run of dist/consentseal.js, self time per source file
//                                             and per function (through a source map built here)
//   FIRST=1 …                                 the same for a FIRST visit instead (nothing stored; measured
//                                             until the banner is fully shown and the page loaded, + SETTLE_MS);
//                                             with TRACE, every banner is traced, and the main thread's time is
//                                             split by trace event (style, layout, parse, GC, …) for the whole page
//
// Env: BASELINE (see below), RUNS (default 7), CPU_RATE (4), SETTLE_MS (1000), ONLY=consentseal,vanilla-cookieconsent, CHROMIUM_PATH.
// The served consentseal.js is dist/consentseal.js byte for byte; with PROFILE, the source map is of
// an identical rebuild (checked), so profile positions map back to src/.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright';
import { ACCEPT_TEXT, banners as all, pageHtml } from './lib/pages.mjs';
import { probe } from './lib/probe.mjs';
import { startServer } from './lib/server.mjs';
import { summarize } from './lib/stats.mjs';

const RUNS = Number(process.env.RUNS ?? 7);
const CPU_RATE = Number(process.env.CPU_RATE ?? 4);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 1000);
const PROFILE = !!process.env.PROFILE;
const FIRST = !!process.env.FIRST;
const TRACE = PROFILE || !!process.env.TRACE;
const ONLY = (process.env.ONLY ?? 'consentseal,vanilla-cookieconsent').split(',');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// BASELINE=file[,file…]: also measures those builds of consentseal.js (older dist/consentseal.js files),
// alternating, as `consentseal-baseline`, `consentseal-baseline2`, ….
const cs = all.find((b) => b.id == 'consentseal');
const baselines = (process.env.BASELINE?.split(',').filter(Boolean) ?? []).map((file, i) => {
  const id = `consentseal-baseline${i ? i + 1 : ''}`;
  return { ...cs, id, files: { [`/${id}.js`]: file }, head: cs.head.replace('/consentseal.js', `/${id}.js`) };
});
const banners = [...all, ...baselines].filter((b) => ONLY.includes(b.id) || baselines.includes(b));
const log = (...a) => console.error(...a);
const r1 = (x) => Math.round(x * 10) / 10;

/** Source-mapped names for positions in dist/consentseal.js (PROFILE only). */
async function sourceMapper() {
  const { rollup } = await import('rollup');
  const { TraceMap, originalPositionFor } = await import('@jridgewell/trace-mapping');
  const config = (await import('../rollup.config.mjs')).default.find((b) => b.output?.file === 'dist/consentseal.js');
  if (!config) throw new Error('no script-tag build in rollup.config.mjs');
  const bundle = await rollup({ input: config.input, plugins: config.plugins, onwarn: () => {} });
  const { output } = await bundle.generate({ format: 'iife', sourcemap: 'hidden' });
  const same = output[0].code === readFileSync('dist/consentseal.js', 'utf8');
  if (!same) log('note: dist/consentseal.js differs from a fresh build: rebuild it (source map positions may be off)');
  const trace = new TraceMap(output[0].map);
  const short = (s) => (s ? s.replace(/.*node_modules\//, '').replace(/.*?\/src\//, 'src/') : '(wrapper)');
  return ({ lineNumber, columnNumber, functionName }) => {
    const p = originalPositionFor(trace, { line: lineNumber + 1, column: columnNumber });
    return { file: short(p.source), fn: `${short(p.source)}:${p.line ?? '?'} ${functionName || '(anonymous)'}` };
  };
}

/** First visit: Accept all, then wait until the decision is stored and (ConsentSeal) its receipt signed. */
async function firstVisit(context, b, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: ACCEPT_TEXT, exact: true }).click({ timeout: 15_000 });
  await page.waitForFunction((re) => new RegExp(re).test('cookie:' + document.cookie.split('; ').join('\ncookie:')), b.persisted.source.replace('^', '^|\\n'), { timeout: 15_000 });
  if (b.id.startsWith('consentseal')) await page.waitForFunction(() => window.ConsentSeal.receipts().then((l) => l.length > 0), null, { timeout: 15_000, polling: 100 });
  await page.close();
}

/** Main-thread trace events of dist/consentseal.js: compile (v8.compile), whole evaluation, callbacks. */
function traceSplit(events, url) {
  const main = events.find((e) => e.name == 'thread_name' && e.args?.name == 'CrRendererMain');
  const on = events.filter((e) => e.ph == 'X' && (!main || (e.pid == main.pid && e.tid == main.tid)));
  const ms = (xs) => r1(xs.reduce((a, e) => a + (e.dur ?? 0), 0) / 1000);
  // Thread (CPU) time: without the time the OS or the throttling took the thread off the CPU.
  const cpu = (xs) => r1(xs.reduce((a, e) => a + (e.tdur ?? 0), 0) / 1000);
  const ours = (e) => (e.args?.data?.url ?? e.args?.data?.scriptName ?? '').endsWith(url);
  const evalEv = on.filter((e) => e.name == 'EvaluateScript' && ours(e));
  const compile = on.filter((e) => e.name == 'v8.compile' && ours(e));
  const inEval = (e) => evalEv.some((x) => e.ts >= x.ts && e.ts + (e.dur ?? 0) <= x.ts + x.dur);
  const fn = on.filter((e) => e.name == 'FunctionCall' && ours(e) && !inEval(e));
  const lazy = on.filter((e) => /^V8\.(CompileLazy|ParseFunction|CompileCode)|v8\.compileLazy/i.test(e.name));
  const allScript = on.filter((e) => ['EvaluateScript', 'FunctionCall', 'RunMicrotasks', 'TimerFire', 'FireAnimationFrame', 'EventDispatch'].includes(e.name));
  const names = {};
  for (const e of on) if (inEval(e) && e.name != 'EvaluateScript') names[e.name] = r1((names[e.name] ?? 0) + (e.dur ?? 0) / 1000);
  // The whole page's main thread by event name (thread ms); nested events overlap (v8.run is inside EvaluateScript).
  const page = {};
  for (const e of on) if (e.tdur && PAGE_EVENTS.includes(e.name)) page[e.name] = r1((page[e.name] ?? 0) + e.tdur / 1000);
  // Source positions V8 collects to put a script location on trace events (TimerInstall, style
  // invalidations…): it re-parses the function on the stack (here the whole IIFE). Tracing's own cost,
  // absent from untraced runs, so subtracted from the "…NoTraceCpuMs" figures.
  const csp = (xs) => cpu(on.filter((e) => e.name == 'V8.CollectSourcePositions' && xs.some((x) => e.ts >= x.ts && e.ts + (e.dur ?? 0) <= x.ts + x.dur)));
  // Off the main thread: V8's streaming compile of the script (background parse and, with the
  // compile hint, eager compilation).
  const bg = events.filter((e) => e.ph == 'X' && (!main || e.tid != main.tid) && /^V8\.(CompileStreamedScript|StreamingFinalization|ParseProgram|CompileCode|PreParse)|v8\.parseOnBackground|BackgroundCompile|ScriptStreamer/i.test(e.name));
  // LONG=1: each task of 50 ms or more with what fills it (its direct children, wall ms).
  const long = [];
  if (process.env.LONG)
    for (const t of on.filter((e) => e.name == 'RunTask' && e.dur >= 50_000)) {
      const kids = on.filter((e) => e != t && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + t.dur);
      const top = kids.filter((e) => !kids.some((p) => p != e && p.ts <= e.ts && p.ts + p.dur >= e.ts + (e.dur ?? 0) && p.dur > (e.dur ?? 0)));
      // Children by name, two levels deep: "Name ms (Child ms, …)".
      const tree = (parent, list, depth) => {
        const mine = list.filter((e) => e != parent && !list.some((p) => p != e && p != parent && p.ts <= e.ts && p.ts + p.dur >= e.ts + (e.dur ?? 0) && p.dur > (e.dur ?? 0) && p.ts >= parent.ts && p.ts + p.dur <= parent.ts + parent.dur));
        const by = {};
        for (const e of mine) (by[e.name] ??= []).push(e);
        return Object.entries(by)
          .map(([k, es]) => [k, es.reduce((a, e) => a + (e.dur ?? 0), 0) / 1000, es])
          .filter(([, v]) => v >= 1)
          .sort((a, z) => z[1] - a[1])
          .map(([k, v, es]) => {
            const inner = depth > 1 ? es.map((e) => tree(e, list.filter((x) => x.ts >= e.ts && x.ts + (x.dur ?? 0) <= e.ts + e.dur), depth - 1)).filter(Boolean).join('; ') : '';
            return `${k} ${r1(v)}${inner ? ` (${inner})` : ''}`;
          })
          .join(', ');
      };
      long.push(`${r1(t.dur / 1000)} ms at ${r1((t.ts - on[0].ts) / 1000)}: ${tree(t, kids.concat(t), Number(process.env.LONG) || 1)}`);
    }
  return { names, page, long, evaluateCpuMs: cpu(evalEv), callbacksCpuMs: cpu(fn), evaluateNoTraceCpuMs: r1(cpu(evalEv) - csp(evalEv)), callbacksNoTraceCpuMs: r1(cpu(fn) - csp(fn)), backgroundCompileCpuMs: cpu(bg), topScriptEventsCpuMs: cpu(allScript), evaluateMs: ms(evalEv), compileMs: ms(compile), callbacksMs: ms(fn), callbacks: fn.length, lazyCompileMs: ms(lazy.filter(inEval)), streamed: compile[0]?.args?.data?.streamed ?? null, topScriptEventsMs: ms(allScript) };
}

/** Main-thread trace events worth a line in the FIRST=1 split (top-level tasks and what fills them). */
const PAGE_EVENTS = ['RunTask', 'ParseHTML', 'EvaluateScript', 'v8.compile', 'FunctionCall', 'RunMicrotasks', 'TimerFire', 'FireAnimationFrame', 'EventDispatch', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'ParseAuthorStyleSheet', 'MinorGC', 'MajorGC', 'V8.GC_SCAVENGER', 'V8.GC_MARK_COMPACTOR', 'V8.CompileCode', 'V8.ParseFunction', 'V8.PreParse', 'V8.ParseProgram', 'V8.CollectSourcePositions', 'XHRReadyStateChange'];

/** Self time (ms) per key of the CPU profile samples; plus time anywhere inside consentseal.js. */
function profileSplit(profile, map) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ours = (n) => n.callFrame.url.endsWith('/consentseal.js');
  const self = {}, files = {}, incl = {};
  let inside = 0, total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const n = byId.get(id);
    const cf = n.callFrame;
    const m = ours(n) ? map(cf) : { file: cf.url ? cf.url.replace(/^https?:\/\/[^/]+/, '') : cf.functionName, fn: `${cf.url.replace(/^https?:\/\/[^/]+/, '')} ${cf.functionName}` };
    if (cf.functionName == '(idle)') return;
    total += dt;
    self[m.fn] = (self[m.fn] ?? 0) + dt;
    files[m.file] = (files[m.file] ?? 0) + dt;
    let isInside = false;
    const seen = new Set();
    for (let p = id; p != null; p = parent.get(p)) {
      const pn = byId.get(p);
      if (!ours(pn)) continue;
      isInside = true;
      const k = map(pn.callFrame).fn;
      if (!seen.has(k)) seen.add(k), (incl[k] = (incl[k] ?? 0) + dt);
    }
    if (isInside) inside += dt;
  });
  return { self, files, incl, inside, total };
}

async function run(b, url, map, trace) {
  const browser = await chromium.launch({ executablePath, args });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(probe, { text: ACCEPT_TEXT });
    if (!FIRST) await firstVisit(context, b, url);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_RATE });
    if (map) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    if (trace) {
      await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-v8.compile', 'disabled-by-default-devtools.timeline'] });
    }
    await page.goto(url, { waitUntil: 'commit' });
    const shownOr = FIRST ? '__bench.opaqueAt' : '__bench.gatedAt';
    await page.waitForFunction(`${shownOr} != null && document.readyState == 'complete'`, null, { polling: 100, timeout: 15_000 });
    const at = await page.evaluate(`Math.max(${shownOr}, performance.getEntriesByType('navigation')[0].loadEventEnd)`);
    await page.waitForFunction((t) => performance.now() >= t, at + SETTLE_MS, { polling: 50, timeout: 15_000 + SETTLE_MS });
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    const B = await page.evaluate(() => ({ shown: __bench.visibleAt != null || !!document.querySelector('cs-layer'), visibleAt: __bench.visibleAt, lt: __bench.longtasks }));
    const out = { scriptMs: r1(m.ScriptDuration * 1000), taskMs: r1(m.TaskDuration * 1000), styleMs: r1(m.RecalcStyleDuration * 1000), layoutMs: r1(m.LayoutDuration * 1000), heapKB: Math.round(m.JSHeapUsedSize / 1024), gatedAt: r1(at), visibleAt: r1(B.visibleAt ?? NaN), longtasks: B.lt.length, longtaskMs: r1(B.lt.reduce((a, [, d]) => a + d, 0)), bannerShown: FIRST ? !B.shown : B.shown, errors };
    if (trace) {
      const t = JSON.parse((await browser.stopTracing()).toString('utf8'));
      out.trace = traceSplit(t.traceEvents ?? t, trace);
    }
    if (map) out.profile = profileSplit((await cdp.send('Profiler.stop')).profile, map);
    return out;
  } finally {
    await browser.close();
  }
}

const pages = Object.fromEntries(banners.map((b) => [`/${b.id}.html`, pageHtml(b)]));
const server = await startServer({ pages, files: Object.assign({}, ...banners.map((b) => b.files)) });
const map = PROFILE ? await sourceMapper() : null;
const results = Object.fromEntries(banners.map((b) => [b.id, []]));
try {
  for (let i = 0; i < RUNS; i++)
    for (const b of banners) {
      const script = Object.keys(b.files).find((f) => f.endsWith('.js'));
      const r = await run(b, `${server.origin}/${b.id}.html`, b.id == 'consentseal' ? map : null, TRACE && (FIRST || b.id.startsWith('consentseal')) && script);
      results[b.id].push(r);
      log(`run ${i + 1}/${RUNS} ${b.id.padEnd(22)} script ${r.scriptMs} ms  task ${r.taskMs} ms  style ${r.styleMs}  layout ${r.layoutMs}  long tasks ${r.longtasks}/${r.longtaskMs} ms  ${FIRST ? `visible ${r.visibleAt}` : `gated ${r.gatedAt}`}${r.trace ? `  eval ${r.trace.evaluateMs} (cpu ${r.trace.evaluateCpuMs}, compile ${r.trace.compileMs})  callbacks ${r.trace.callbacksMs} (cpu ${r.trace.callbacksCpuMs})` : ''}${r.bannerShown ? (FIRST ? '  NO BANNER' : '  BANNER SHOWN') : ''}${r.errors.length ? `  errors: ${r.errors}` : ''}`);
    }
} finally {
  await server.close();
}

const med = (xs) => summarize(xs)?.median;
const fmt = (s) => (s ? `${r1(s.median)} [${r1(s.min)}–${r1(s.max)}]` : '–');
console.log(`${FIRST ? 'first' : 'returning'} visitor, CPU ${CPU_RATE}×, ${RUNS} runs${PROFILE ? ' (ConsentSeal runs profiled: profiler overhead included)' : ''}; median [min–max]`);
for (const b of banners) {
  const rs = results[b.id];
  const line = (k) => fmt(summarize(rs.map((r) => r[k])));
  console.log(`\n${b.id}: ScriptDuration ${line('scriptMs')} ms, TaskDuration ${line('taskMs')} ms, RecalcStyleDuration ${line('styleMs')} ms, LayoutDuration ${line('layoutMs')} ms, long tasks ${line('longtasks')} (${line('longtaskMs')} ms), JS heap ${med(rs.map((r) => r.heapKB))} KB, ${FIRST ? `banner visible at ${line('visibleAt')}` : `gated at ${line('gatedAt')}`} ms`);
  if (!rs[0]?.trace) continue;
  if (process.env.DUMP) {
    const names = new Set(rs.flatMap((r) => Object.keys(r.trace.names)));
    console.log('  inside the evaluation of consentseal.js (median wall ms per trace event; nested ones overlap):');
    for (const n of names) console.log(`    ${String(med(rs.map((r) => r.trace.names[n] ?? 0))).padStart(7)}  ${n}`);
  }
  console.log('  main thread by trace event, whole page (median thread ms; nested events overlap):');
  for (const n of PAGE_EVENTS) {
    const v = med(rs.map((r) => r.trace.page[n] ?? 0));
    if (v >= 0.05) console.log(`    ${v.toFixed(1).padStart(7)}  ${n}`);
  }
  if (process.env.LONG) rs.forEach((r, i) => r.trace.long.forEach((l) => console.log(`  run ${i + 1} long task ${l}`)));
  for (const k of Object.keys(rs[0].trace).filter((k) => !['names', 'page', 'long'].includes(k))) console.log(`  trace ${k}: ${fmt(summarize(rs.map((r) => r.trace[k])))}`);
  if (!rs[0].profile) continue;
  console.log(`  profile: inside consentseal.js (inclusive) ${fmt(summarize(rs.map((r) => r.profile.inside)))} ms of ${fmt(summarize(rs.map((r) => r.profile.total)))} ms sampled (idle excluded)`);
  const medianOf = (key) => {
    const keys = new Set(rs.flatMap((r) => Object.keys(r.profile[key])));
    return [...keys].map((k) => [k, med(rs.map((r) => r.profile[key][k] ?? 0))]).sort((a, z) => z[1] - a[1]);
  };
  console.log('  self time per file (median ms):');
  for (const [k, v] of medianOf('files').slice(0, 25)) if (v >= 0.05) console.log(`    ${v.toFixed(2).padStart(7)}  ${k}`);
  console.log('  self time per function (median ms):');
  for (const [k, v] of medianOf('self').slice(0, 40)) if (v >= 0.05) console.log(`    ${v.toFixed(2).padStart(7)}  ${k}`);
  console.log('  inclusive time per function of consentseal.js (median ms; callers include their callees):');
  for (const [k, v] of medianOf('incl').slice(0, 50)) if (v >= 0.05) console.log(`    ${v.toFixed(2).padStart(7)}  ${k}`);
}
