/**
 * A minimal typed event emitter; a throwing listener never stops the others or reaches the caller.
 * One list holds every listener with its event: emitting walks a handful of them.
 */
export function createEmitter<E>() {
  const listeners = new Set<(event: keyof E, payload: unknown) => void>();
  return {
    on<K extends keyof E>(event: K, fn: (payload: E[K]) => void): () => void {
      const listener = (e: keyof E, payload: unknown) => e == event && fn(payload as E[K]);
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit<K extends keyof E>(event: K, payload: E[K]): void {
      for (const listener of [...listeners]) {
        try {
          listener(event, payload);
        } catch (e) {
          // A site's listener threw: say so without breaking consent handling.
          console.error('ConsentSeal: a listener threw', e);
        }
      }
    },
    clear: () => listeners.clear(),
  };
}
