import { describe, expect, it } from 'vitest';
import { resolveLanguage, resolveTexts } from './index';

const lang = (texts: Record<string, object>, html: string | undefined, languages: string[], language = 'auto') =>
  resolveLanguage({ language, texts }, { documentElement: html === undefined ? {} : { lang: html } }, { languages });

describe('resolveLanguage', () => {
  it('keeps a configured language that has texts, whatever the page and browser say', () => {
    expect(lang({ de: {} }, 'zh-CN', ['zh-CN'], 'de')).toBe('de');
    expect(lang({}, 'de', ['de'], 'zh-CN')).toBe('zh-CN');
    // As the key of the texts shown: `texts.ar` serves ar-EG, the built-in zh-CN serves zh-Hans.
    expect(lang({ ar: {} }, 'en', [], 'ar-EG')).toBe('ar');
    expect(lang({}, 'en', [], 'zh-hans')).toBe('zh-CN');
  });
  it('marks a configured language without texts as English, the language actually shown', () => {
    expect(lang({}, 'zh-CN', ['zh-CN'], 'ar')).toBe('en');
    expect(lang({ de: {} }, 'de', ['de'], 'zh-TW')).toBe('en');
  });
  it('prefers <html lang>, then navigator.languages, exact before primary-language matches', () => {
    expect(lang({}, 'zh-CN', ['en'])).toBe('zh-CN');
    expect(lang({}, 'ZH-hans-cn', ['en'])).toBe('zh-CN');
    expect(lang({}, undefined, ['fr', 'zh-SG', 'en'])).toBe('zh-CN');
    expect(lang({ 'zh-TW': {} }, undefined, ['zh-tw'])).toBe('zh-TW');
    expect(lang({ 'de-AT': {}, de: {} }, 'de', [])).toBe('de');
    expect(lang({ 'de-AT': {} }, 'de-CH', [])).toBe('de-AT');
  });
  it('gives the built-in Simplified Chinese only to Simplified tags', () => {
    for (const tag of ['zh', 'zh-CN', 'zh-cn', 'zh-SG', 'zh-MY', 'zh-Hans', 'zh-Hans-TW', 'ZH-HANS-HK']) expect(lang({}, tag, [])).toBe('zh-CN');
    for (const tag of ['zh-TW', 'zh-HK', 'zh-MO', 'zh-Hant', 'zh-Hant-CN', 'zh-hant-tw', 'zh-cnx']) expect(lang({}, tag, [])).toBe('en');
  });
  it('lets a Traditional Chinese visitor fall through to the next preferred language', () => {
    expect(lang({ ja: {} }, 'zh-TW', ['zh-HK', 'zh-Hant', 'ja', 'zh-CN'])).toBe('ja');
    expect(lang({}, undefined, ['zh-TW', 'zh-CN'])).toBe('zh-CN');
  });
  it('matches Traditional site texts among Traditional tags only, exact first', () => {
    const texts = { 'zh-CN': {}, 'zh-HK': {}, 'zh-TW': {} };
    expect(lang(texts, 'zh-TW', [])).toBe('zh-TW');
    expect(lang(texts, 'zh-Hant-TW', [])).toBe('zh-HK');
    expect(lang(texts, 'zh-MO', [])).toBe('zh-HK');
    expect(lang(texts, 'zh-Hans-HK', [])).toBe('zh-CN');
    expect(lang(texts, 'zh', [])).toBe('zh-CN');
    expect(lang({ 'zh-Hant': {} }, 'zh-HK', [])).toBe('zh-Hant');
    // `texts.zh` is Simplified, like the tag `zh` alone.
    expect(lang({ zh: {} }, 'zh-TW', [])).toBe('en');
    expect(lang({ zh: {} }, 'zh-SG', [])).toBe('zh');
  });
  it('falls back to English', () => {
    expect(lang({}, 'fr', ['ja'])).toBe('en');
    expect(resolveLanguage({ language: 'auto', texts: {} }, undefined, undefined)).toBe('en');
  });
});

