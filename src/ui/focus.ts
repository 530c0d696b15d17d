/** Keydown handler of the preferences dialog: Tab and Shift+Tab cycle inside it. */
export function trapTab(e: KeyboardEvent): void {
  const box = e.currentTarget as HTMLElement;
  // Every link has an href; `:enabled` is every button and the switches that are not locked.
  const all = box.querySelectorAll<HTMLElement>('a,:enabled');
  const end = all.length - 1;
  if (e.key == 'Tab' && (e.target == box || e.target == all[e.shiftKey ? 0 : end])) {
    e.preventDefault();
    all[e.shiftKey ? end : 0]!.focus();
  }
}
