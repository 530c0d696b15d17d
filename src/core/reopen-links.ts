import type { ConsentPlugin } from './plugin';

/**
 * Re-open links, the visitor's way back to change or withdraw a choice (every build): a click on any
 * `[data-consent-open]` element, or Enter on one, opens the preferences. Listening on the document
 * finds elements added later too. Links do not navigate; elements that stand in for buttons
 * (`role="button"`) also answer Space.
 */
export const reopenLinksPlugin: ConsentPlugin = (core) => {
  // Server-side rendering: no page.
  if (typeof document == 'undefined') return;
  const open = (e: Event) => {
    const t = (e.target as Element).closest?.('[data-consent-open]');
    // Enter already clicks links and buttons; other elements answer Enter and Space.
    if (t && (e.type == 'click' || (/^(Enter| )$/.test((e as KeyboardEvent).key) && !t.matches('a,button')))) {
      e.preventDefault();
      core.showPreferences();
    }
  };
  // The controller is its own listener options: its `signal` member removes both.
  const ac = new AbortController();
  document.addEventListener('click', open, ac);
  document.addEventListener('keydown', open, ac);
  return () => ac.abort();
};
