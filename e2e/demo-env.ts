import { PORTS } from './ports';

/** Where the Playwright run starts the demo (`node demo/start.mjs`), and its collector's admin token. */
export const DEMO = {
  site: `http://127.0.0.1:${PORTS.site}`,
  collector: `http://127.0.0.1:${PORTS.collector}`,
  token: 'e2e-demo-admin-token',
  dataDir: `/tmp/consentseal-e2e-demo-${PORTS.site}`,
} as const;
