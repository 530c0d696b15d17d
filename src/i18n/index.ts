import type { NormalizedConfig, UiTexts } from '../core/types';
import { en } from './en';
import { zhCN } from './zh-CN';

/**
 * Languages with built-in texts: the UI's, and the controller's name when the config gives none.
 * Others use English unless the site supplies `texts[lang]`. Purposes have none built in: what a
 * purpose does on a site is the site's to say (`texts[lang].purposes`), and a generic sentence
 * shipped here could tell a visitor less, or other, than the site does.
 */
const builtIn: Record<string, [UiTexts, string]> = {
  en: [en, 'This site'],
  'zh-CN': [zhCN, '本网站'],
};

// Languages written right to left by default (CLDR): Hausa and Kurdish (Kurmanji) are mostly written
// in Latin script, Central Kurdish (ckb) and Uyghur (ug) in Arabic script.
const RTL = /^(arc?|ckb|dv|fa|he|khw|ks|ps|sd|ug|ur|yi)\b/i;

/** The exact texts a visitor is shown in one language. */
export interface ResolvedTexts {
  language: string;
  dir: 'ltr' | 'rtl';
  ui: UiTexts;
  purposes: Record<string, { title: string; description: string }>;
}

/**
 * What two tags are compared by: lowercase, whole (no `n`) or its first `n` subtags. Chinese in
 * Traditional script (zh-TW, zh-HK, zh-MO, zh-Hant…: every `zh-` tag but zh-Hans…, zh-CN, zh-SG,
 * zh-MY) is marked as a language of its own, so it never matches Simplified texts, nor they it.
 */
const key = (tag: string, n?: number) => (/^zh-(?!(hans|cn|sg|my)\b)/i.test(tag) ? 'T' : '') + tag.toLowerCase().split('-', n);

/** Finds the best key of `available` for a BCP 47 tag: exact, then same primary language (`zh-Hans-CN` → `zh-CN`). */
function match(tag: string, available: object): string | undefined {
  const find = (n?: number) => Object.keys(available).find((a) => key(a, n) == key(tag, n));
  return find() ?? find(1);
}

/**
 * The language to show, as the key of the texts shown (site-supplied first, then built-in): the
 * configured one, or for `auto` the page's `<html lang>`, then the browser's preferred languages;
 * English when none has texts, so the widget is never marked with a language it does not show.
 */
export function resolveLanguage(
  config: Pick<NormalizedConfig, 'language' | 'texts'>,
  doc: { documentElement?: { lang?: string } } | undefined = globalThis.document,
  nav: { languages?: readonly string[] } | undefined = globalThis.navigator,
): string {
  const available = { ...config.texts, ...builtIn };
  const tags = config.language != 'auto' ? [config.language] : [doc?.documentElement?.lang, ...(nav?.languages ?? [])];
  return tags.map((tag) => tag && match(tag, available)).find((found) => found) || 'en';
}

/** Fills `{name}` placeholders; unknown names stay as they are. */
export function format(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (all, name: string) => values[name] ?? all);
}

/**
 * Every text shown in `language`: site texts first, then built-in texts of that language, then
 * English; a purpose's title defaults to its id and its description to `''`. This is also what the receipt's `noticeHash` covers.
 */
export function resolveTexts(config: Pick<NormalizedConfig, 'texts' | 'purposes' | 'controller'>, language: string): ResolvedTexts {
  const [builtInUi, site] = builtIn[match(language, builtIn) ?? 'en']!;
  // Tags compare case-insensitively (BCP 47), and `texts.en` also serves `en-GB`.
  const { purposes: own = {}, ...ownUi } = config.texts[match(language, config.texts) ?? ''] ?? {};
  const ui = { ...builtInUi, ...ownUi } as UiTexts;
  ui.bannerText = format(ui.bannerText, { controller: config.controller?.name ?? site });
  const purposes: ResolvedTexts['purposes'] = {};
  // Validated texts hold only `title` and `description`, and never an explicit undefined.
  for (const { id } of config.purposes) purposes[id] = { title: id, description: '', ...own[id] };
  return { language, dir: RTL.test(language) ? 'rtl' : 'ltr', ui, purposes };
}
