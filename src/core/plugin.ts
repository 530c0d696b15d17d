import type { StoreApi } from 'zustand/vanilla';
import type {
  ConsentEventName,
  ConsentEvents,
  ConsentInstance,
  ConsentState,
  DecisionAction,
  DecisionMethod,
  NormalizedConfig,
  Unsubscribe,
} from './types';

/** What the core reads from its surroundings; injectable so unit tests need no browser. */
export interface CoreEnvironment {
  /** Global Privacy Control is on (`navigator.globalPrivacyControl === true`). */
  gpc: boolean;
  /** Milliseconds since the epoch. */
  now(): number;
  /** A new random UUID v4. */
  uuid(): string;
}

/** A decision as the visitor expressed it: everything, nothing, or explicit per-purpose choices. */
export type DecisionInput = 'accept-all' | 'reject-all' | Record<string, boolean>;

/**
 * The core as plugins (storage, receipts, gating, integrations, ui) see it: the public instance
 * plus the store, the normalized config and internal events.
 */
export interface ConsentCore extends ConsentInstance {
  readonly config: NormalizedConfig;
  /** The single source of truth. Plugins read it and subscribe; only the core writes decisions. */
  readonly store: StoreApi<ConsentState>;
  readonly env: CoreEnvironment;
  /**
   * The resolved language of the texts shown (`en`, `zh-CN`, …), which receipts record. With
   * `language: "auto"` it follows a later change of `<html lang>`, announced by the `language` event.
   */
  language: string;
  /**
   * Records a decision made through `method`. Resolves to the new state once stored. `action`
   * names it (`withdraw` for the `withdraw()` API, whatever the mix); by default it follows the input.
   */
  decide(input: DecisionInput, method: DecisionMethod, action?: DecisionAction): Promise<ConsentState>;
  /** Every event, internal ones (`decision`, `view`) included. */
  on<K extends ConsentEventName>(event: K, fn: (payload: ConsentEvents[K]) => void): Unsubscribe;
  emit<K extends ConsentEventName>(event: K, payload: ConsentEvents[K]): void;
  /** Reports a fault as an `error` event (and never throws). */
  reportError(code: string, message: string, cause?: unknown): void;
  /** Notes the id of the receipt signed for the current decision, without a `change` event. */
  setReceiptId(receiptId: string): void;
}

/** Installs behaviour on a core; returns its cleanup, run by `destroy()`. */
export type ConsentPlugin = (core: ConsentCore) => void | (() => void);
