/** Storage that never throws: a failed write (quota, Safari private mode, no storage) lands in memory. */
export interface Store {
  get(key: string): string | null;
  set(key: string, value: string): void;
  del(key: string): void;
  keys(): string[];
}

const attempt = <R>(action: () => R): R | undefined => {
  try {
    return action();
  } catch {
    return undefined;
  }
};

/**
 * Reads are remembered until the end of the current task (the next microtask checkpoint), so a burst
 * of calls reads each key once. Nothing is lost by it: another tab's writes reach this one as a task
 * of their own, never in the middle of this one.
 */
export const createStore = (storage: Storage | null): Store => {
  const memory = new Map<string, string>();
  const read = new Map<string, string | null>();
  const get = (key: string) => (memory.has(key) ? memory.get(key)! : (attempt(() => storage!.getItem(key)) ?? null));
  return {
    get(key) {
      let value = read.get(key);
      if (value === undefined) {
        if (!read.size) queueMicrotask(() => read.clear());
        read.set(key, (value = get(key)));
      }
      return value;
    },
    set(key, value) {
      read.delete(key);
      if (attempt(() => (storage!.setItem(key, value), memory.delete(key))) == null) {
        memory.set(key, value);
        attempt(() => storage!.removeItem(key)); // never leave a stale copy for other tabs
      }
    },
    del(key) {
      read.delete(key);
      memory.delete(key);
      attempt(() => storage!.removeItem(key));
    },
    keys() {
      const keys: string[] = [];
      attempt(() => {
        for (let i = 0; i < storage!.length; i++) keys.push(storage!.key(i)!);
      });
      return keys;
    },
  };
};

/** JSON.parse that answers undefined for garbage. */
export const parse = <T>(text: string | null): T | undefined => attempt(() => JSON.parse(text!) as T) ?? undefined;
