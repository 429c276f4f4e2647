import { MAX_EVENT_BYTES } from '@sluice/schema/wire';

/**
 * Every default of the browser SDK, in one place. The README's options table is checked against
 * this constant by `defaults.test.ts`.
 */
export const DEFAULTS = {
  /** Send once this many events are queued, as soon as the main thread is idle (`requestIdleCallback`). */
  flushAt: 20,
  /** Send queued events at least this often, in ms. Also the period of the tab heartbeat. */
  flushIntervalMs: 5_000,
  /** Largest request body in bytes. Under 64 KB so every batch fits fetch keepalive and sendBeacon. */
  maxBatchBytes: 60_000,
  /** Largest single event in bytes (the collector's `LIMITS.maxEventBytes`); larger ones are dropped and counted. */
  maxEventBytes: MAX_EVENT_BYTES,
  /** Attempts per batch for 408, 429, 5xx and network errors before it is given up and counted as `failed`. */
  retryAttempts: 10,
  /** Ceiling of the first backoff delay in ms; it doubles on each failure, and the delay is drawn below it (full jitter). */
  retryBaseMs: 1_000,
  /** Longest backoff delay in ms (a longer `Retry-After` is still honoured). */
  retryCapMs: 60_000,
  /** Most events kept in storage per tab; the oldest are dropped and counted beyond it. */
  maxStoredEvents: 1_000,
  /** Most bytes of queued events kept in storage per tab; the oldest are dropped and counted beyond it. */
  maxStoredBytes: 1_000_000,
  /** A session ends after this much idle time, in ms. */
  sessionTimeoutMs: 30 * 60_000,
  /** A session rotates after this long even when active, in ms. */
  sessionMaxMs: 24 * 3_600_000,
  /** Send nothing when the browser signals Do Not Track or Global Privacy Control (unless `optIn()` was called). */
  respectDoNotTrack: true,
  /** Send a `page` event when the SDK starts. */
  autoPage: true,
  /** Where the anonymous id lives: `'localStorage'` or a first-party `'cookie'` (shared across subdomains with `cookieDomain`). */
  persistence: 'localStorage' as 'localStorage' | 'cookie',
  /** Domain attribute of the anonymous-id cookie; empty for the current host only. */
  cookieDomain: '',
  /** gzip request bodies with `CompressionStream` where the browser has it. */
  compression: true,
  /** Only bodies at least this large are gzipped (smaller ones gain too little). */
  compressMinBytes: 2_048,
  /** A tab whose heartbeat is older than this (ms) is gone; another tab adopts its queue. */
  tabStaleMs: 30_000,
};

export type Defaults = typeof DEFAULTS;
