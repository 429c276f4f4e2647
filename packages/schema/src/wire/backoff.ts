/** How long to wait between tries of one batch. */
export interface Backoff {
  /** Ceiling of the first retry's delay, in ms; it doubles with each retry. */
  baseMs: number;
  /** Largest ceiling, in ms. A longer `Retry-After` is still honoured. */
  capMs: number;
}

/**
 * The wait before retry number `retry` (counting from 0): exponential backoff with full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"), a delay drawn uniformly from
 * [0, min(cap, base · 2^retry)), but never less than the server's `Retry-After` (in ms, from
 * `parseRetryAfter`). `random` is uniform in [0, 1), injected so tests and clients choose the source.
 */
export const retryDelay = (retry: number, backoff: Backoff, random: () => number, retryAfterMs?: number): number =>
  Math.max(Math.floor(random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(retry, 30))), retryAfterMs ?? 0);
