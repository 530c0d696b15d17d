import { createStore } from 'zustand/vanilla';
import { validateConfig } from './config';
import { resolveLanguage } from '../i18n';
import { uuidOf } from '../storage/cookie';
import { createDecisionStorage, type DecisionStorage, type StoredDecision } from '../storage/persistence';
import { reopenLinkHandler } from './reopen-links';
import type { ConsentCore, ConsentPlugin, CoreEnvironment, DecisionInput } from './plugin';
import type { ConsentEvents, ConsentState, DecisionAction, DecisionMethod, NormalizedConfig } from './types';

/** Options for {@link createConsentCore}. */
export interface CoreOptions {
  plugins?: ConsentPlugin[];
  env?: Partial<CoreEnvironment>;
  /** Replaces the browser storage (tests, server-side rendering). */
  storage?: (config: NormalizedConfig, onError: (code: string, message: string, cause?: unknown) => void) => DecisionStorage;
}

const DAY = 86_400_000;

/** A UUID v4 from getRandomValues, which (unlike randomUUID) works on insecure origins too. */
const randomUuid = (): string => {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 15) | 64; // version 4
  b[8] = (b[8]! & 63) | 128; // variant 10
  return uuidOf((i) => b[i]!);
};

/**
 * Creates the headless consent core: validated config, one zustand store as the single source of
 * truth, storage, expiry and re-ask, GPC, events, the page's language (followed with `language:
 * "auto"`), and the plugins that build on it. Throws a `ConsentConfigError` for an invalid config;
 * after that, faults become `error` events.
 */
