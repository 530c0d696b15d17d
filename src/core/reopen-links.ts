/**
 * Re-open links, the visitor's way back to change or withdraw a choice (every build): a click on any
 * `[data-consent-open]` element, or Enter on one, calls `open` (the core's `showPreferences`).
 * Listening on the document finds elements added later too. Links do not navigate; elements that
 * stand in for buttons (`role="button"`) also answer Space.
 */
export const reopenLinkHandler =
  (open: () => void) =>
  (e: Event): void => {
    const t = (e.target as Element).closest?.('[data-consent-open]');
    // Enter already clicks links and buttons; other elements answer Enter and Space.
    if (t && (e.type == 'click' || (/^(Enter| )$/.test((e as KeyboardEvent).key) && !t.matches('a,button')))) {
      e.preventDefault();
      open();
    }
  };
