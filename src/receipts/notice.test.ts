import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConsentConfig, UiTexts } from '../core/types';
import { resolveTexts } from '../i18n';
import { en } from '../i18n/en';
import { noticeDocument, noticeHash } from './notice';
import { canonicalJson } from './util';

// Every UI text overridden, so this vector does not move when the built-in texts change.
const ui = Object.fromEntries(Object.keys(en).map((k) => [k, `${k}!`])) as unknown as UiTexts;
ui.bannerText = '{controller} asks: “ok?”';

const config: ConsentConfig = {
  policyVersion: '2026-11-01',
  policyUrl: '../privacy?v=2#top',
  controller: { name: 'Example Ltd' },
  purposes: [
    { id: 'necessary', required: true },
    { id: 'analytics', services: [{ id: 'ga4', name: 'Google Analytics', cookies: ['_ga', '/^_ga_/'] }] },
    { id: 'marketing', optOutSignal: true, services: [{ id: 'ads' }] },
  ],
  texts: { xx: { ...ui, purposes: { necessary: { description: 'Needed.' }, analytics: { title: 'Stats', description: 'See [how](https://e.example/a)' }, marketing: { description: 'Ads.' } } } },
};

const uiCanonical = Object.keys(ui)
  .sort()
  .map((k) => `"${k}":${JSON.stringify(k === 'bannerText' ? 'Example Ltd asks: “ok?”' : `${k}!`)}`)
  .join(',');
const expected =
  '{"controller":{"contact":null,"name":"Example Ltd"},"language":"xx","policyUrl":"https://shop.example/privacy?v=2#top","policyVersion":"2026-11-01",' +
  '"purposes":[' +
  '{"description":"Needed.","id":"necessary","optOutSignal":false,"required":true,"services":[],"title":"necessary"},' +
  '{"description":"See [how](https://e.example/a)","id":"analytics","optOutSignal":false,"required":false,"services":[{"cookies":["_ga","/^_ga_/"],"id":"ga4","name":"Google Analytics"}],"title":"Stats"},' +
  '{"description":"Ads.","id":"marketing","optOutSignal":true,"required":false,"services":[{"cookies":[],"id":"ads","name":null}],"title":"marketing"}' +
  `],"ui":{${uiCanonical}}}`;

describe('notice hash', () => {
  it('canonicalizes exactly the texts shown, purposes in config order, policy URL absolute', () => {
    expect(canonicalJson(noticeDocument(config, 'xx', 'https://shop.example/shop/cart?x=1'))).toBe(expected);
  });

  it('hashes the canonical UTF-8 bytes with SHA-256 (fixed vector)', async () => {
    const h = await noticeHash(config, 'xx', 'https://shop.example/shop/cart?x=1');
    expect(h).toBe(createHash('sha256').update(expected, 'utf8').digest('base64url'));
    // Frozen: a change here changes every auditor's recomputation (and needs a README note).
    expect(h).toBe('rWS61j5LtsXxrbnA8-AWnqLof0w_VlFrEnsmq-QQwNg');
  });

  it('changes with any shown text, the language or the policy, not with config key order', async () => {
    const page = 'https://shop.example/shop/cart';
    const base = await noticeHash(config, 'xx', page);
    const reordered = JSON.parse(JSON.stringify({ texts: config.texts, purposes: config.purposes, policyUrl: config.policyUrl, controller: config.controller, policyVersion: config.policyVersion }));
    expect(await noticeHash(reordered, 'xx', page)).toBe(base);
    const edited = structuredClone(config);
    edited.texts!.xx!.purposes!.analytics!.description = 'See [how](https://e.example/b)';
    expect(await noticeHash(edited, 'xx', page)).not.toBe(base);
    expect(await noticeHash({ ...config, policyVersion: '2027' }, 'xx', page)).not.toBe(base);
    expect(await noticeHash(config, 'en', page)).not.toBe(base);
  });

  it('falls back to the built-in texts of the language', () => {
    const doc = noticeDocument({ policyVersion: '1', policyUrl: 'https://a.example/p', purposes: [{ id: 'analytics' }] }, 'zh-CN', 'https://a.example/');
    expect(doc.ui.acceptAll).toBe('全部接受');
    expect(doc.controller).toEqual({ name: null, contact: null });
    const zh = resolveTexts({ texts: {}, purposes: [{ id: 'analytics' }] }, 'zh-CN').purposes.analytics!;
    expect(doc.purposes).toEqual([{ id: 'analytics', required: false, optOutSignal: false, title: zh.title, description: zh.description, services: [] }]);
  });
});
