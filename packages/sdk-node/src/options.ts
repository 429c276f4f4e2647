import type { Context } from '@sluice/schema';
import { LIMITS } from '@sluice/schema/wire';
import { NODE_SDK_DEFAULTS } from './defaults';
import type { Compression, Encoding } from './encode-batch';
import { SluiceSdkError } from './errors';
import type { TaxonomyParam } from './messages';
import type { Platform } from './platform';
import { defaultPlatform } from './platform';
import type { RetryPolicy } from './retry-policy';

export type DropReason =
  /** `maxQueueSize` events were held, queued and in flight together: the oldest queued (or the new one) were dropped. */
  | 'queue_full'
  /** One event was larger than `LIMITS.maxEventBytes`. */
  | 'event_too_large'
  /** The call lacked a userId/anonymousId, or failed `validate`. */
  | 'invalid_event'
  /** The call came after `shutdown()`. */
  | 'closed'
  /** `shutdown()` reached its deadline before these queued events could be sent. */
  | 'shutdown_timeout';

export interface DropReport {
  reason: DropReason;
  count: number;
}

export interface AnalyticsOptions<T extends TaxonomyParam = undefined> {
  /** The project's write key, sent as `Authorization: Basic base64(writeKey:)`. */
  writeKey: string;
  /** Base URL of the collector, e.g. `http://localhost:8080`; requests go to `{endpoint}/v1/batch`. */
  endpoint: string;
  /** The runtime taxonomy; its type types every call. Checked at runtime only with `validate: true`. */
  taxonomy?: T;
  flushAt?: number;
  flushIntervalMs?: number;
  maxBatchBytes?: number;
  maxQueueSize?: number;
  concurrency?: number;
  encoding?: Encoding;
  compression?: Compression;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  shutdownTimeoutMs?: number;
  handleProcessSignals?: boolean;
  validate?: boolean;
  /** Context merged into every event (e.g. `{ app: { name, version } }`). */
  context?: Context;
  /** Called for every problem: rejected events, refused batches, exhausted retries, shutdown timeout. Default: none. */
  onError?: (error: SluiceSdkError) => void;
  /** Called when events are dropped on purpose, with the reason and how many (coalesced per tick). Default: none. */
  onDrop?: (drop: DropReport) => void;
  /**
   * Serverless: receives the promise of a flush started after each synchronous run of calls, so
   * the platform keeps the function alive until it settles (Vercel's `waitUntil`, Cloudflare's `ctx.waitUntil`).
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Platform injection, for tests and unusual runtimes. Defaults: global `fetch`, `Date.now`, global timers, `Math.random`. */
  fetch?: Platform['fetch'];
  now?: Platform['now'];
  timers?: Pick<Platform, 'setTimeout' | 'clearTimeout'>;
  random?: Platform['random'];
}

export interface ResolvedOptions {
  url: string;
  authorization: string;
  flushAt: number;
  flushIntervalMs: number;
  maxBatchBytes: number;
  maxQueueSize: number;
  concurrency: number;
  encoding: Encoding;
  compression: Compression;
  retry: RetryPolicy;
  timeoutMs: number;
  shutdownTimeoutMs: number;
  handleProcessSignals: boolean;
  validate: boolean;
  platform: Platform;
}

/** Fills in defaults and checks ranges; throws `SluiceSdkError('invalid_option')` with what to change. */
export function resolveOptions(options: AnalyticsOptions<TaxonomyParam>): ResolvedOptions {
  const d = NODE_SDK_DEFAULTS;
  if (typeof options.writeKey !== 'string' || options.writeKey === '') invalid('writeKey must be a non-empty string: the write key of your project');
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch {
    return invalid(`endpoint "${String(options.endpoint)}" is not a URL; pass the collector's base URL such as http://localhost:8080`);
  }
  const resolved: ResolvedOptions = {
    url: `${url.href.replace(/\/+$/, '')}/v1/batch`,
    authorization: `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`,
    flushAt: int('flushAt', options.flushAt ?? d.flushAt, 1, LIMITS.maxBatchEvents),
    flushIntervalMs: int('flushIntervalMs', options.flushIntervalMs ?? d.flushIntervalMs, 0, 2 ** 31 - 1),
    maxBatchBytes: int('maxBatchBytes', options.maxBatchBytes ?? d.maxBatchBytes, 1024, LIMITS.maxBatchBytes),
    maxQueueSize: int('maxQueueSize', options.maxQueueSize ?? d.maxQueueSize, 1, Number.MAX_SAFE_INTEGER),
    concurrency: int('concurrency', options.concurrency ?? d.concurrency, 1, 1024),
    encoding: oneOf('encoding', options.encoding ?? d.encoding, ['msgpack', 'json'] as const),
    compression: oneOf('compression', options.compression ?? d.compression, ['gzip', 'none'] as const),
    retry: {
      attempts: int('retry.attempts', options.retry?.attempts ?? d.retry.attempts, 1, 1000),
      baseMs: int('retry.baseMs', options.retry?.baseMs ?? d.retry.baseMs, 0, 2 ** 31 - 1),
      capMs: int('retry.capMs', options.retry?.capMs ?? d.retry.capMs, 0, 2 ** 31 - 1),
    },
    timeoutMs: int('timeoutMs', options.timeoutMs ?? d.timeoutMs, 1, 2 ** 31 - 1),
    shutdownTimeoutMs: int('shutdownTimeoutMs', options.shutdownTimeoutMs ?? d.shutdownTimeoutMs, 0, 2 ** 31 - 1),
    handleProcessSignals: options.handleProcessSignals ?? d.handleProcessSignals,
    validate: options.validate ?? d.validate,
    platform: { ...defaultPlatform() },
  };
  const p = resolved.platform;
  if (options.fetch) p.fetch = options.fetch;
  if (options.now) p.now = options.now;
  if (options.timers) {
    p.setTimeout = options.timers.setTimeout;
    p.clearTimeout = options.timers.clearTimeout;
  }
  if (options.random) p.random = options.random;
  return resolved;
}

function int(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) invalid(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  return value;
}

function oneOf<const V extends string>(name: string, value: string, allowed: readonly V[]): V {
  if (!(allowed as readonly string[]).includes(value)) invalid(`${name} must be one of ${allowed.map((v) => `'${v}'`).join(', ')}, got '${value}'`);
  return value as V;
}

function invalid(message: string): never {
  throw new SluiceSdkError('invalid_option', `createAnalytics: ${message}`);
}
