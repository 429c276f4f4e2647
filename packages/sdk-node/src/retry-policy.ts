import type { Backoff } from '@sluice/schema/wire';

/** How often and how patiently one batch is retried (the wait itself is `retryDelay` of `@sluice/schema/wire`). */
export interface RetryPolicy extends Backoff {
  /** Tries per batch, the first one included. */
  attempts: number;
}
