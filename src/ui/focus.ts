/** The element that really has focus, looking inside open shadow roots (ours included). */
export function deepActive(): HTMLElement | null {
  let a = document.activeElement as HTMLElement | null;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement as HTMLElement;
  return a;
}

const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled])';

/** Keeps Tab and Shift+Tab cycling inside `box` (the preferences dialog). */
export function trapTab(e: KeyboardEvent, box: HTMLElement): void {
  const all = box.querySelectorAll<HTMLElement>(FOCUSABLE);
  const first = all[0];
  const last = all[all.length - 1];
  const active = (box.getRootNode() as Document | ShadowRoot).activeElement;
  if (!first || !last) return;
  if (e.shiftKey ? active === first || !box.contains(active) : active === last) {
    e.preventDefault();
    (e.shiftKey ? last : first).focus();
  }
}
