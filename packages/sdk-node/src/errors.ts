import type { Rejection } from '@sluice/schema';

export type SluiceSdkErrorCode =
  /** An option passed to `createAnalytics` is out of range. */
  | 'invalid_option'
  /** A call was missing what the protocol needs (userId or anonymousId, an event name …). */
  | 'invalid_event'
  /** The collector accepted the batch but rejected some events (they are not retried). */
  | 'rejected'
  /** The collector refused the batch with a status that retrying cannot fix (400, 401, 415 …). */
  | 'refused'
  /** A single event was still too large for the collector (413). */
  | 'too_large'
  /** Every try of a batch failed (network errors, timeouts, 5xx, 429 …). */
  | 'retries_exhausted'
  /** `shutdown()` reached its deadline with events still undelivered. */
  | 'shutdown_timeout';

export interface SluiceSdkErrorDetails {
  /** HTTP status of the last response, when there was one. */
  status?: number;
  /** How many events this error is about. */
  count?: number;
  /** The rejections listed by the collector, for `rejected`. */
  rejected?: Rejection[];
  /** The messageIds of the events this error is about, when known. */
  messageIds?: string[];
  cause?: unknown;
}

/** The one error class of `@sluice/sdk-node`. Passed to `onError`; thrown only by `createAnalytics` for bad options. */
export class SluiceSdkError extends Error {
  override readonly name = 'SluiceSdkError';
  readonly code: SluiceSdkErrorCode;
  readonly status: number | undefined;
  readonly count: number;
  readonly rejected: Rejection[];
  readonly messageIds: string[];

  constructor(code: SluiceSdkErrorCode, message: string, details: SluiceSdkErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.count = details.count ?? 0;
    this.rejected = details.rejected ?? [];
    this.messageIds = details.messageIds ?? [];
  }
}
