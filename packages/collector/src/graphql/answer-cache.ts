import { QUERY_API_DEFAULTS } from './defaults';

/** What the cache reports, for `/metrics`. */
export interface AnswerCacheObserver {
  hit(question: string): void;
  miss(question: string): void;
  /** A miss that joined an identical question already being answered, instead of running its own query. */
  coalesced(question: string): void;
  size(bytes: number, entries: number): void;
}

export interface AnswerCacheOptions {
  /** Reuse an answer while younger than this (milliseconds); 0 turns reuse off (identical questions in flight are still shared). */
  ttlMs?: number;
  /** Bound on memory, as UTF-16 bytes of the answers' JSON plus their keys. */
  maxBytes?: number;
  now?: () => number;
  observer?: AnswerCacheObserver;
}

export interface AnswerCache {
  /**
   * The answer to `key`: from memory while it is fresh, else from `compute`. Concurrent calls with
   * the same key while it computes share that one computation. `reuse: false` (for what must be
   * current, such as the live panel) skips memory but still shares a computation in flight.
   */
  answer<T>(question: string, key: string, compute: () => Promise<T>, options?: { reuse?: boolean }): Promise<T>;
  /** New rows landed: answers computed before now are no longer reused. */
  invalidate(): void;
  readonly stats: { entries: number; bytes: number };
}

interface Entry {
  value: unknown;
  bytes: number;
  at: number;
  generation: number;
}

/**
 * Answers in memory, least recently used evicted first. An entry is reused while (1) it is younger
 * than `ttlMs` and (2) no rows have landed since it was computed (`invalidate()`, which the collector
 * calls after each insert of its writer). Errors are never cached.
 */
export function createAnswerCache(options: AnswerCacheOptions = {}): AnswerCache {
  const ttlMs = options.ttlMs ?? QUERY_API_DEFAULTS.cacheTtlMs;
  const maxBytes = options.maxBytes ?? QUERY_API_DEFAULTS.cacheMaxBytes;
  const now = options.now ?? Date.now;
  const observer = options.observer;
  const entries = new Map<string, Entry>();
  const pending = new Map<string, { generation: number; promise: Promise<unknown> }>();
  let generation = 0;
  let bytes = 0;

  const drop = (key: string, entry: Entry) => {
    entries.delete(key);
    bytes -= entry.bytes;
  };
  const report = () => observer?.size(bytes, entries.size);

  const store = (key: string, value: unknown, at: number, computedIn: number) => {
    const size = 2 * (key.length + (JSON.stringify(value)?.length ?? 0));
    if (size > maxBytes) return;
    const old = entries.get(key);
    if (old) drop(key, old);
    entries.set(key, { value, bytes: size, at, generation: computedIn });
    bytes += size;
    for (const [oldest, entry] of entries) {
      if (bytes <= maxBytes) break;
      drop(oldest, entry);
    }
    report();
  };

  return {
    async answer<T>(question: string, key: string, compute: () => Promise<T>, answerOptions: { reuse?: boolean } = {}): Promise<T> {
      const reuse = answerOptions.reuse !== false;
      const entry = reuse ? entries.get(key) : undefined;
      if (entry) {
        if (entry.generation === generation && now() - entry.at < ttlMs) {
          // Most recently used moves to the end, so eviction takes the least recently used.
          entries.delete(key);
          entries.set(key, entry);
          observer?.hit(question);
          return entry.value as T;
        }
        drop(key, entry);
        report();
      }
      const inFlight = pending.get(key);
      if (inFlight && inFlight.generation === generation) {
        observer?.coalesced(question);
        return inFlight.promise as Promise<T>;
      }
      observer?.miss(question);
      const startedIn = generation;
      const startedAt = now();
      const promise = compute().then((value) => {
        if (reuse && ttlMs > 0) store(key, value, startedAt, startedIn);
        return value;
      });
      const slot = { generation: startedIn, promise };
      pending.set(key, slot);
      const clear = () => {
        if (pending.get(key) === slot) pending.delete(key);
      };
      promise.then(clear, clear);
      return promise;
    },
    invalidate() {
      generation++;
      entries.clear();
      bytes = 0;
      report();
    },
    get stats() {
      return { entries: entries.size, bytes };
    },
  };
}
