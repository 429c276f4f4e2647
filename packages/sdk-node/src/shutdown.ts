import { SluiceSdkError } from './errors';
import type { Platform } from './platform';

export interface ShutdownResult<S> {
  /** True when the deadline passed before everything was acknowledged. */
  timedOut: boolean;
  /** Events that were queued or in flight at the deadline and are lost (0 unless `timedOut`). */
  undelivered: number;
  stats: S;
}

export interface ShutdownDeadlineOptions<S> {
  platform: Platform;
  timeoutMs: number;
  /** Where the client sends, for the error message. */
  url: string;
  flush: () => Promise<void>;
  /** Writes off what is still queued and in flight; returns how many events each held. */
  writeOff: () => { queued: number; inFlight: number };
  /** Stops every request, wait and timer for good. */
  stop: () => void;
  report: (error: SluiceSdkError) => void;
  stats: () => S;
}

/**
 * Flushes, and resolves when everything is settled or at the deadline, whichever comes first, even
 * when the collector never answers. At the deadline what is left is written off, counted and
 * reported, and every request and wait is aborted.
 */
export function shutdownWithDeadline<S>(options: ShutdownDeadlineOptions<S>): Promise<ShutdownResult<S>> {
  const { platform, timeoutMs } = options;
  return new Promise((resolve) => {
    let done = false;
    const deadline = platform.setTimeout(() => {
      if (done) return;
      done = true;
      const { queued, inFlight } = options.writeOff();
      options.stop();
      const undelivered = queued + inFlight;
      if (undelivered > 0) {
        options.report(
          new SluiceSdkError(
            'shutdown_timeout',
            `shutdown reached its ${timeoutMs} ms deadline with ${undelivered} events undelivered (${queued} queued, ${inFlight} in flight); the collector at ${options.url} may be down`,
            { count: undelivered },
          ),
        );
      }
      resolve({ timedOut: undelivered > 0, undelivered, stats: options.stats() });
    }, timeoutMs);
    void options.flush().then(() => {
      if (done) return;
      done = true;
      platform.clearTimeout(deadline);
      options.stop();
      resolve({ timedOut: false, undelivered: 0, stats: options.stats() });
    });
  });
}
