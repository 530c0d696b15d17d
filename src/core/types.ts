/**
 * Public and internal types of the consent core. The core knows nothing of the DOM widget; other
 * layers (storage, receipts, gating, integrations, ui) plug in through {@link ConsentPlugin}.
 */

/** A service (vendor, tool) a purpose covers; its cookies are deleted when the purpose is withdrawn. */
export interface ServiceConfig {
  id: string;
  name?: string;
  /** Cookie names, or `/regex/` strings matched against cookie names. */
  cookies?: string[];
}

/** One purpose of processing the visitor can grant or deny. */
export interface PurposeConfig {
  /** Matches `[a-z0-9_-]{1,40}`; unique. */
  id: string;
  /** Always granted; shown locked on. */
  required?: boolean;
  /** Denied while Global Privacy Control is on (sale, sharing, targeted advertising). */
  optOutSignal?: boolean;
  services?: ServiceConfig[];
}

/** Texts for one purpose; any omitted field falls back to the built-in texts, then to the id. */
export interface PurposeTexts {
  title?: string;
  /** May hold links as `[label](https://…)`; nothing else is interpreted. */
  description?: string;
}

/** Every string the widget shows; a site overrides any of them per language in `config.texts`. */
export interface UiTexts {
  bannerTitle: string;
  bannerText: string;
  policyLink: string;
  acceptAll: string;
  rejectAll: string;
  customize: string;
  preferencesTitle: string;
  preferencesText: string;
  save: string;
  close: string;
  requiredLabel: string;
  requiredReason: string;
  servicesLabel: string;
  cookiesLabel: string;
  gpcHonored: string;
  consentIdLabel: string;
  recordedAtLabel: string;
  downloadReceipts: string;
  placeholderText: string;
  placeholderAllow: string;
  placeholderOpen: string;
  reopen: string;
}

/** Site-provided texts for one language. */
export interface LanguageTexts extends Partial<UiTexts> {
  purposes?: Record<string, PurposeTexts>;
}

export interface CookieConfig {
  /** Default `consentseal`. */
  name?: string;
  /** Set to share the decision across subdomains, e.g. `example.com`. */
  domain?: string;
  /** Default `Lax`. */
  sameSite?: 'Lax' | 'Strict' | 'None';
  /** Default `/`. */
  path?: string;
}

/** Google Consent Mode v2 types mapped to the purposes that must all be granted for `granted`. */
export interface GoogleConsentModeConfig {
  analytics_storage?: string[];
  ad_storage?: string[];
  ad_user_data?: string[];
  ad_personalization?: string[];
  functionality_storage?: string[];
  personalization_storage?: string[];
  /** `advanced` (default): Google tags load and see `denied`; `basic`: they are gated like other scripts. */
  mode?: 'advanced' | 'basic';
  /** Milliseconds Google tags wait for an update after the default; default 500. */
  wait_for_update?: number;
  /** ISO 3166-2 region codes the default applies to; omitted = everywhere. */
  region?: string[];
}

export interface UiConfig {
  layout?: 'bar' | 'box';
  theme?: 'light' | 'dark' | 'auto';
  /** Show a small floating button that re-opens the preferences after a decision. */
  reopenButton?: boolean;
}

/** The site's configuration: plain JSON, validated by {@link validateConfig}. */
export interface ConsentConfig {
  policyVersion: string;
  policyUrl: string;
  controller?: { name?: string; contact?: string };
  purposes: PurposeConfig[];
  collector?: { url: string };
  language?: string;
  texts?: Record<string, LanguageTexts>;
  expiresAfterDays?: number;
  cookie?: CookieConfig;
  googleConsentMode?: GoogleConsentModeConfig;
  gpc?: boolean;
  ui?: UiConfig;
  /** Reload the page when a purpose is withdrawn, to stop code that already runs. */
  reloadOnWithdraw?: boolean;
}

/** The configuration after validation, with every default filled in. */
export interface NormalizedConfig extends ConsentConfig {
  language: string;
  expiresAfterDays: number;
  cookie: Required<Omit<CookieConfig, 'domain'>> & { domain?: string };
  gpc: boolean;
  ui: Required<UiConfig>;
  texts: Record<string, LanguageTexts>;
  reloadOnWithdraw: boolean;
}

