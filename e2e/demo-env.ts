/** Where the Playwright run starts the demo (`node demo/start.mjs`), and its collector's admin token. */
export const DEMO = {
  site: 'http://127.0.0.1:4180',
  collector: 'http://127.0.0.1:4181',
  token: 'e2e-demo-admin-token',
  dataDir: '/tmp/consentseal-e2e-demo',
} as const;
