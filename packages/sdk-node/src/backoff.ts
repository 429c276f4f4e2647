export interface RetryPolicy {
  /** Tries per batch, the first one included. */
  attempts: number;
  /** Backoff ceiling of the first retry, in ms. */
  baseMs: number;
  /** Largest backoff ceiling, in ms. */
  capMs: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a delay drawn uniformly from [0, min(cap, base · 2^retry)). `retry` counts from 0.
 */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}

/**
 * The wait before the next try: the jittered backoff, but never less than the server's
 * `Retry-After` (already turned into ms by `parseRetryAfter`).
 */
export function retryDelay(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs: number | undefined): number {
  const jittered = backoffDelay(retry, policy, random);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs);
}
