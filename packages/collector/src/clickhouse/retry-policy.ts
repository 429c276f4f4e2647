import { retryDelay, type Backoff } from '@sluice/schema/wire';
import { DEFAULTS } from '../defaults';
import { classifyFailure } from './failure-kind';
import type { InsertBatch } from './insert-batch';
import { abortableSleep } from './sleep';

export interface RetryOptions {
  /**
   * Tries per insert, the first included. With `ack: 'memory'` or `'clickhouse'` the rows fail after
   * the last one. With `ack: 'wal'` they stay in the log and are tried forever; past this many
   * failures in a row the collector reports itself not ready (`/ready` answers 503).
   */
  attempts?: number;
  baseMs?: number;
  capMs?: number;
}

/** What the policy needs from the platform, injected for tests. */
export interface RetryPlatform {
  random: () => number;
  /** Waits `ms`; rejects early when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface RetryHooks {
  /** Stops the retries: the last error is thrown. */
  signal?: AbortSignal;
  /** Which failures are worth another try; transient ones by default (failure-kind.ts). */
  retryable?: (error: unknown) => boolean;
  /** Called after each failed try that will be retried, with the try's number (1 for the first). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export interface RetryPolicy {
  readonly attempts: number;
  /** Runs `task` until it resolves, its error is not retryable, `attempts` tries failed, or the signal aborts. */
  run<T>(task: (attempt: number) => Promise<T>, hooks?: RetryHooks): Promise<T>;
}

/** Exponential backoff with full jitter, the wire policy's one formula (`retryDelay`). `attempt` starts at 0. */
export function backoffMs(attempt: number, options: Backoff, random: () => number): number {
  return retryDelay(attempt, options, random);
}

const isTransient = (error: unknown): boolean => classifyFailure(error) === 'retry';

/**
 * The one retry loop of the collector: the writer, the write-ahead log's drain and `sluice replay`
 * all go through it. `attempts` may be `Infinity` (the log never gives up on what it acknowledged).
 */
export function createRetryPolicy(options: RetryOptions = {}, platform: Partial<RetryPlatform> = {}): RetryPolicy {
  const attempts = options.attempts ?? DEFAULTS.insertRetry.attempts;
  const backoff = { baseMs: options.baseMs ?? DEFAULTS.insertRetry.baseMs, capMs: options.capMs ?? DEFAULTS.insertRetry.capMs };
  const random = platform.random ?? Math.random;
  const sleep = platform.sleep ?? abortableSleep;
  const never = new AbortController().signal;
  return {
    attempts,
    async run(task, hooks = {}) {
      const signal = hooks.signal ?? never;
      const retryable = hooks.retryable ?? isTransient;
      for (let attempt = 1; ; attempt++) {
        try {
          return await task(attempt);
        } catch (error) {
          if (signal.aborted || attempt >= attempts || !retryable(error)) throw error;
          const delay = backoffMs(attempt - 1, backoff, random);
          hooks.onRetry?.(error, attempt, delay);
          try {
            await sleep(delay, signal);
          } catch {
            throw error;
          }
        }
      }
    },
  };
}

/** An insert retried by `policy`: the batch is re-sent whole, with its token, so pieces already stored are not stored twice. */
export function withRetry(insert: InsertBatch, policy: RetryPolicy, hooks: Omit<RetryHooks, 'signal'> = {}): InsertBatch {
  return (batch, signal) => policy.run(() => insert(batch, signal), { ...hooks, signal });
}
