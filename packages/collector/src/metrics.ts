import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WriterObserver } from './clickhouse';
import type { AnswerCacheObserver } from './graphql/answer-cache';
import type { WalSinkObserver } from './wal/wal-sink';
import type { WalStats } from './wal/wal-types';

/** What the WAL gauges read at scrape time. */
export interface WalGaugeSource {
  stats(): WalStats;
  oldestUnsentAgeMs(): number;
}

export type EventOutcome = 'accepted' | 'rejected' | 'deduplicated';

export interface CollectorMetrics {
  /** The prom-client registry; add your own metrics or `collectDefaultMetrics({ register: registry })`. */
  readonly registry: Registry;
  readonly contentType: string;
  /** The Prometheus text exposition, as served on `GET /metrics`. */
  text(): Promise<string>;
  request(route: string, status: number, seconds: number): void;
  events(outcome: EventOutcome, count: number): void;
  /** Counts rejected events by project, write-key fingerprint and rejection code. */
  rejected(project: string, key: string, reason: string, count: number): void;
  /** Counts one client-metrics report (analytics.js's `POST /v1/m`) and the series it carried. */
  clientMetrics(series: number): void;
  /** Pass to `createClickHouseSink({ observer })` or `createWalSink({ observer })` when you build the sink yourself. */
  readonly observer: Required<WriterObserver> & Pick<Required<WalSinkObserver>, 'onReplay'>;
  /** Reports this write-ahead log in the `sluice_wal_*` metrics (the collector calls it with `ack: 'wal'`). */
  watchWal(wal: WalGaugeSource | undefined): void;
  /** Pass to `createAnswerCache({ observer })`: the `sluice_query_cache_*` metrics. */
  readonly queryCache: AnswerCacheObserver;
}

/**
 * The collector's metrics, in a registry of its own (so two collectors in one process never clash):
 * - `sluice_http_requests_total{route,status}` and `sluice_http_request_duration_seconds{route}`;
 * - `sluice_events_total{outcome}`: accepted (stored), rejected (invalid, quarantined), deduplicated;
 * - `sluice_events_rejected_total{project,key,reason}`: rejected events by project, write key
 *   (the first 8 hex digits of its SHA-256, so /metrics never shows a key) and rejection code;
 * - `sluice_client_metrics_reports_total` and `sluice_client_metrics_series_total`: what
 *   analytics.js posted to `/v1/m` about its own delivery (counted, not stored);
 * - `sluice_events_quarantined_total`: rows written to `events_quarantine` by the writer;
 * - `sluice_insert_rows`, `sluice_insert_bytes`, `sluice_insert_duration_seconds` per insert;
 * - `sluice_insert_retries_total`, `sluice_buffer_rows`;
 * - with `ack: 'wal'`: `sluice_wal_bytes` (not yet in ClickHouse), `sluice_wal_disk_bytes`,
 *   `sluice_wal_oldest_unsent_age_seconds`, `sluice_wal_fsync_seconds` (the last group commit),
 *   `sluice_wal_fsyncs_total`, and `sluice_replayed_batches_total` (batches pending at a restart,
 *   re-sent with their recorded dedup token);
 * - the query API's answer cache: `sluice_query_cache_hits_total{question}` (answered from memory),
 *   `sluice_query_cache_misses_total{question}` (a ClickHouse query ran),
 *   `sluice_query_cache_coalesced_total{question}` (a miss that waited for the same question already
 *   running), `sluice_query_cache_bytes` and `sluice_query_cache_entries`.
 */