export type ConsentStatus = 'pending' | 'decided';

/** What `getState()` returns; also the `detail` of `consentseal:change`. */
export interface ConsentState {
  status: ConsentStatus;
  purposes: Record<string, boolean>;
  policyVersion: string;
  subjectId: string;
  decidedAt?: string;
  expiresAt?: string;
  /** Id of the receipt signed for the current decision, once it exists. */
  receiptId?: string;
}

export type DecisionAction = 'accept-all' | 'reject-all' | 'custom' | 'withdraw';
export type DecisionMethod = 'banner' | 'preferences' | 'api' | 'gpc';

/** Emitted (internally, as `decision`) once a decision is stored; receipts and gating listen. */
export interface DecisionEvent {
  state: ConsentState;
  previous: ConsentState;
  action: DecisionAction;
  method: DecisionMethod;
  /** Global Privacy Control was on when the decision was made. */
  gpc: boolean;
}

/** The signed payload of a consent receipt (the contract's "Receipt"), members in the contract's order. */
export interface ReceiptPayload {
  ver: 1;
  receiptId: string;
  subjectId: string;
  /** 1 for a subject's first receipt, then counting up. */
  seq: number;
  /** base64url SHA-256 of the previous receipt's JWS, or null for seq 1. */
  prev: string | null;
  issuedAt: string;
  action: DecisionAction;
  method: DecisionMethod;
  purposes: Record<string, boolean>;
  policyVersion: string;
  /** Absolute. */
  policyUrl: string;
  language: string;
  /** base64url SHA-256 of the canonical notice document (see the README). */
  noticeHash: string;
  /** Origin + path, no query or fragment. */
  page: string;
  gpc: boolean;
  ephemeralKey: boolean;
  /** `consentseal@x.y.z`. */
  sdk: string;
}

/** What the `receipt` event reports about one receipt. */
export interface ReceiptEvent {
  receiptId: string;
  /** signed: stored in the outbox; sent: the collector accepted it (or had it); failed: will retry; rejected: the collector refused it. */
  status: 'signed' | 'sent' | 'failed' | 'rejected';
  jws?: string;
  reason?: string;
}

/** What the `error` event carries. Errors are reported, never thrown into the page. */
export interface ConsentErrorEvent {
  /** `storage`, `cookie`, `crypto`, `receipt`, `transport`, `gating`, `ui` or `plugin` (the README says when). */
  code: string;
  message: string;
  cause?: unknown;
}

export interface ViewEvent {
  view: 'banner' | 'preferences';
}

export interface ConsentEvents {
  change: ConsentState;
  show: ViewEvent;
  hide: ViewEvent;
  receipt: ReceiptEvent;
  error: ConsentErrorEvent;
  /** Internal: a decision was stored. */
  decision: DecisionEvent;
  /** Internal: the UI is asked to show a view (`showBanner`, `showPreferences`) or hide (`hide`). */
  view: { view: 'banner' | 'preferences' | 'none' };
  /**
   * `<html lang>` changed: the payload is the language resolved now, which `core.language` already
   * holds (the same as before for a set language, or a tag the same texts serve). The widget and
   * embed placeholders re-render on it; a headless site's own UI can too.
   */
  language: string;
}

export type ConsentEventName = keyof ConsentEvents;
export type Unsubscribe = () => void;

/** The instance API, the same in the script-tag global and the ESM builds. */
export interface ConsentInstance {
  /** Resolves once the stored decision has been loaded; resolves even if storage fails. */
  readonly ready: Promise<void>;
  getState(): ConsentState;
  isGranted(purposeId: string): boolean;
  acceptAll(): Promise<ConsentState>;
  rejectAll(): Promise<ConsentState>;
  setPurposes(choices: Record<string, boolean>): Promise<ConsentState>;
  /** Takes back the named purposes, or every non-required purpose. */
  withdraw(purposeIds?: string[]): Promise<ConsentState>;
  showBanner(): void;
  showPreferences(): void;
  hide(): void;
  on<K extends 'change' | 'show' | 'hide' | 'receipt' | 'error'>(event: K, fn: (payload: ConsentEvents[K]) => void): Unsubscribe;
  destroy(): void;
}
