/** What the SDK needs from its runtime. Injected in tests; the defaults use Node's globals. */
export interface Platform {
  fetch: typeof globalThis.fetch;
  /** Wall-clock time in epoch ms: event timestamps, `sentAt`, messageIds, Retry-After dates. */
  now: () => number;
  /** Timers. The SDK calls `unref()` on what they return when it exists, so a script can exit. */
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  /** Uniform in [0, 1): backoff jitter. */
  random: () => number;
}

export function defaultPlatform(): Platform {
  return {
    fetch: (input, init) => globalThis.fetch(input, init),
    now: Date.now,
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: Math.random,
  };
}

export function unref(handle: unknown): void {
  (handle as { unref?: () => void } | undefined)?.unref?.();
}

/**
 * Waits `ms` on an unref'd timer. Resolves `true` when the time passed, `false` at once when
 * `signal` aborts first.
 */
export function sleep(platform: Platform, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      platform.clearTimeout(handle);
      resolve(false);
    };
    const handle = platform.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    unref(handle);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
