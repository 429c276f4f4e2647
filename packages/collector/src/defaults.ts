import { LIMITS } from '@sluice/schema';

/**
 * Every default of the collector and the `sluice` CLI, in one place. Docs and tests read them from
 * here; nothing else spells these numbers.
 */
export const DEFAULTS = {
  // ---- CLI / server
  port: 8080,
  host: '127.0.0.1',
  embeddedPath: '.sluice/data',
  walPath: '.sluice/wal',
  /** `wal`: answer once fsynced to the write-ahead log; `memory`: once buffered (lossy on a crash); `clickhouse`: once inserted. */
  ack: 'wal' as 'memory' | 'clickhouse' | 'wal',
  shutdownDeadlineMs: 10_000,

  // ---- HTTP core
  /** Bytes a request body may have on the wire (compressed or not). */
  maxBodyBytes: 512 * 1024,
  /** Bytes a body may have after decompression; a gzip bomb is refused (413) as soon as it passes this. */
  maxDecodedBytes: LIMITS.maxBatchBytes,
  /** Origins browsers may send from; `'*'` echoes any origin (write keys are public in browsers anyway). */
  corsOrigins: '*' as '*' | readonly string[],
  /** Read the client IP from X-Forwarded-For; only behind a proxy you run. */
  trustProxy: false,
  /** How many recent messageIds per project are remembered to drop client retries. */
  dedupeWindow: 100_000,
  /** On start, the window is refilled with the ids ClickHouse received this recently, so re-sends after a restart are caught. */
  dedupeSeedHorizonMs: 3_600_000,
  /** `keep`, `anonymize` (zero the last octet of IPv4, last 80 bits of IPv6) or `drop`. */
  ipPolicy: 'anonymize' as 'keep' | 'anonymize' | 'drop',
  /** Largest skew correction applied to event time; beyond it the client's clock is not trusted at all. */
  maxClockSkewMs: 7 * 24 * 3600 * 1000,
  /** Bytes of a rejected event's raw JSON kept in quarantine. */
  maxQuarantineRawBytes: 64 * 1024,
  retryAfterSeconds: 1,
  /** At most one log warning per write key and rejection code in this many milliseconds (every rejection is still counted in /metrics). */
  rejectionLogIntervalMs: 60_000,
  /** Write-key-and-code pairs whose last warning is remembered at once. */
  rejectionLogMaxTracked: 10_000,
  /**
   * Token-bucket rate limit per write key (`scope: 'key'`) or for the whole collector (`'global'`).
   * `eventsPerSecond: 0` turns it off, which is the default; `burst` defaults to one second's worth.
   */
  rateLimit: { eventsPerSecond: 0, burstSeconds: 1, scope: 'key' as 'key' | 'global' },
  /** Write keys whose buckets are remembered at once; the least recently used is forgotten beyond it. */
  rateLimitMaxKeys: 10_000,

  // ---- ClickHouse
  database: 'sluice',
  /**
   * Writer flushes a batch at whichever comes first. Half a second keeps an event's wait for its
   * batch well inside the 2 s freshness goal at 80 % of the sustained rate (BENCHMARKS.md). Under
   * load, a batch takes whatever has waited, up to 50k rows: chDB's CPU per row, merges included,
   * measured 87 µs at 5k-row inserts, 63 µs at 10k and 45 µs at 50k (packages/collector/docs/storage.md).
   */
  batchMaxRows: 50_000,
  batchMaxBytes: 32 * 1024 * 1024,
  batchMaxDelayMs: 500,
  /** Inserts in flight at once. */
  insertConcurrency: 2,
  /** Rows buffered in memory before `write` answers overloaded. */
  maxBufferedRows: 200_000,
  insertRetry: { attempts: 8, baseMs: 200, capMs: 30_000 },
  insertTimeoutMs: 30_000,
  /** Months of raw events and quarantine kept by the TTL (0 disables the TTL). */
  eventsTtlDays: 365,
  quarantineTtlDays: 30,
  /** Recent insert blocks remembered per table, so a batch re-sent with the same dedup token is stored once. */
  dedupWindowBlocks: 10_000,
  /** Longest ClickHouse error kept as the `reason` of a quarantined row. */
  maxQuarantineReasonChars: 1_000,

  // ---- WAL (write-ahead log, src/wal)
  /** Bytes of not-yet-inserted records the log holds before `write` answers overloaded (503). */
  walMaxBytes: 1024 * 1024 * 1024,
  /** Bytes of appends waiting for the disk (memory) before `append` answers overloaded, whatever room the log has. */
  walMaxQueuedBytes: 64 * 1024 * 1024,
  /** A segment file is closed and a new one started past this size. */
  walSegmentBytes: 64 * 1024 * 1024,
  /** How long committed segments are kept as the raw source of truth (`--keep-raw`); 0 deletes them at once. */
  walKeepRawMs: 0,
  /** Share of its disk (free space plus its own segments, less the reserve) the log's cap may take; the cap is lowered to it when opened. */
  walDiskShare: 0.75,
  /** The smallest segment a small disk shrinks segments to. */
  walMinSegmentBytes: 64 * 1024,
  /** Bytes the log leaves free on its disk (for the cursor and a segment header); appends past it answer 503. */
  walDiskReserveBytes: 256 * 1024,
  /**
   * Past this age of the oldest acknowledged event not yet in ClickHouse, requests get 503 with
   * Retry-After (`walRetryAfterSeconds`) until the drain catches up: freshness stays bounded under
   * overload. 0 turns the bound off (the byte cap `walMaxBytes` still holds).
   */
  walMaxUnsentAgeMs: 30_000,
  /** `Retry-After` when the log is full or past `walMaxUnsentAgeMs`. */
  walRetryAfterSeconds: 5,
  /** `ready()` turns false above this fraction of `walMaxBytes`. */
  walReadyMaxFill: 0.9,
  /** How often kept segments are checked against `walKeepRawMs`. */
  walRetentionCheckMs: 60_000,
  /** `sluice replay` without a TTY prints a progress line every this fraction of the log. */
  replayProgressStep: 0.1,

  // ---- Kafka (src/kafka: `sluice serve --kafka`, `sluice consume`)
  /** Longest a request waits for the brokers' acknowledgement (acks=all) before it gets 503 with Retry-After. */
  kafkaAckTimeoutMs: 10_000,
  /** Bytes of events waiting for the producer (memory) before `write` answers overloaded. */
  kafkaMaxQueuedBytes: 64 * 1024 * 1024,
  /** Bytes of events in one produce call; requests waiting meanwhile share the next one (group commit). */
  kafkaMaxSendBytes: 768 * 1024,
  /** `Retry-After` when the brokers are unreachable, slow or the producer queue is full. */
  kafkaRetryAfterSeconds: 2,
  /** Client id the producer and the consumer give the brokers. */
  kafkaClientId: 'sluice',
  /** `sluice consume` inserts a partition's batch at whichever comes first. */
  consumeBatchMaxRows: 50_000,
  consumeBatchMaxBytes: 32 * 1024 * 1024,
  consumeBatchMaxDelayMs: 2_000,
  /** Bytes asked of the brokers per fetch, in all and per partition. */
  consumeFetchMaxBytes: 16 * 1024 * 1024,
  consumeFetchPartitionMaxBytes: 4 * 1024 * 1024,
  /** How long a fetch waits on the broker for new records. */
  consumeFetchMaxWaitMs: 500,
  /** Backoff between failed rounds of `sluice consume` (broker or coordinator errors), full jitter. */
  consumeRetry: { baseMs: 100, capMs: 5_000 },
  /** Consumer group timings: a consumer that stops heartbeating for `sessionTimeoutMs` loses its partitions. */
  consumeSessionTimeoutMs: 10_000,
  consumeHeartbeatIntervalMs: 1_000,
  consumeRebalanceTimeoutMs: 30_000,
  /** `sluice consume` serves /metrics (lag included), /health and /ready here. */
  consumePort: 9464,
} as const;
