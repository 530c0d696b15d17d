/**
 * The `<script>` build (dist/consentseal.js): reads the config from
 * `<script type="application/json" id="consentseal-config">` or `window.consentsealConfig`,
 * starts synchronously and exposes `window.ConsentSeal`. It never throws into the page: a bad
 * or missing config is one console error, and nothing is shown.
 */
import type { ConsentSeal } from './headless';
import { createConsent } from './index';
import { denyAllByDefault } from './integrations/google-consent-mode';

type Api = Partial<ConsentSeal> & { init(config: unknown): ConsentSeal | undefined };
type Win = typeof globalThis & { ConsentSeal?: Api; consentsealConfig?: unknown };

const w = globalThis as Win;
const me = document.currentScript as HTMLScriptElement | null;
/** The config element's text, once read: a refused one that names Consent Mode still denies it. */
let text = '';

/**
 * Starts with the config `get` returns; any failure (no config, bad JSON, bad config) is one console
 * error, and a refused config that asks for Consent Mode still denies Google tags every type.
 */
const start = (get: () => unknown) => {
  let config: any;
  try {
    config = get();
    if (config == null) throw 'no config: add <script type="application/json" id="consentseal-config"> or window.consentsealConfig';
    // The instance is the global's prototype, not copied onto it: `language` (reassigned when `<html
    // lang>` changes) stays live, and `init` stays the global's own.
    return Object.setPrototypeOf(api, createConsent(config, { ui: { nonce: me?.nonce } })) as ConsentSeal;
  } catch (e) {
    console.error('ConsentSeal: ' + e);
    // Also for a config element that names Consent Mode but is no JSON (a trailing comma) or puts it
    // under the wrong key: the site evidently uses it.
    if (config?.googleConsentMode || text.includes('googleConsentMode')) denyAllByDefault();
  }
};
const api: Api = { init: (config) => start(() => config) };
w.ConsentSeal = api;

if (me?.dataset.auto != 'false') {
  start(() => {
    const el = document.getElementById('consentseal-config');
    return el ? JSON.parse((text = el.textContent!)) : w.consentsealConfig;
  });
}
