/**
 * Every default of `createAnalytics`, in one place. The README's options table is checked against
 * this object by a unit test, so the docs cannot drift from the code.
 */
export const NODE_SDK_DEFAULTS = {
  /** Send a batch as soon as this many events are queued (at most `LIMITS.maxBatchEvents`). */
  flushAt: 500,
  /** Send whatever is queued this long after the first event of a batch arrived. */
  flushIntervalMs: 1_000,
  /** Largest batch, by the estimated JSON size of its events; kept under `LIMITS.maxBatchBytes` with headroom. */
  maxBatchBytes: 480 * 1024,
  /** Events held while the collector is slow or unreachable, queued and in flight together; past it the oldest queued are dropped. */
  maxQueueSize: 100_000,
  /** Requests in flight at once. */
  concurrency: 4,
  /** Body encoding of `POST /v1/batch`. */
  encoding: 'msgpack' as 'msgpack' | 'json',
  /**
   * `Content-Encoding` of the body. Off by default: msgpack is already compact, and gzip costs more
   * CPU per event than everything else the SDK does together (see bench/sdk-node.mjs). Turn it on
   * when bandwidth to the collector is what is scarce.
   */
  compression: 'none' as 'gzip' | 'none',
  /** Tries per batch (the first one included), and the exponential backoff with full jitter between them. */
  retry: { attempts: 8, baseMs: 250, capMs: 30_000 },
  /** Deadline of each HTTP request; a request past it is aborted and retried. */
  timeoutMs: 10_000,
  /** Deadline of `shutdown()` when none is passed. */
  shutdownTimeoutMs: 10_000,
  /** Install SIGTERM/SIGINT/beforeExit hooks that call `shutdown()`. Never done unless asked. */
  handleProcessSignals: false,
  /** Check `track()` properties and `identify()` traits against the runtime `taxonomy` (slower; for development). */
  validate: false,
} as const satisfies {
  flushAt: number;
  flushIntervalMs: number;
  maxBatchBytes: number;
  maxQueueSize: number;
  concurrency: number;
  encoding: 'msgpack' | 'json';
  compression: 'gzip' | 'none';
  retry: { attempts: number; baseMs: number; capMs: number };
  timeoutMs: number;
  shutdownTimeoutMs: number;
  handleProcessSignals: boolean;
  validate: boolean;
};
