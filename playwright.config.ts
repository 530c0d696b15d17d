import { defineConfig } from '@playwright/test';
import { DEMO } from './e2e/demo-env';
import { ORIGIN, PORTS } from './e2e/ports';

/**
 * Browser tests run in real Chromium against the built files in dist/.
 * CHROMIUM_PATH points at another Chromium build on machines without Debian's /usr/bin/chromium.
 */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  forbidOnly: true,
  reporter: [['list']],
  webServer: [
    { command: 'node e2e/serve.mjs', url: `${ORIGIN}/e2e/pages/blank.html`, env: { PORT: String(PORTS.pages) }, reuseExistingServer: !process.env.CI },
    {
      // `npm start`'s demo (site + collector on a fresh SQLite file) for e2e/demo.spec.ts.
      command: `rm -rf ${DEMO.dataDir} && node demo/start.mjs`,
      url: `${DEMO.site}/`,
      env: { DEMO_PORT: String(PORTS.site), COLLECTOR_PORT: String(PORTS.collector), CONSENTSEAL_ADMIN_TOKEN: DEMO.token, DEMO_DATA_DIR: DEMO.dataDir },
      reuseExistingServer: !process.env.CI,
    },
  ],
  use: {
    baseURL: ORIGIN,
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--host-resolver-rules=MAP shop.consentseal.test 127.0.0.1, MAP *.shop.consentseal.test 127.0.0.1',
      ],
    },
  },
});
