/** Keydown handler of the preferences dialog: Tab and Shift+Tab cycle inside it. */
export function trapTab(e: KeyboardEvent): void {
  const box = e.currentTarget as HTMLElement;
  // Every link has an href; `:enabled` is every button and the switches that are not locked.
  // Listed in the order Tab moves; from its end (or from the dialog itself), focus goes back to its start.
  const all = [...box.querySelectorAll<HTMLElement>('a,:enabled')];
  if (e.shiftKey) all.reverse();
  if (e.key == 'Tab' && (e.target == box || e.target == all.at(-1))) {
    e.preventDefault();
    all[0]!.focus();
  }
}