describe('resolveTexts', () => {
  const config = { texts: { he: { acceptAll: 'קבל', purposes: { analytics: { title: 'A' } } } }, purposes: [{ id: 'analytics' }, { id: 'x' }] };
  it('layers site texts over built-in ones over English; a purpose without texts has its id as the title and no description', () => {
    const t = resolveTexts(config, 'he');
    expect(t).toMatchObject({ language: 'he', dir: 'rtl', ui: { acceptAll: 'קבל', rejectAll: 'Reject all' } });
    expect(t.ui.bannerText).toMatch(/^This site uses/);
    expect(t.purposes).toEqual({ analytics: { title: 'A', description: '' }, x: { title: 'x', description: '' } });
  });
  it('uses built-in zh-CN for a regional Chinese tag, left to right, with the controller named', () => {
    const t = resolveTexts({ ...config, controller: { name: 'ACME' } }, 'zh-Hans');
    expect(t).toMatchObject({ dir: 'ltr', ui: { acceptAll: '全部接受' } });
    expect(t.ui.bannerText).toMatch(/^ACME仅在/);
  });
  it('shows Traditional Chinese tags the site\'s Traditional texts over English, never the built-in Simplified ones', () => {
    const site = { texts: { 'zh-TW': { acceptAll: '全部接受（繁）' } }, purposes: [{ id: 'analytics' }] };
    expect(resolveTexts(site, 'zh-HK')).toMatchObject({ ui: { acceptAll: '全部接受（繁）', rejectAll: 'Reject all' }, purposes: { analytics: { title: 'analytics', description: '' } } });
    expect(resolveTexts({ texts: {}, purposes: [] }, 'zh-Hant').ui.acceptAll).toBe('Accept all');
    expect(resolveTexts({ texts: {}, purposes: [] }, 'zh-SG').ui.acceptAll).toBe('全部接受');
  });
  it('has no built-in purpose texts in any language: those are the site\'s', () => {
    const common = { texts: {}, purposes: ['necessary', 'functional', 'analytics', 'marketing'].map((id) => ({ id })) };
    for (const language of ['en', 'zh-CN']) {
      expect(Object.values(resolveTexts(common, language).purposes)).toEqual(common.purposes.map(({ id }) => ({ title: id, description: '' })));
    }
  });
  it('finds site texts by a language tag in any case, or by its primary language', () => {
    const site = { texts: { EN: { acceptAll: 'OK' }, 'de-AT': { acceptAll: 'Passt' } }, purposes: [] };
    expect(resolveTexts(site, 'en').ui.acceptAll).toBe('OK');
    expect(resolveTexts(site, 'en-GB').ui.acceptAll).toBe('OK');
    expect(resolveTexts(site, 'de').ui.acceptAll).toBe('Passt');
    expect(resolveTexts(site, 'fr').ui.acceptAll).toBe('Accept all');
  });
  it('reads Arabic and other right-to-left tags as rtl', () => {
    expect(['ar', 'arc', 'fa-IR', 'ur'].map((l) => resolveTexts(config, l).dir)).toEqual(['rtl', 'rtl', 'rtl', 'rtl']);
    expect(resolveTexts(config, 'ara').dir).toBe('ltr');
    // Central Kurdish and Uyghur are written in Arabic script; Hausa and Kurmanji Kurdish in Latin script.
    expect(['ckb', 'ckb-IQ', 'ug', 'ug-CN'].map((l) => resolveTexts(config, l).dir)).toEqual(['rtl', 'rtl', 'rtl', 'rtl']);
    expect(['ha', 'ha-NG', 'ku', 'ku-TR'].map((l) => resolveTexts(config, l).dir)).toEqual(['ltr', 'ltr', 'ltr', 'ltr']);
  });
});
