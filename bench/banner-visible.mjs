// Time from navigation start to the consent banner being visible, in Chromium with the CPU
// slowed 4× (CDP Emulation.setCPUThrottlingRate), over N fresh visitors. Prints; not a test.
// Usage: npm run build && node bench/banner-visible.mjs [runs=15] [page=/e2e/pages/widget-bar.html]
import { spawn } from 'node:child_process';
import { chromium } from 'playwright';

const runs = Number(process.argv[2] ?? 15);
const path = process.argv[3] ?? '/e2e/pages/widget-bar.html';
const base = 'http://127.0.0.1:4173';
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const up = () => fetch(base + '/e2e/pages/blank.html').then((r) => r.ok, () => false);
let server;
if (!(await up())) {
  server = spawn(process.execPath, ['e2e/serve.mjs'], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !(await up()); i++) await new Promise((r) => setTimeout(r, 100));
}

// Runs in the page before anything else: note the first frame in which the banner has a box,
// and when the core's `ready` (the stored decision loaded) resolved, to split the wait.
const probe = () => {
  document.addEventListener('DOMContentLoaded', () => window.ConsentSeal?.ready?.then(() => (window.__readyAt = performance.now())));
  const tick = () => {
    const b = document.querySelector('cs-layer')?.shadowRoot?.querySelector('section');
    const r = b?.getBoundingClientRect();
    if (r && r.height > 0 && r.top < innerHeight) window.__bannerAt = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
const times = [];
const fcps = [];
const readys = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.addInitScript(probe);
    await page.goto(base + path);
    await page.waitForFunction(() => window.__bannerAt !== undefined, null, { timeout: 15_000 });
    times.push(await page.evaluate(() => window.__bannerAt));
    readys.push(await page.evaluate(() => window.__readyAt ?? NaN));
    fcps.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN));
    await context.close();
  }
} finally {
  await browser.close();
  server?.kill();
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return `median ${median.toFixed(0)} ms  min ${s[0].toFixed(0)} ms  max ${s[s.length - 1].toFixed(0)} ms`;
};
console.log(`banner visible (${path}, ${runs} runs, CPU 4× slower): ${stats(times)}`);
console.log(`core ready (decision loaded), same runs:        ${stats(readys)}`);
console.log(`first contentful paint, same runs:               ${stats(fcps)}`);