export function createConsentCore(input: unknown, options: CoreOptions = {}): ConsentCore {
  const config = validateConfig(input);
  const { purposes, policyVersion, expiresAfterDays } = config;
  const env: CoreEnvironment = {
    // Global Privacy Control (https://privacycg.github.io/gpc-spec/): only the exact value `true` is
    // a signal; a missing property (most browsers), `false` or a truthy non-boolean is none.
    gpc: (globalThis.navigator as { globalPrivacyControl?: unknown } | undefined)?.globalPrivacyControl === true,
    now: Date.now,
    uuid: randomUuid,
    ...options.env,
  };
  // Every listener with its event, in one list; a throwing listener never stops the others or reaches the caller.
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const on = <K extends keyof ConsentEvents>(event: K, fn: (payload: ConsentEvents[K]) => void) => {
    const listener = (e: string, payload: unknown) => e == event && fn(payload as ConsentEvents[K]);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  const emit = <K extends keyof ConsentEvents>(event: K, payload: ConsentEvents[K]) => {
    for (const listener of [...listeners]) {
      try {
        listener(event, payload);
      } catch (e) {
        console.error('ConsentSeal: a listener threw', e);
      }
    }
  };
  const gpcActive = config.gpc && env.gpc;

  // Faults are delivered a microtask later, so those found while starting reach the caller, who
  // subscribes to `error` on the instance it is being handed.
  const reportError = (code: string, message: string, cause?: unknown) => queueMicrotask(() => emit('error', { code, message, cause }));
  /** Runs a plugin or its cleanup: a throw is reported, and the others go on. */
  const guard = <T>(fn: () => T) => {
    try {
      return fn();
    } catch (e) {
      reportError('plugin', 'A plugin failed', e);
    }
  };
  const storage = (options.storage ?? createDecisionStorage)(config, reportError);

  /**
   * The state record `r` means now: its decision, or pending (only required purposes granted,
   * same subject) when it has none, expired, is dated in the future or is for another policy version.
   * GPC denies the opt-out purposes of a decision made without it (a grant made while GPC was on
   * was the visitor's own), so they are denied before anything (tags, gating) can read the state.
   */
  const stateOf = (r: Pick<StoredDecision, 'subjectId'> & Partial<StoredDecision>): ConsentState => {
    const t = r.decidedAt!;
    const end = t + expiresAfterDays * DAY;
    const now = env.now();
    const live = r.policyVersion == policyVersion && end > now && t <= now + DAY;
    return {
      status: live ? 'decided' : 'pending',
      purposes: Object.fromEntries(purposes.map((p) => [p.id, !!p.required || (live && r.granted!.includes(p.id) && !(p.optOutSignal && gpcActive && !r.gpc))])),
      policyVersion,
      subjectId: r.subjectId,
      ...(live && { decidedAt: new Date(t).toISOString(), expiresAt: new Date(end).toISOString() }),
    };
  };

  /** The record behind the state: the cookie's at start, then each decision adopted. */
  let current = storage.readSync();
  const cookie = current;
  const store = createStore<ConsentState>(() => stateOf(current ?? { subjectId: env.uuid() }));
  /**
   * The subject of this origin's next decision, when the state's is not this origin's own: set at
   * start when IndexedDB (per origin) does not hold the cookie's subject, as with a cookie that
   * `cookie.domain` shares with a sibling site. That subject is bound to the sibling's signing key,
   * so the collector would reject every receipt signed here for it.
   */
  let subject: string | undefined;
  /** IndexedDB has answered (or failed): `subject` is known. */
  let loaded = false;

  /** Takes on a decision: made here, stored by another tab, or found in IndexedDB at start. */
  const adopt = (r: StoredDecision) => {
    current = r;
    subject = undefined;
    store.setState(stateOf(r), true);
    return store.getState();
  };

  // `change` fires once per real change of the decision, not for bookkeeping such as the receipt id.
  const fingerprint = (s: ConsentState) => JSON.stringify({ ...s, receiptId: 0 });
  const cleanups = [
    store.subscribe((next, prev) => {
      if (fingerprint(next) == fingerprint(prev)) return;
      emit('change', next);
      // No document (server, worker): the instance event is the whole notification.
      globalThis.document?.dispatchEvent(new CustomEvent('consentseal:change', { detail: next }));
    }),
    // Another tab's decision, unless older than this tab's own (two decisions' messages crossed). It
    // comes in whole seconds, so one from the same second as a decision made here may be the newer.
    storage.watch((r) => r && r.decidedAt + 1e3 > (current?.decidedAt ?? 0) && adopt(r)),
  ];
  let destroyed = false;

  const decide = async (decision: DecisionInput, method: DecisionMethod, action?: DecisionAction): Promise<ConsentState> => {
    // On the cookie's decision, wait until IndexedDB has told whose subject this origin decides under
    // (see `subject`): milliseconds, and a decision made sooner would go under a sibling site's subject.
    if (cookie && !loaded) await ready;
    if (destroyed) throw Error('ConsentSeal: destroyed');
    const previous = store.getState();
    // Choices are the site's own input: refuse ids that name no purpose (an own boolean of the state) and non-booleans.
    const bad = typeof decision == 'object' ? Object.keys(decision).filter((id) => typeof decision[id] != 'boolean' || typeof previous.purposes[id] != 'boolean') : [];
    if (bad.length) throw Error('ConsentSeal: unknown purpose or non-boolean: ' + bad.join(', '));
    const record: StoredDecision = {
      subjectId: subject ?? previous.subjectId,
      // The signal's withdrawal keeps the visitor's date: it renews none of the grants it leaves.
      decidedAt: method == 'gpc' && current ? current.decidedAt : env.now(),
      policyVersion,
      gpc: gpcActive,
      // Required purposes are implied; an omitted choice keeps the current one (false while pending).
      // Accept all leaves an opt-out purpose as it is under GPC: denied, or the visitor's own grant.
      granted: purposes
        .filter((p) => !p.required && (decision == 'accept-all' ? !(p.optOutSignal && gpcActive) || previous.purposes[p.id] : decision != 'reject-all' && (decision[p.id] ?? previous.purposes[p.id])))
        .map((p) => p.id),
    };
    const next = adopt(record);
    // Unless named, `withdraw` when the change only takes grants away (-1: granted before, not now).
    const moves = purposes.map((p) => +next.purposes[p.id]! - +previous.purposes[p.id]!);
    action ??= typeof decision == 'string' ? decision : moves.includes(-1) && !moves.includes(1) ? 'withdraw' : 'custom';
    emit('decision', { state: next, previous, action, method, gpc: gpcActive });
    await storage.save(record);
    return store.getState();
  };

  const ready = storage
    .load()
    .then(async (r) => {
      if (destroyed) return;
      // The newer wins: a decision at least as new (the cookie's, written while IndexedDB failed, or
      // one made or received meanwhile) stays.
      const s = r && r.decidedAt > (current?.decidedAt ?? 0) ? adopt(r) : store.getState();
      // Still the cookie's decision, under a subject IndexedDB does not hold: decide under IndexedDB's, or a new one.
      if (current == cookie && r?.subjectId != current?.subjectId) subject = r?.subjectId ?? env.uuid();
      loaded = true;
      if (s.status == 'decided') {
        // Adopted (IndexedDB had a decision the cookie lacked: cleared, blocked or older): restore the mirror.
        if (r == current) void storage.save(r!);
        // The stored decision granted an opt-out purpose that GPC now denies (see stateOf): the signal
        // alone withdrew it, which is recorded (method `gpc`) and stored. A decision made meanwhile had GPC.
        if (current!.granted.some((id) => s.purposes[id] === false)) await decide({}, 'gpc', 'withdraw');
      }
    })
    .catch((e) => reportError('storage', 'Cannot load the decision', e));

  const view = (v: ConsentEvents['view']['view']) => () => emit('view', { view: v });
  const core: ConsentCore = {
    config,
    store,
    env,
    language: resolveLanguage(config),
    ready,
    getState: store.getState,
    isGranted: (id) => store.getState().purposes[id] === true,
    acceptAll: () => decide('accept-all', 'api'),
    rejectAll: () => decide('reject-all', 'api'),
    setPurposes: (choices) => decide(choices, 'api'),
    // Withdrawing everything is a rejection of every non-required purpose.
    withdraw: (ids) => decide(ids ? Object.fromEntries(ids.map((id) => [id, false])) : 'reject-all', 'api', 'withdraw'),
    decide,
    showBanner: view('banner'),
    showPreferences: view('preferences'),
    hide: view('none'),
    on,
    emit,
    reportError,
    setReceiptId: (receiptId) => store.setState({ receiptId }),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      cleanups.reverse().forEach(guard);
      // After the faults cleaning up reported (each a microtask too).
      queueMicrotask(() => listeners.clear());
    },
  };

  // `language: "auto"` follows a later change of `<html lang>` (a single-page app switching language
  // without a reload) or of the browser's languages (which decide where the page names none the
  // texts have), in every build: the next receipt records the new language and hashes its texts,
  // and the `language` event has whatever shows texts (the widget, embed placeholders, a headless
  // site's own UI) re-render in it. A set language resolves the same whatever the page says.
  guard(() => {
    // Server-side rendering: no page whose language could change, nor links to listen to.
    if (typeof document == 'undefined') return;
    // Announced at every switch, even to a tag the same texts serve (`en-US` → `en-GB`): redrawing
    // the same texts changes nothing, and a check would cost bytes in every build.
    const follow = () => emit('language', (core.language = resolveLanguage(config)));
    const observer = new MutationObserver(follow);
    // The controller is its own listener options: its `signal` member removes every listener.
    const ac = new AbortController();
    observer.observe(document.documentElement, { attributeFilter: ['lang'] });
    addEventListener('languagechange', follow, ac);
    const reopen = reopenLinkHandler(core.showPreferences);
    document.addEventListener('click', reopen, ac);
    document.addEventListener('keydown', reopen, ac);
    cleanups.push(() => (observer.disconnect(), ac.abort()));
  });
  for (const plugin of options.plugins ?? []) {
    const cleanup = guard(() => plugin(core));
    if (cleanup) cleanups.push(cleanup);
  }
  return core;
}
