import { describe, expect, it } from 'vitest';
import { resolveLanguage, resolveTexts } from './index';

const lang = (texts: Record<string, object>, html: string | undefined, languages: string[], language = 'auto') =>
  resolveLanguage({ language, texts }, { documentElement: html === undefined ? {} : { lang: html } }, { languages });

describe('resolveLanguage', () => {
  it('keeps a configured language', () => {
    expect(lang({}, 'zh-CN', ['zh-CN'], 'de')).toBe('de');
  });
  it('prefers <html lang>, then navigator.languages, exact before primary-language matches', () => {
    expect(lang({}, 'zh-CN', ['en'])).toBe('zh-CN');
    expect(lang({}, 'ZH-hans-cn', ['en'])).toBe('zh-CN');
    expect(lang({}, undefined, ['fr', 'zh-TW', 'en'])).toBe('zh-CN');
    expect(lang({ 'zh-TW': {} }, undefined, ['zh-tw'])).toBe('zh-TW');
    expect(lang({ 'de-AT': {}, de: {} }, 'de', [])).toBe('de');
    expect(lang({ 'de-AT': {} }, 'de-CH', [])).toBe('de-AT');
  });
  it('falls back to English', () => {
    expect(lang({}, 'fr', ['ja'])).toBe('en');
    expect(resolveLanguage({ language: 'auto', texts: {} }, undefined, undefined)).toBe('en');
  });
});

describe('resolveTexts', () => {
  const config = { texts: { he: { acceptAll: 'קבל', purposes: { analytics: { title: 'A' } } } }, purposes: [{ id: 'analytics' }, { id: 'x' }] };
  it('layers site texts over built-in ones over English, and the id as the title', () => {
    const t = resolveTexts(config, 'he');
    expect(t).toMatchObject({ language: 'he', dir: 'rtl', ui: { acceptAll: 'קבל', rejectAll: 'Reject all' } });
    expect(t.ui.bannerText).toMatch(/^This site uses/);
    expect(t.purposes).toEqual({ analytics: { title: 'A', description: 'Measures how the site is used so we can improve it.' }, x: { title: 'x', description: '' } });
  });
  it('uses built-in zh-CN for a regional Chinese tag, left to right, with the controller named', () => {
    const t = resolveTexts({ ...config, controller: { name: 'ACME' } }, 'zh-Hans');
    expect(t).toMatchObject({ dir: 'ltr', ui: { acceptAll: '全部接受' }, purposes: { analytics: { title: '统计分析' } } });
    expect(t.ui.bannerText).toMatch(/^ACME仅在/);
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
