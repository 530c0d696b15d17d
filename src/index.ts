/**
 * `consentseal`: the consent core with its widget (banner, preferences, re-open button).
 * @packageDocumentation
 */
import type { CoreOptions } from './core/consent';
import { createConsent as createHeadless, type ConsentSeal } from './headless';
import { type UiOptions, uiPlugin } from './ui';
import { single } from './ui/single';
import { placeholderPlugin } from './ui/placeholder';

export * from './headless';
export { uiPlugin, type UiOptions } from './ui';

/** Options of {@link createConsent}: the core's, plus the widget's. */
export interface ConsentOptions extends CoreOptions {
  ui?: UiOptions;
}

/**
 * Creates the consent instance and mounts its widget. Throws `ConsentConfigError` listing every
 * problem in `config`. A page gets one instance: calling it again warns and returns the live one.
 */
export function createConsent(config: unknown, options: ConsentOptions = {}): ConsentSeal {
  const { ui, ...core } = options;
  return single((slot) => createHeadless(config, { ...core, plugins: [...(core.plugins ?? []), uiPlugin(ui), placeholderPlugin(ui), slot] }));
}
