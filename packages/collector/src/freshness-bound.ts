import { DEFAULTS } from './defaults';
import { CollectorError } from './errors';
import type { Sink } from './sink';

export interface FreshnessBoundOptions {
  /** Age of the oldest acknowledged event not yet in ClickHouse, in ms (0 when the log is drained). */
  oldestUnsentAgeMs: () => number;
  /** Past this age, `write` refuses with 503; 0 turns the bound off. */
  maxUnsentAgeMs: number;
  retryAfterSeconds?: number;
}

/**
 * Admits no more than the drain keeps up with: once the oldest event the log has not yet sent to
 * ClickHouse is older than `maxUnsentAgeMs`, `write` answers `overloaded` (503 with Retry-After)
 * instead of letting the backlog, and the age of what is queryable, grow without limit. Events
 * already acknowledged are untouched and keep draining.
 */
export function boundFreshness(sink: Sink, options: FreshnessBoundOptions): Sink {
  const { oldestUnsentAgeMs, maxUnsentAgeMs } = options;
  if (!(maxUnsentAgeMs > 0)) return sink;
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULTS.walRetryAfterSeconds;
  return {
    ...sink,
    write(rows) {
      const age = oldestUnsentAgeMs();
      if (age > maxUnsentAgeMs) {
        return Promise.reject(
          new CollectorError(
            'overloaded',
            `ClickHouse is not keeping up: the oldest acknowledged event not yet inserted is ${(age / 1000).toFixed(1)} s old (bound ${(maxUnsentAgeMs / 1000).toFixed(0)} s); nothing was acknowledged, retry after ${retryAfterSeconds} s`,
            { retryAfterSeconds },
          ),
        );
      }
      return sink.write(rows);
    },
  };
}
