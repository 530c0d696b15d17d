import type { ConsentConfig, UiTexts } from '../core/types';
import { resolveTexts } from '../i18n';
import { canonicalJson, sha256 } from './util';

/** The notice a visitor was shown, in the form `noticeHash` covers (see the README). */
export interface NoticeDocument {
  policyVersion: string;
  /** Absolute: resolved against the page URL. */
  policyUrl: string;
  language: string;
  controller: { name: string | null; contact: string | null };
  ui: UiTexts;
  purposes: Array<{
    id: string;
    required: boolean;
    optOutSignal: boolean;
    title: string;
    description: string;
    services: Array<{ id: string; name: string | null; cookies: string[] }>;
  }>;
}

type NoticeConfig = Pick<ConsentConfig, 'policyVersion' | 'policyUrl' | 'controller' | 'purposes' | 'texts'>;

/**
 * Everything the visitor was shown in `language` on `pageUrl`: policy, controller, every UI text and,
 * in config order, each purpose with its texts and services. Works on the raw config too, so an
 * auditor can rebuild it from the site's JSON.
 */
export function noticeDocument(config: NoticeConfig, language: string, pageUrl: string): NoticeDocument {
  const t = resolveTexts({ ...config, texts: config.texts ?? {} }, language);
  const c = config.controller;
  return {
    policyVersion: config.policyVersion,
    policyUrl: new URL(config.policyUrl, pageUrl).href,
    language,
    controller: { name: c?.name ?? null, contact: c?.contact ?? null },
    ui: t.ui,
    purposes: config.purposes.map((p) => ({
      id: p.id,
      required: !!p.required,
      optOutSignal: !!p.optOutSignal,
      // Exactly `title` and `description`.
      ...t.purposes[p.id]!,
      services: (p.services ?? []).map((s) => ({ id: s.id, name: s.name ?? null, cookies: s.cookies ?? [] })),
    })),
  };
}

/** base64url SHA-256 of the canonical JSON of {@link noticeDocument}: the receipt's `noticeHash`. */
export const noticeHash = (config: NoticeConfig, language: string, pageUrl: string): Promise<string> =>
  sha256(canonicalJson(noticeDocument(config, language, pageUrl)));
