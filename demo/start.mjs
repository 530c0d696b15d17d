// `npm start`: the reference collector on SQLite and the demo shop, on this machine, no setup.
//   DEMO_PORT (8080), COLLECTOR_PORT (8787), CONSENTSEAL_ADMIN_TOKEN (made up and printed if unset),
//   DEMO_DATA_DIR (demo/.data: where the SQLite database lives).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from './server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const demoPort = Number(process.env.DEMO_PORT ?? 8080);
const collectorPort = Number(process.env.COLLECTOR_PORT ?? 8787);
const token = process.env.CONSENTSEAL_ADMIN_TOKEN ?? randomBytes(18).toString('base64url');
const dataDir = process.env.DEMO_DATA_DIR ? new URL(`file://${process.env.DEMO_DATA_DIR.replace(/\/?$/, '/')}`) : new URL('./.data/', import.meta.url);
mkdirSync(dataDir, { recursive: true });

const collector = spawn(
  process.execPath,
  [
    `${root}dist/collector-cli.js`,
    '--port', String(collectorPort), '--host', '127.0.0.1', '--db', fileURLToPath(new URL('consentseal.db', dataDir)),
    '--allow-origin', `http://127.0.0.1:${demoPort}`, '--allow-origin', `http://localhost:${demoPort}`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CONSENTSEAL_ADMIN_TOKEN: token } },
);
collector.on('exit', (code) => {
  console.error(`collector exited (${code}); stopping the demo`);
  process.exit(code ?? 1);
});

// Wait for the collector's "listening" line, so the URLs printed below work when they appear.
await new Promise((resolve) => {
  collector.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (String(chunk).includes('listening')) resolve();
  });
});
const site = await startDemoServer({ port: demoPort, collectorUrl: `http://127.0.0.1:${collectorPort}/receipts` });
console.log(`
  ConsentSeal demo
  shop:             http://127.0.0.1:${demoPort}/
  SPA (npm entry):  http://127.0.0.1:${demoPort}/spa/
  collector:        http://127.0.0.1:${collectorPort}/healthz
  audit console:    http://127.0.0.1:${collectorPort}/dashboard   (admin token: ${token})
  Ctrl+C stops both.
`);

const stop = () => {
  collector.kill('SIGTERM');
  site.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
