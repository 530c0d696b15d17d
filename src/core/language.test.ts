// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DecisionStorage } from '../storage/persistence';
import { createConsentCore } from './consent';
import type { ConsentCore } from './plugin';
import type { ConsentErrorEvent } from './types';

// The core follows `<html lang>` itself (`language: "auto"`), so every build gets it once: the
// headless one too, whose receipts record `core.language` and hash the texts of it.

const storage: DecisionStorage = { readSync: () => undefined, load: async () => undefined, save: async () => {}, watch: () => () => {} };
const texts = { de: { acceptAll: 'Alle akzeptieren' }, 'zh-TW': { acceptAll: '全部接受' } };
let core: ConsentCore | undefined;

/** A core with no plugins at all (what follows the page is the core's own), and what it reported. */
const start = (language?: string) => {
  const languages: string[] = [];
  const errors: ConsentErrorEvent[] = [];
  const decisions: string[] = [];
  core = createConsentCore(
    { policyVersion: 'v1', policyUrl: '/privacy', purposes: [{ id: 'necessary', required: true }, { id: 'analytics' }], texts, ...(language && { language }) },
    { storage: () => storage },
  );
  const c = core;
  c.on('language', (l) => languages.push(l + ' ' + c.language));
  c.on('error', (e) => errors.push(e));
  // What a receipt of this decision records: `core.language` when the decision is announced.
  c.on('decision', () => decisions.push(c.language));
  return { core: c, languages, errors, decisions };
};

/** Sets `<html lang>`; resolves once mutation observers created before this call have been notified. */
const setLang = (lang: string) =>
  new Promise<void>((resolve) => {
    new MutationObserver((_, o) => (o.disconnect(), resolve())).observe(document.documentElement, { attributeFilter: ['lang'] });
    document.documentElement.lang = lang;
  });

beforeEach(() => void (document.documentElement.lang = 'en'));
afterEach(() => core?.destroy());

describe('following <html lang>', () => {
  it('with language "auto", takes on each new page language as it is set, announcing it, and decisions after it record it', async () => {
    const { core, languages, errors, decisions } = start();
    expect(core.language).toBe('en');
    await core.rejectAll();
    await setLang('zh-CN');
    expect(core.language).toBe('zh-CN');
    await core.acceptAll();
    await setLang('de-AT');
    await core.setPurposes({ analytics: false });
    expect(languages).toEqual(['zh-CN zh-CN', 'de de']);
    expect(decisions).toEqual(['en', 'zh-CN', 'de']);
    expect(errors).toEqual([]);
  });

  it('announces every switch with the language then resolved: the same one for a tag the same texts serve', async () => {
    const { core, languages } = start('auto');
    await setLang('en-GB');
    // Traditional Chinese has the site's texts; Simplified is built in: two languages.
    await setLang('zh-HK');
    await setLang('zh-Hant-TW');
    await setLang('zh-Hans-CN');
    // No texts for Japanese: the next of the browser's languages that has some (happy-dom's: en-US).
    await setLang('ja');
    expect(languages).toEqual(['en en', 'zh-TW zh-TW', 'zh-TW zh-TW', 'zh-CN zh-CN', 'en en']);
    expect(core.language).toBe('en');
  });

  it('keeps a configured language whatever the page says', async () => {
    const { core, languages, decisions } = start('zh-CN');
    await setLang('de');
    await core.acceptAll();
    expect(core.language).toBe('zh-CN');
    expect(languages).toEqual(['zh-CN zh-CN']);
    expect(decisions).toEqual(['zh-CN']);
  });

  it('stops once destroyed', async () => {
    const { core, languages } = start();
    core.destroy();
    await setLang('zh-CN');
    dispatchEvent(new Event('languagechange'));
    expect(core.language).toBe('en');
    expect(languages).toEqual([]);
  });
});

describe("following the browser's languages", () => {
  afterEach(() => vi.restoreAllMocks());

  it('with language "auto" and no texts for the page\'s language, takes on the browser\'s new first language', async () => {
    document.documentElement.lang = 'ja';
    const { core, languages, decisions } = start();
    expect(core.language).toBe('en');
    // The visitor puts Chinese first in the browser's settings: the browser fires `languagechange`.
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['zh-CN', 'en']);
    dispatchEvent(new Event('languagechange'));
    expect(core.language).toBe('zh-CN');
    await core.acceptAll();
    expect(languages).toEqual(['zh-CN zh-CN']);
    expect(decisions).toEqual(['zh-CN']);
  });
});
