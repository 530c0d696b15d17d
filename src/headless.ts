/**
 * `consentseal/headless`: the consent core with storage, receipts and integrations, no UI.
 * @packageDocumentation
 */
import { createConsentCore, type CoreOptions } from './core/consent';
import type { ConsentCore } from './core/plugin';
import { gatingPlugin } from './gating';
import { googleConsentModePlugin } from './integrations/google-consent-mode';
import { readReceiptLog, receiptsPlugin, type ReceiptLogEntry } from './receipts';

export { ConsentConfigError, validateConfig, isSafeLinkUrl, type ConfigIssue } from './core/config';
export { createConsentCore, type CoreOptions } from './core/consent';
export { resolveLanguage, resolveTexts, type ResolvedTexts } from './i18n';
export { encodeCookie, decodeCookie, type CookieRecord } from './storage/cookie';
export { canonicalJson, noticeDocument, noticeHash, readReceiptLog, thumbprint, type NoticeDocument, type ReceiptLogEntry, type ReceiptPayload } from './receipts';
export type * from './core/types';
export type { ConsentCore, ConsentPlugin, CoreEnvironment, DecisionInput } from './core/plugin';

/** A consent instance: the core with its plugins, plus the visitor's own receipt log. */
export interface ConsentSeal extends ConsentCore {
  /** Every receipt this browser signed, oldest first, with its delivery status and the collector's acknowledgement. */
  receipts(): Promise<ReceiptLogEntry[]>;
}

/**
 * Creates a consent instance without UI. Throws `ConsentConfigError` listing every problem in
 * `config`; after that, faults are reported as `error` events and never thrown.
 */
export function createConsent(config: unknown, options: CoreOptions = {}): ConsentSeal {
  // The plugins every build installs; the UI build adds its own after them. Consent Mode goes
  // first: its defaults must precede any Google tag a gated script may run.
  const core = createConsentCore(config, { ...options, plugins: [googleConsentModePlugin, gatingPlugin, receiptsPlugin(), ...(options.plugins ?? [])] });
  return Object.assign(core, { receipts: readReceiptLog });
}
