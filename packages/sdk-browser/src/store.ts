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

export const createStore = (storage: Storage | null): Store => {
  const memory = new Map<string, string>();
  return {
    get: (key) => (memory.has(key) ? memory.get(key)! : (attempt(() => storage!.getItem(key)) ?? null)),
    set(key, value) {
      if (attempt(() => (storage!.setItem(key, value), memory.delete(key))) == null) {
        memory.set(key, value);
        attempt(() => storage!.removeItem(key)); // never leave a stale copy for other tabs
      }
    },
    del(key) {
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
