/**
 * The `<script>` build (dist/consentseal.js): reads the config from
 * `<script type="application/json" id="consentseal-config">` or `window.consentsealConfig`,
 * starts synchronously and exposes `window.ConsentSeal`. It never throws into the page: a bad
 * or missing config is one console error, and nothing is shown.
 */
import type { ConsentSeal } from './headless';
import { createConsent } from './index';

type Api = Partial<ConsentSeal> & { init(config: unknown): ConsentSeal | undefined };
type Win = typeof globalThis & { ConsentSeal?: Api; consentsealConfig?: unknown };

const w = globalThis as Win;
const me = document.currentScript as HTMLScriptElement | null;
const fail = (why: string) => console.error('ConsentSeal: ' + why + '\nNothing is shown until this is fixed.');

const api: Api = {
  init(config) {
    try {
      return Object.assign(api, createConsent(config, { ui: { nonce: me?.nonce || '' } })) as ConsentSeal;
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
    }
  },
};
w.ConsentSeal = api;

if (me?.dataset.auto != 'false') {
  const el = document.getElementById('consentseal-config');
  let config = w.consentsealConfig;
  try {
    if (el) config = JSON.parse(el.textContent ?? '');
    if (config == null) fail('no config. Put <script type="application/json" id="consentseal-config">{…}</script> before consentseal.js, or set window.consentsealConfig.');
    else api.init(config);
  } catch (e) {
    fail('#consentseal-config is not valid JSON: ' + String(e));
  }
}
