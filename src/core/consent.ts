import { createStore } from 'zustand/vanilla';
import { validateConfig } from './config';
import { createEmitter } from './emitter';
import { resolveLanguage } from '../i18n';
import { detectGpc } from '../integrations/gpc';
import { createDecisionStorage, type DecisionStorage, type StoredDecision } from '../storage/persistence';
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
export function randomUuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const defaultEnv = (): CoreEnvironment => ({ gpc: detectGpc(globalThis.navigator), now: Date.now, uuid: randomUuid });

/** The action a receipt records for a move from `previous` to `next`. */
function actionFor(input: DecisionInput, previous: ConsentState, next: ConsentState, withdraw: boolean): DecisionAction {
  if (withdraw) return 'withdraw';
  if (input === 'accept-all' || input === 'reject-all') return input;
  const ids = Object.keys(next.purposes);
  const grantsAdded = ids.some((id) => next.purposes[id] && !(previous.status === 'decided' && previous.purposes[id]));
  const grantsRemoved = previous.status === 'decided' && ids.some((id) => previous.purposes[id] && !next.purposes[id]);
  return grantsRemoved && !grantsAdded ? 'withdraw' : 'custom';
}

/**
 * Creates the headless consent core: validated config, one zustand store as the single source of
 * truth, storage, expiry and re-ask, GPC, events, and the plugins that build on it. Throws a
 * `ConsentConfigError` for an invalid config; after that, faults become `error` events.
 */
