/** Storage that never throws: a failed write (quota, Safari private mode, no storage) lands in memory. */
export interface Store {
  get(key: string): string | null;
  set(key: string, value: string): void;
  del(key: string): void;
  keys(): string[];
}

const attempt = <R>(f: () => R): R | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

export const createStore = (s: Storage | null): Store => {
  const mem = new Map<string, string>();
  return {
    get: (k) => (mem.has(k) ? mem.get(k)! : (attempt(() => s!.getItem(k)) ?? null)),
    set(k, v) {
      if (attempt(() => (s!.setItem(k, v), mem.delete(k))) == null) {
        mem.set(k, v);
        attempt(() => s!.removeItem(k)); // never leave a stale copy for other tabs
      }
    },
    del(k) {
      mem.delete(k);
      attempt(() => s!.removeItem(k));
    },
    keys() {
      const out: string[] = [];
      attempt(() => {
        for (let i = 0; i < s!.length; i++) out.push(s!.key(i)!);
      });
      return out;
    },
  };
};

/** JSON.parse that answers undefined for garbage. */
export const parse = <T>(text: string | null): T | undefined => attempt(() => JSON.parse(text!) as T) ?? undefined;