export function createMetrics(prefix = 'sluice_'): CollectorMetrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: `${prefix}http_requests_total`, help: 'HTTP requests by route and status.', labelNames: ['route', 'status'], registers });
  const duration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'Time to answer an HTTP request.',
    labelNames: ['route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const events = new Counter({ name: `${prefix}events_total`, help: 'Events received, by outcome: accepted (stored), rejected (invalid), deduplicated (a retry already stored).', labelNames: ['outcome'], registers });
  for (const outcome of ['accepted', 'rejected', 'deduplicated']) events.inc({ outcome }, 0);
  const rejected = new Counter({
    name: `${prefix}events_rejected_total`,
    help: 'Events rejected as invalid (and quarantined), by project, write key (first 8 hex digits of its SHA-256) and reason code.',
    labelNames: ['project', 'key', 'reason'],
    registers,
  });
  const clientReports = new Counter({ name: `${prefix}client_metrics_reports_total`, help: 'Client-metrics reports (analytics.js POST /v1/m): answered 200, counted, not stored.', registers });
  const clientSeries = new Counter({ name: `${prefix}client_metrics_series_total`, help: 'Series carried by client-metrics reports (POST /v1/m).', registers });
  const quarantined = new Counter({ name: `${prefix}events_quarantined_total`, help: 'Rows written to events_quarantine.', registers });
  const insertRows = new Histogram({ name: `${prefix}insert_rows`, help: 'Rows per ClickHouse insert.', buckets: [1, 10, 100, 1_000, 5_000, 10_000, 50_000, 100_000], registers });
  const insertBytes = new Histogram({ name: `${prefix}insert_bytes`, help: 'Bytes per ClickHouse insert.', buckets: [1e3, 1e4, 1e5, 1e6, 4e6, 8e6, 16e6, 64e6], registers });
  const insertSeconds = new Histogram({ name: `${prefix}insert_duration_seconds`, help: 'Latency of ClickHouse inserts.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers });
  const retries = new Counter({ name: `${prefix}insert_retries_total`, help: 'ClickHouse inserts retried after a retryable failure.', registers });
  const buffer = new Gauge({ name: `${prefix}buffer_rows`, help: 'Rows buffered in the collector, not yet in ClickHouse.', registers });
  let wal: WalGaugeSource | undefined;
  const walGauge = (name: string, help: string, read: (source: WalGaugeSource) => number) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        if (wal) this.set(read(wal));
      },
    });
  walGauge('wal_bytes', 'Bytes in the write-ahead log not yet in ClickHouse (what its size cap bounds).', (source) => source.stats().bytes);
  walGauge('wal_disk_bytes', 'Bytes of every write-ahead log segment on disk, kept raw segments included.', (source) => source.stats().diskBytes);
  walGauge('wal_oldest_unsent_age_seconds', 'Age of the oldest event in the write-ahead log not yet in ClickHouse; 0 when drained.', (source) => source.oldestUnsentAgeMs() / 1000);
  walGauge('wal_fsync_seconds', 'Latency of the last write-ahead log fsync (one per group commit).', (source) => source.stats().lastFsyncMs / 1000);
  let fsyncsSeen = 0;
  new Counter({
    name: `${prefix}wal_fsyncs_total`,
    help: 'fsyncs of the write-ahead log since the collector started; many requests share one.',
    registers,
    collect() {
      if (!wal) return;
      const now = wal.stats().fsyncs;
      if (now > fsyncsSeen) this.inc(now - fsyncsSeen);
      fsyncsSeen = now;
    },
  });
  const replayed = new Counter({ name: `${prefix}replayed_batches_total`, help: 'Batches found pending in the write-ahead log at a restart and re-sent with their recorded dedup token.', registers });

  const cacheCounter = (name: string, help: string) => new Counter({ name: `${prefix}query_cache_${name}_total`, help, labelNames: ['question'], registers });
  const cacheHits = cacheCounter('hits', 'Questions answered from the query cache, without ClickHouse.');
  const cacheMisses = cacheCounter('misses', 'Questions that ran a ClickHouse query (not in the cache, or no longer fresh).');
  const cacheCoalesced = cacheCounter('coalesced', 'Questions that waited for the same question already running instead of running their own query.');
  const cacheBytes = new Gauge({ name: `${prefix}query_cache_bytes`, help: 'Estimated memory of the cached answers.', registers });
  const cacheEntries = new Gauge({ name: `${prefix}query_cache_entries`, help: 'Answers in the query cache.', registers });

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    request(route, status, seconds) {
      requests.inc({ route, status: String(status) });
      duration.observe({ route }, seconds);
    },
    events(outcome, count) {
      if (count > 0) events.inc({ outcome }, count);
    },
    rejected(project, key, reason, count) {
      if (count > 0) rejected.inc({ project, key, reason }, count);
    },
    clientMetrics(series) {
      clientReports.inc();
      if (series > 0) clientSeries.inc(series);
    },
    observer: {
      onInsert(rows, bytes, ms) {
        insertRows.observe(rows);
        insertBytes.observe(bytes);
        insertSeconds.observe(ms / 1000);
      },
      onRetry: () => retries.inc(),
      onBufferDepth: (rows) => buffer.set(rows),
      onQuarantine: (rows) => quarantined.inc(rows),
      onReplay: () => replayed.inc(),
    },
    watchWal(source) {
      wal = source;
      fsyncsSeen = 0;
    },
    queryCache: {
      hit: (question) => cacheHits.inc({ question }),
      miss: (question) => cacheMisses.inc({ question }),
      coalesced: (question) => cacheCoalesced.inc({ question }),
      size(bytes, entries) {
        cacheBytes.set(bytes);
        cacheEntries.set(entries);
      },
    },
  };
}
