/** The audit console's two HTML documents; neither holds inline script or style (the CSP forbids both). */

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const head = (title: string, extra = ''): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<meta name="referrer" content="same-origin"><link rel="icon" href="data:,"><title>${esc(title)}</title><link rel="stylesheet" href="/dashboard/dashboard.css">${extra}</head>`;

/** The login form; `error` (plain text) is shown above it. */
export const loginPage = (error?: string): string =>
  `${head('Sign in · ConsentSeal audit console')}<body class="login"><main>` +
  `<h1>ConsentSeal audit console</h1>` +
  (error ? `<p class="error" role="alert">${esc(error)}</p>` : '') +
  `<form method="post" action="/dashboard/login"><label for="token">Admin token</label>` +
  `<input id="token" name="token" type="password" autocomplete="current-password" required maxlength="512" autofocus>` +
  `<button type="submit" class="primary">Sign in</button></form>` +
  `<p class="hint">The token is the collector's admin token (<code>CONSENTSEAL_ADMIN_TOKEN</code> or <code>--admin-token-file</code>).</p>` +
  `</main></body></html>`;

/** The console's shell: a header with navigation and logout; dashboard.js renders the rest into #app. */
export const appPage = (): string =>
  `${head('ConsentSeal audit console', '<script src="/dashboard/dashboard.js" defer></script>')}<body>` +
  `<header><strong>ConsentSeal audit console</strong><nav aria-label="Sections">` +
  `<a href="#/">Overview</a><a href="#/search">Search</a><a href="#/verify">Verify</a></nav>` +
  `<form method="post" action="/dashboard/logout"><button type="submit">Log out</button></form></header>` +
  `<main id="app" aria-live="polite"><p>Loading…</p></main></body></html>`;
