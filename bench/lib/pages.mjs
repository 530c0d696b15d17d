// The banners under test and the one page each is measured on. Every banner gets the same page,
// the same three purposes (necessary, analytics, marketing), an "Accept all" button and one inline
// analytics script gated by the banner's own mechanism. Each banner's tags sit where its own docs put them.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const at = (p) => `${root}${p}`;
const versionOf = (pkg) => JSON.parse(readFileSync(at(`node_modules/${pkg}/package.json`), 'utf8')).version;

/** Text of the button the probe looks for and Playwright clicks, for every banner. */
export const ACCEPT_TEXT = 'Accept all';

/** What the gated script does when it runs: notes the time once. */
const GATED_BODY = 'window.__bench&&__bench.gatedAt==null&&(__bench.gatedAt=performance.now())';

const consentsealConfig = {
  policyVersion: '1',
  policyUrl: '/privacy',
  purposes: [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'marketing' }],
};

// vanilla-cookieconsent: hideFromBots must be off, or the banner never shows under automation
// (navigator.webdriver is true). Texts chosen so the first layer matches ConsentSeal's.
const vccConfig = {
  hideFromBots: false,
  categories: { necessary: { enabled: true, readOnly: true }, analytics: {}, marketing: {} },
  language: {
    default: 'en',
    translations: {
      en: {
        consentModal: {
          title: 'We use cookies',
          description: 'We use cookies for analytics and marketing. Choose what you allow.',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          showPreferencesBtn: 'Customize',
          footer: '<a href="/privacy">Privacy policy</a>',
        },
        preferencesModal: {
          title: 'Privacy preferences',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          savePreferencesBtn: 'Save choices',
          closeIconLabel: 'Close',
          sections: [
            { title: 'necessary', linkedCategory: 'necessary' },
            { title: 'analytics', linkedCategory: 'analytics' },
            { title: 'marketing', linkedCategory: 'marketing' },
          ],
        },
      },
    },
  },
};

// klaro: one service per purpose (services are klaro's unit of consent; the gated script names the
// service). acceptAll makes the notice's main button accept everything; its label is set to "Accept all".
const klaroConfig = {
  version: 1,
  acceptAll: true,
  hideDeclineAll: false,
  groupByPurpose: true,
  storageMethod: 'cookie',
  cookieName: 'klaro',
  translations: {
    zz: { privacyPolicyUrl: '/privacy' },
    en: { ok: 'Accept all', decline: 'Reject all', purposes: { necessary: 'Necessary', analytics: 'Analytics', marketing: 'Marketing' } },
  },
  services: [
    { name: 'necessary', title: 'Necessary', purposes: ['necessary'], required: true },
    { name: 'analytics', title: 'Analytics', purposes: ['analytics'] },
    { name: 'marketing', title: 'Marketing', purposes: ['marketing'] },
  ],
};

/**
 * @typedef {object} Banner
 * @property {string} id
 * @property {string} name
 * @property {string} version
 * @property {Record<string, string>} files  URL path -> file on disk (the banner's JS + CSS)
 * @property {string} head      tags in <head>
 * @property {string} gated     the gated analytics script, in the body
 * @property {string} bodyEnd   tags at the end of <body>
 * @property {RegExp} persisted matches the cookie / localStorage write that stores the decision
 * @property {string} placement where its tags go, for the report
 */

/** @type {Banner[]} */
export const banners = [
  {
    id: 'consentseal',
    name: 'ConsentSeal',
    version: JSON.parse(readFileSync(at('package.json'), 'utf8')).version,
    files: { '/consentseal.js': at('dist/consentseal.js') },
    head: `<script type="application/json" id="consentseal-config">${JSON.stringify(consentsealConfig)}</script>\n<script src="/consentseal.js"></script>`,
    gated: `<script type="text/plain" data-consent="analytics">${GATED_BODY}</script>`,
    bodyEnd: '',
    persisted: /^cookie:\s*consentseal=/,
    placement: 'config JSON + classic script in `<head>` (the documented way: it must run before any tag manager)',
  },
  {
    id: 'vanilla-cookieconsent',
    name: 'vanilla-cookieconsent',
    version: versionOf('vanilla-cookieconsent'),
    files: {
      '/cookieconsent.css': at('node_modules/vanilla-cookieconsent/dist/cookieconsent.css'),
      '/cookieconsent.umd.js': at('node_modules/vanilla-cookieconsent/dist/cookieconsent.umd.js'),
    },
    head: '<link rel="stylesheet" href="/cookieconsent.css">',
    gated: `<script type="text/plain" data-category="analytics">${GATED_BODY}</script>`,
    bodyEnd: `<script src="/cookieconsent.umd.js"></script>\n<script>CookieConsent.run(${JSON.stringify(vccConfig)});</script>`,
    persisted: /^cookie:\s*cc_cookie=/,
    placement: 'CSS `<link>` in `<head>`, UMD script + `CookieConsent.run()` at the end of `<body>` (it appends to `document.body` at once)',
  },
  {
    id: 'klaro',
    name: 'klaro',
    version: versionOf('klaro'),
    files: { '/klaro.js': at('node_modules/klaro/dist/klaro.js') },
    head: `<script>var klaroConfig=${JSON.stringify(klaroConfig)};</script>\n<script defer src="/klaro.js"></script>`,
    gated: `<script type="text/plain" data-type="application/javascript" data-name="analytics">${GATED_BODY}</script>`,
    bodyEnd: '',
    persisted: /^cookie:\s*klaro=/,
    placement: '`klaroConfig` + `klaro.js` (default build, CSS inside the JS) with `defer` in `<head>`, as its README shows',
  },
];

/** Whether the banner's files exist (ConsentSeal's appears once its script-tag build does). */
export const available = (b) => Object.values(b.files).every((f) => existsSync(f));

const paragraph =
  'Our shop sells hand-made goods from small workshops. Every order is packed by hand and shipped within two working days. ' +
  'Read about our makers, the materials they use and how we keep prices fair for everyone involved.';

/** The page every banner is measured on; only the banner's own tags differ. */
export function pageHtml(b) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Example shop</title>
<link rel="icon" href="data:,">
<style>body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#222}header,main,footer{max-width:46rem;margin:0 auto;padding:1rem}nav a{margin-right:1rem}</style>
${b.head}
</head>
<body>
<header><h1>Example shop</h1><nav><a href="/">Home</a><a href="/products">Products</a><a href="/privacy">Privacy</a></nav></header>
<main>
<h2>Welcome</h2>
${[1, 2, 3, 4, 5, 6].map(() => `<p>${paragraph}</p>`).join('\n')}
<ul><li>Ceramics</li><li>Textiles</li><li>Woodwork</li></ul>
</main>
<footer><p>© Example shop · <a href="/privacy">Privacy policy</a></p></footer>
${b.gated}
${b.bodyEnd}
</body>
</html>
`;
}
