/**
 * Ports the Playwright run listens on. E2E_PORT_BASE moves all of them at once, so two checkouts can
 * run their browser tests side by side on one machine.
 */
const base = Number(process.env.E2E_PORT_BASE ?? 4170);
export const PORTS = { pages: base + 3, site: base + 10, collector: base + 11 } as const;
/** Origin of the static server for dist/ and e2e/pages/. */
export const ORIGIN = `http://127.0.0.1:${PORTS.pages}`;
