import type { NormalizedConfig, PurposeTexts, UiTexts } from '../core/types';
import { en, enPurposes } from './en';
import { zhCN, zhCNPurposes } from './zh-CN';

/** Languages with built-in texts. Others use English unless the site supplies `texts[lang]`. */
const builtInLanguages: Record<string, { ui: UiTexts; purposes: Record<string, PurposeTexts> }> = {
  en: { ui: en, purposes: enPurposes },
  'zh-CN': { ui: zhCN, purposes: zhCNPurposes },
};

const RTL = /^(ar|arc|dv|fa|ha|he|khw|ks|ku|ps|sd|ur|yi)(-|$)/i;

/** The exact texts a visitor is shown in one language. */
export interface ResolvedTexts {
  language: string;
  dir: 'ltr' | 'rtl';
  ui: UiTexts;
  purposes: Record<string, { title: string; description: string }>;
}

/** Finds the best of `available` for a BCP 47 tag: exact, then same primary language (`zh-Hans-CN` → `zh-CN`). */
function match(tag: string, available: string[]): string | undefined {
  const lower = tag.toLowerCase();
  const exact = available.find((a) => a.toLowerCase() === lower);
  if (exact) return exact;
  const primary = lower.split('-')[0];
  return available.find((a) => a.toLowerCase().split('-')[0] === primary);
}

/**
 * The language to show: the configured one, or for `auto` the page's `<html lang>`, then the
 * browser's preferred languages, among the built-in and site-supplied ones; English otherwise.
 */
export function resolveLanguage(
  config: Pick<NormalizedConfig, 'language' | 'texts'>,
  doc: { documentElement?: { lang?: string } } | undefined = globalThis.document,
  nav: { languages?: readonly string[]; language?: string } | undefined = globalThis.navigator,
): string {
  const available = [...new Set([...Object.keys(config.texts), ...Object.keys(builtInLanguages)])];
  if (config.language !== 'auto') return config.language;
  const candidates = [doc?.documentElement?.lang, ...(nav?.languages ?? []), nav?.language];
  for (const c of candidates) {
    const found = c ? match(c, available) : undefined;
    if (found) return found;
  }
  return 'en';
}

/** Fills `{name}` placeholders; unknown names stay as they are. */
export function format(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (all, name: string) => values[name] ?? all);
}

/**
 * Every text shown in `language`: site texts first, then built-in texts of that language, then
 * English, then the purpose id as its title. This is also what the receipt's `noticeHash` covers.
 */
export function resolveTexts(config: Pick<NormalizedConfig, 'texts' | 'purposes' | 'controller'>, language: string): ResolvedTexts {
  const builtIn = builtInLanguages[match(language, Object.keys(builtInLanguages)) ?? 'en'] ?? builtInLanguages.en!;
  const site = config.texts[language] ?? {};
  const { purposes: sitePurposes = {}, ...siteUi } = site;
  const ui: UiTexts = { ...builtIn.ui, ...(siteUi as Partial<UiTexts>) };
  ui.bannerText = format(ui.bannerText, { controller: config.controller?.name ?? (language.startsWith('zh') ? '本网站' : 'This site') });
  const purposes: ResolvedTexts['purposes'] = {};
  for (const p of config.purposes) {
    const own = sitePurposes[p.id] ?? {};
    const fallback = builtIn.purposes[p.id] ?? enPurposes[p.id] ?? {};
    purposes[p.id] = { title: own.title ?? fallback.title ?? p.id, description: own.description ?? fallback.description ?? '' };
  }
  return { language, dir: RTL.test(language) ? 'rtl' : 'ltr', ui, purposes };
}
