import type { Platform } from './platform';

/** A never-firing, referenced timer that keeps Node alive while someone awaits a flush. */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

/**
 * The promises of `flush()`. Events are numbered in arrival order; a flush waits until every event
 * numbered below its target is settled, i.e. until the oldest unsettled event (`lowestUnsettled`)
 * reaches the target. While anyone waits, a referenced timer keeps the process alive (every other
 * timer of the SDK is unref'd, so a script that never flushes can still exit).
 */
export function createFlushWaiters(platform: Platform, lowestUnsettled: () => number) {
  let waiters: { target: number; resolve: () => void }[] = [];
  let keepAlive: unknown;

  const stopKeepAlive = () => {
    if (waiters.length > 0 || keepAlive === undefined) return;
    platform.clearTimeout(keepAlive);
    keepAlive = undefined;
  };

  return {
    /** Resolves once every event numbered below `target` is settled. */
    wait(target: number): Promise<void> {
      if (lowestUnsettled() >= target) return Promise.resolve();
      keepAlive ??= platform.setTimeout(() => undefined, KEEP_ALIVE_MS);
      return new Promise((resolve) => waiters.push({ target, resolve }));
    },
    /** Resolves the waiters whose events are all settled now. */
    settle(): void {
      if (waiters.length === 0) return;
      const lowest = lowestUnsettled();
      waiters = waiters.filter((waiter) => (waiter.target <= lowest ? (waiter.resolve(), false) : true));
      stopKeepAlive();
    },
    /** Resolves every waiter (the shutdown deadline wrote the rest off). */
    releaseAll(): void {
      for (const waiter of waiters) waiter.resolve();
      waiters = [];
      stopKeepAlive();
    },
  };
}
