import type { ConsentState, NormalizedConfig } from '../core/types';
import type { ResolvedTexts } from '../i18n';
import { trapTab } from './focus';
import { Rich } from './rich';

export type View = 'banner' | 'preferences' | 'none';
type Method = 'banner' | 'preferences';

/** What the widget's controls do; the plugin wires them to the core. */
export interface Actions {
  decide(input: 'accept-all' | 'reject-all' | 'save', method: Method): void;
  customize(): void;
  toggle(id: string, on: boolean): void;
  close(): void;
  reopen(): void;
  download(): void;
}

export interface WidgetProps {
  view: View;
  state: ConsentState;
  config: NormalizedConfig;
  t: ResolvedTexts;
  /** The choices in the preferences before they are saved. */
  draft: Record<string, boolean>;
  /** Global Privacy Control is on and honoured. */
  gpc: boolean;
  dark: boolean;
  act: Actions;
}

/** Accept and Reject: the same element, class and size, so neither is favoured. */
function Pair({ t, act }: WidgetProps, method: Method) {
  return (
    <div class="pair">
      <button class="b p" onClick={() => act.decide('reject-all', method)}>{t.ui.rejectAll}</button>
      <button class="b p" onClick={() => act.decide('accept-all', method)}>{t.ui.acceptAll}</button>
    </div>
  );
}

const Policy = ({ config, t }: WidgetProps) => (
  <a href={config.policyUrl} target="_blank" rel="noopener">{t.ui.policyLink}</a>
);

function Banner(p: WidgetProps) {
  const { ui } = p.t;
  return (
    <section class={'bn ' + p.config.ui.layout} aria-labelledby="cs-bt">
      <div class="tx">
        <h2 id="cs-bt">{ui.bannerTitle}</h2>
        <p><Rich text={ui.bannerText} /> {Policy(p)}</p>
      </div>
      <div class="acts">
        {Pair(p, 'banner')}
        <button class="b s" id="cz" onClick={p.act.customize}>{ui.customize}</button>
      </div>
    </section>
  );
}

/** `decidedAt` in the visitor's language; the raw value where the language is unknown to Intl. */
function when(iso: string, lang: string): string {
  try {
    return new Date(iso).toLocaleString(lang);
  } catch {
    return iso;
  }
}

function Preferences(p: WidgetProps) {
  const { config, t, draft, state, act } = p;
  const { ui } = t;
  return (
    <dialog
     
      aria-modal="true"
      aria-labelledby="cs-pt"
      onCancel={(e) => (e.preventDefault(), act.close())}
      onKeyDown={(e) => {
        if (e.key === 'Escape') e.preventDefault(), act.close();
        else if (e.key === 'Tab') trapTab(e, e.currentTarget);
      }}
    >
      <div class="hd">
        <h2 id="cs-pt">{ui.preferencesTitle}</h2>
        <button class="x" aria-label={ui.close} onClick={act.close}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18" /></svg>
        </button>
      </div>
      <div class="bd">
        <p><Rich text={ui.preferencesText} /> {Policy(p)}</p>
        {p.gpc && <p class="gpc" role="status">{ui.gpcHonored}</p>}
        <ul>
          {config.purposes.map(({ id, required, services }) => {
            const pt = t.purposes[id] ?? { title: id, description: '' };
            const cookies = services?.flatMap((s) => s.cookies ?? []) ?? [];
            return (
              <li key={id}>
                <div class="rw">
                  <label for={'cs-p-' + id}>{pt.title}</label>
                  {required && <em>{ui.requiredLabel}</em>}
                  <input
                    id={'cs-p-' + id}
                    type="checkbox"
                    role="switch"
                    checked={required || !!draft[id]}
                    disabled={required}
                    aria-describedby={'cs-d-' + id}
                    onChange={(e) => act.toggle(id, e.currentTarget.checked)}
                  />
                </div>
                <p id={'cs-d-' + id}>
                  <Rich text={pt.description} />
                  {required && ' ' + ui.requiredReason}
                </p>
                {services?.length ? <small>{ui.servicesLabel}: {services.map((s) => s.name ?? s.id).join(', ')}</small> : null}
                {cookies.length ? <small>{ui.cookiesLabel}: {cookies.join(', ')}</small> : null}
              </li>
            );
          })}
        </ul>
        {state.status === 'decided' && [
          <dl key="m">
            <dt>{ui.consentIdLabel}</dt>
            <dd><code>{state.subjectId}</code></dd>
            {state.decidedAt && <dt>{ui.recordedAtLabel}</dt>}
            {state.decidedAt && <dd><time dateTime={state.decidedAt}>{when(state.decidedAt, t.language)}</time></dd>}
          </dl>,
          <button key="d" class="b s dl" onClick={act.download}>{ui.downloadReceipts}</button>,
        ]}
      </div>
      <div class="acts ft">
        {Pair(p, 'preferences')}
        <button class="b s" onClick={() => act.decide('save', 'preferences')}>{ui.save}</button>
      </div>
    </dialog>
  );
}

/** The whole widget for one view; pure, so tests render it with plain props. */
export function Widget(p: WidgetProps) {
  return (
    <div class={p.dark ? 'r dk' : 'r'} lang={p.t.language} dir={p.t.dir}>
      {p.view === 'banner' ? (
        Banner(p)
      ) : p.view === 'preferences' ? (
        Preferences(p)
      ) : p.config.ui.reopenButton && p.state.status === 'decided' ? (
        <button class="ro" aria-label={p.t.ui.reopen} onClick={p.act.reopen}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3 5 6v5c0 4.4 3 8.4 7 9.5 4-1.1 7-5.1 7-9.5V6zM9 12l2 2 4-4" /></svg>
        </button>
      ) : null}
    </div>
  );
}
