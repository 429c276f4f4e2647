import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';

export interface RateLimit {
  /** Sustained events per second; 0 turns the limit off. */
  eventsPerSecond: number;
  /** Events that may arrive at once after a quiet spell; one second's worth by default. */
  burst?: number;
}

export interface RateLimitOptions extends RateLimit {
  /** `key` (the default): one bucket per write key; `global`: one bucket for the whole collector. */
  scope?: 'key' | 'global';
}

export interface RateLimiter {
  /**
   * Takes `events` tokens from the bucket of `writeKey` (or the global one), or throws a 429
   * `CollectorError` whose `retryAfterSeconds` is when the bucket will hold enough. `override` is a
   * key's own limit (from its grant), which wins over the collector-wide one.
   */
  take(writeKey: string, events: number, override?: RateLimit): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per write key: it holds up to `burst` tokens, refills at `eventsPerSecond`, and
 * each accepted event takes one. A request larger than the burst passes only when the bucket is
 * full, and leaves it in debt, so the sustained rate holds whatever the request sizes. Buckets of
 * at most `DEFAULTS.rateLimitMaxKeys` keys are remembered (least recently used forgotten first).
 */
export function createRateLimiter(options: RateLimitOptions | undefined, now: () => number = Date.now): RateLimiter {
  const base: RateLimit = options ?? { eventsPerSecond: DEFAULTS.rateLimit.eventsPerSecond };
  const scope = options?.scope ?? DEFAULTS.rateLimit.scope;
  const buckets = new Map<string, Bucket>();

  return {
    take(writeKey, events, override) {
      const limit = override ?? base;
      const rate = limit.eventsPerSecond;
      if (!(rate > 0) || events <= 0) return;
      const burst = Math.max(1, limit.burst ?? rate * DEFAULTS.rateLimit.burstSeconds);
      const id = override || scope === 'key' ? `k:${writeKey}` : 'global';
      const at = now();
      let bucket = buckets.get(id);
      if (bucket) {
        buckets.delete(id);
        bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, at - bucket.at) / 1000) * rate);
        bucket.at = at;
      } else {
        bucket = { tokens: burst, at };
        if (buckets.size >= DEFAULTS.rateLimitMaxKeys) buckets.delete(buckets.keys().next().value as string);
      }
      buckets.set(id, bucket);
      const needed = Math.min(events, burst);
      if (bucket.tokens >= needed) {
        bucket.tokens -= events;
        return;
      }
      const retryAfterSeconds = Math.max(1, Math.ceil((needed - bucket.tokens) / rate));
      throw new CollectorError(
        'rate_limited',
        `${id === 'global' ? 'this collector' : 'this write key'} may send ${rate} events/s (bursts of ${Math.round(burst)}); ` +
          `these ${events} events are over it: retry after ${retryAfterSeconds} s, send smaller batches, or raise the limit (--rate-limit)`,
        { retryAfterSeconds },
      );
    },
  };
}
