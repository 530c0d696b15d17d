/** A minimal typed event emitter; a throwing listener never stops the others or reaches the caller. */
export function createEmitter<E>() {
  const listeners = new Map<keyof E, Set<(payload: never) => void>>();
  return {
    on<K extends keyof E>(event: K, fn: (payload: E[K]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn);
      return () => void set.delete(fn);
    },
    emit<K extends keyof E>(event: K, payload: E[K]): void {
      for (const fn of [...(listeners.get(event) ?? [])]) {
        try {
          (fn as (p: E[K]) => void)(payload);
        } catch (e) {
          // A site's listener threw: say so without breaking consent handling.
          console.error('ConsentSeal: a listener for', event, 'threw', e);
        }
      }
    },
    clear(): void {
      listeners.clear();
    },
  };
}