export function createConsentCore(input: unknown, options: CoreOptions = {}): ConsentCore {
  const config = validateConfig(input);
  const env: CoreEnvironment = { ...defaultEnv(), ...options.env };
  const emitter = createEmitter<ConsentEvents>();
  const gpcActive = config.gpc && env.gpc;
  const optOut = new Set(config.purposes.filter((p) => p.optOutSignal).map((p) => p.id));

  // Faults found while starting are delivered a microtask later, once the caller has had the
  // chance to subscribe to `error` on the instance it is being handed.
  let starting = true;
  const reportError = (code: string, message: string, cause?: unknown) => {
    const event = cause === undefined ? { code, message } : { code, message, cause };
    if (starting) queueMicrotask(() => emitter.emit('error', event));
    else emitter.emit('error', event);
  };
  const storage = (options.storage ?? createDecisionStorage)(config, reportError);

  /** Every purpose denied except required ones: the state before any decision. */
  const pendingPurposes = () => Object.fromEntries(config.purposes.map((p) => [p.id, p.required === true]));

  const fromStored = (r: StoredDecision): ConsentState => {
    const expired = r.decidedAt + config.expiresAfterDays * DAY <= env.now();
    if (r.policyVersion !== config.policyVersion || expired || r.decidedAt > env.now() + DAY) {
      return { status: 'pending', purposes: pendingPurposes(), policyVersion: config.policyVersion, subjectId: r.subjectId };
    }
    const granted = new Set(r.granted);
    return {
      status: 'decided',
      purposes: Object.fromEntries(config.purposes.map((p) => [p.id, p.required === true || granted.has(p.id)])),
      policyVersion: r.policyVersion,
      subjectId: r.subjectId,
      decidedAt: new Date(r.decidedAt).toISOString(),
      expiresAt: new Date(r.decidedAt + config.expiresAfterDays * DAY).toISOString(),
    };
  };

  const toStored = (s: ConsentState, gpc: boolean): StoredDecision => ({
    subjectId: s.subjectId,
    decidedAt: Date.parse(s.decidedAt ?? '') || env.now(),
    policyVersion: s.policyVersion,
    gpc,
    granted: config.purposes.filter((p) => !p.required && s.purposes[p.id]).map((p) => p.id),
  });

  const initialRecord = storage.readSync();
  const initial: ConsentState = initialRecord
    ? fromStored(initialRecord)
    : { status: 'pending', purposes: pendingPurposes(), policyVersion: config.policyVersion, subjectId: env.uuid() };
  /** Whether GPC was on when the current decision was made; a grant made then was the visitor's own. */
  let decidedUnderGpc = initialRecord?.gpc ?? false;
  /** Opt-out purposes that GPC takes back from a decision made without it. */
  const gpcWithdrawals = (s: ConsentState) =>
    gpcActive && s.status === 'decided' && !decidedUnderGpc ? [...optOut].filter((id) => s.purposes[id]) : [];
  // Deny them before anything (tags, gating) can read the state; the receipt follows once plugins listen.
  const startWithdrawals = gpcWithdrawals(initial);
  for (const id of startWithdrawals) initial.purposes[id] = false;
  const store = createStore<ConsentState>(() => initial);

  // `change` fires once per real change of the decision, not for bookkeeping such as the receipt id.
  const fingerprint = (s: ConsentState) => `${s.status}|${s.subjectId}|${s.decidedAt}|${JSON.stringify(s.purposes)}`;
  const unsubscribeStore = store.subscribe((next, prev) => {
    if (fingerprint(next) === fingerprint(prev)) return;
    emitter.emit('change', next);
    try {
      document.dispatchEvent(new CustomEvent('consentseal:change', { detail: next }));
    } catch {
      // No document (server, worker): the instance event above is the whole notification.
    }
  });

  const decide = async (decision: DecisionInput, method: DecisionMethod, opts: { withdraw?: boolean } = {}): Promise<ConsentState> => {
    if (destroyed) throw new Error('ConsentSeal: this instance was destroyed');
    const previous = store.getState();
    if (typeof decision === 'object') {
      const unknown = Object.keys(decision).filter((id) => !config.purposes.some((p) => p.id === id));
      if (unknown.length) throw new Error(`ConsentSeal: unknown purpose id(s): ${unknown.join(', ')}`);
      const bad = Object.keys(decision).filter((id) => typeof decision[id] !== 'boolean');
      if (bad.length) throw new Error(`ConsentSeal: choices must be true or false: ${bad.join(', ')}`);
    }
    const purposes: Record<string, boolean> = {};
    for (const p of config.purposes) {
      let granted: boolean;
      if (p.required) granted = true;
      else if (decision === 'accept-all') granted = !(gpcActive && optOut.has(p.id));
      else if (decision === 'reject-all') granted = false;
      else granted = decision[p.id] ?? (previous.status === 'decided' && previous.purposes[p.id] === true);
      purposes[p.id] = granted;
    }
    const now = env.now();
    const next: ConsentState = {
      status: 'decided',
      purposes,
      policyVersion: config.policyVersion,
      subjectId: previous.subjectId,
      decidedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + config.expiresAfterDays * DAY).toISOString(),
    };
    decidedUnderGpc = gpcActive;
    store.setState(next, true);
    emitter.emit('decision', { state: next, previous, action: actionFor(decision, previous, next, opts.withdraw === true), method, gpc: gpcActive });
    await storage.save(toStored(next, gpcActive));
    return store.getState();
  };

  /**
   * GPC turned on after the visitor granted an opt-out purpose without it: the signal alone
   * withdraws that grant (method `gpc`). A grant made while GPC was on was the visitor's own toggle.
   */
  const applyGpc = (ids: string[]) => {
    if (ids.length) void decide(Object.fromEntries(ids.map((id) => [id, false])), 'gpc', { withdraw: true }).catch((e) => reportError('storage', 'GPC could not be applied', e));
  };

  let destroyed = false;
  const cleanups: Array<() => void> = [unsubscribeStore];

  cleanups.push(
    storage.watch((record) => {
      const next = fromStored(record);
      decidedUnderGpc = record.gpc;
      store.setState({ ...next, ...(next.status === 'pending' ? { subjectId: record.subjectId } : {}) }, true);
    }),
  );

  const ready = storage
    .load()
    .then((record) => {
      if (destroyed || !record) return;
      const current = store.getState();
      const loaded = fromStored(record);
      if (current.status === 'decided' && Date.parse(current.decidedAt ?? '') >= record.decidedAt) return;
      decidedUnderGpc = record.gpc;
      store.setState(loaded, true);
      // IndexedDB had a decision the cookie lacked (cleared, blocked or older): restore the mirror.
      if (loaded.status === 'decided' && initialRecord?.decidedAt !== record.decidedAt) void storage.save(record);
    })
    .catch((e) => reportError('storage', 'The stored decision could not be loaded', e))
    .then(() => {
      if (!destroyed) applyGpc(gpcWithdrawals(store.getState()));
    });

  const core: ConsentCore = {
    config,
    store,
    env,
    language: resolveLanguage(config),
    ready,
    getState: () => store.getState(),
    isGranted: (id) => store.getState().purposes[id] === true,
    acceptAll: () => decide('accept-all', 'api'),
    rejectAll: () => decide('reject-all', 'api'),
    setPurposes: (choices) => decide(choices, 'api'),
    withdraw: (ids) => {
      const targets = ids ?? config.purposes.filter((p) => !p.required).map((p) => p.id);
      return decide(Object.fromEntries(targets.map((id) => [id, false])), 'api', { withdraw: true });
    },
    decide,
    showBanner: () => emitter.emit('view', { view: 'banner' }),
    showPreferences: () => emitter.emit('view', { view: 'preferences' }),
    hide: () => emitter.emit('view', { view: 'none' }),
    on: emitter.on,
    emit: emitter.emit,
    reportError,
    setReceiptId: (receiptId) => store.setState({ receiptId }),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const fn of cleanups.splice(0).reverse()) {
        try {
          fn();
        } catch (e) {
          reportError('plugin', 'A plugin failed to clean up', e);
        }
      }
      emitter.clear();
    },
  };

  for (const plugin of options.plugins ?? []) {
    try {
      const cleanup = plugin(core);
      if (cleanup) cleanups.push(cleanup);
    } catch (e) {
      reportError('plugin', 'A plugin failed to start', e);
    }
  }
  applyGpc(startWithdrawals);
  starting = false;
  return core;
}
