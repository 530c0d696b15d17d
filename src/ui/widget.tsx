/** @jsxRuntime classic */
/** @jsx h */
import { h, type ComponentChild } from 'preact';
import type { ConsentCore } from '../core/plugin';
import type { ResolvedTexts } from '../i18n';
import { trapTab } from './focus';
import { isDark } from './mount';
import { rich } from './rich';

export type View = 'banner' | 'preferences' | 'none';
type Method = 'banner' | 'preferences';

/** What the widget's controls do; the plugin wires them to the core. */
export interface Actions {
  /** Accept all, Reject all, or `save` the toggles' draft. */
  decide(input: 'accept-all' | 'reject-all' | 'save', method: Method): void;
  close(): void;
  download(): void;
}

/** `decidedAt` in the visitor's language; the raw value where the language is unknown to Intl. */
function when(iso: string, lang: string): string {
  try {
    return new Date(iso).toLocaleString(lang);
  } catch {
    return iso;
  }
}

/**
 * The widget of one instance: returns what draws a view (banner, preferences with the toggles'
 * `draft`, or the optional re-open button) from the core's current state.
 */
export function widget(core: ConsentCore, { ui, purposes, language, dir }: ResolvedTexts, act: Actions) {
  const { config } = core;
  const open = () => core.showPreferences();
  const intro = (text: string) => (
    <p>
      {rich(text)} <a href={config.policyUrl} target="_blank" rel="noopener">{ui.policyLink}</a>
    </p>
  );
  // Accept and Reject: the same element, class and size, so neither is favoured.
  const acts = (method: Method, cls: string, last: ComponentChild) => (
    <div class={cls}>
      <div class="pair">
        <button class="b p" onClick={() => act.decide('reject-all', method)}>{ui.rejectAll}</button>
        <button class="b p" onClick={() => act.decide('accept-all', method)}>{ui.acceptAll}</button>
      </div>
      {last}
    </div>
  );
  const icon = (d: string) => (
    <svg viewBox="0 0 24 24" aria-hidden="true">
      <path d={d} />
    </svg>
  );
  const line = (label: string, value: ComponentChild) => <small>{label}: {value}</small>;
  const list = (label: string, items: string[]) => items.length > 0 && line(label, items.join(', '));

  return (view: View, draft: Record<string, boolean>) => {
    const state = core.getState();
    const at = state.decidedAt;
    const decided = state.status == 'decided';
    return (
      <div class={isDark(config.ui.theme) ? 'r dk' : 'r'} lang={language} dir={dir}>
        {view == 'banner' ? (
          <section class={'bn ' + config.ui.layout} aria-label={ui.bannerTitle}>
            <div class="tx">
              <h2>{ui.bannerTitle}</h2>
              {intro(ui.bannerText)}
            </div>
            {acts('banner', 'acts', <button class="b s" onClick={open}>{ui.customize}</button>)}
          </section>
        ) : view == 'preferences' ? (
          <dialog
            aria-modal="true"
            aria-label={ui.preferencesTitle}
            onCancel={(e) => (e.preventDefault(), act.close())}
            onKeyDown={(e) => {
              if (e.key == 'Escape') e.preventDefault(), act.close();
              else if (e.key == 'Tab') trapTab(e, e.currentTarget);
            }}
          >
            <div class="hd">
              <h2>{ui.preferencesTitle}</h2>
              <button class="x" aria-label={ui.close} onClick={act.close}>{icon('M6 6l12 12M18 6 6 18')}</button>
            </div>
            <div class="bd">
              {intro(ui.preferencesText)}
              {core.env.gpc && config.gpc && <p class="gpc" role="status">{ui.gpcHonored}</p>}
              <ul>
                {config.purposes.map(({ id, required, services = [] }) => (
                  <li>
                    <div class="rw">
                      <label for={'p-' + id}>{purposes[id]!.title}</label>
                      {required && <em>{ui.requiredLabel}</em>}
                      <input
                        id={'p-' + id}
                        type="checkbox"
                        role="switch"
                        checked={required || !!draft[id]}
                        disabled={required}
                        aria-describedby={'d-' + id}
                        onChange={(e) => (draft[id] = e.currentTarget.checked)}
                      />
                    </div>
                    <p id={'d-' + id}>
                      {rich(purposes[id]!.description)}
                      {required && ' ' + ui.requiredReason}
                    </p>
                    {list(ui.servicesLabel, services.map((s) => s.name ?? s.id))}
                    {list(ui.cookiesLabel, services.flatMap((s) => s.cookies ?? []))}
                  </li>
                ))}
              </ul>
              {decided && (
                <div class="rec">
                  {line(ui.consentIdLabel, <code>{state.subjectId}</code>)}
                  {at && line(ui.recordedAtLabel, <time dateTime={at}>{when(at, language)}</time>)}
                </div>
              )}
              {decided && <button class="b s dl" onClick={act.download}>{ui.downloadReceipts}</button>}
            </div>
            {acts('preferences', 'acts ft', <button class="b s" onClick={() => act.decide('save', 'preferences')}>{ui.save}</button>)}
          </dialog>
        ) : config.ui.reopenButton && decided ? (
          <button class="ro" aria-label={ui.reopen} onClick={open}>{icon('M12 3 5 6v5c0 4.4 3 8.4 7 9.5 4-1.1 7-5.1 7-9.5V6zM9 12l2 2 4-4')}</button>
        ) : null}
      </div>
    );
  };
}
