import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { KafkaConsumer, KafkaConsumerObserver } from './kafka-consumer';

export interface ConsumerMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  text(): Promise<string>;
  readonly observer: Required<KafkaConsumerObserver> & { onQuarantine(rows: number): void };
  /** Reports this consumer's lag at scrape time. */
  watch(consumer: KafkaConsumer): void;
}

/**
 * What `sluice consume` serves on `/metrics`:
 * - `sluice_kafka_consumer_lag{topic,partition}`: high watermark minus the group's committed offset,
 *   per partition this consumer owns (the number to alert on);
 * - `sluice_kafka_consumer_committed_offset{topic,partition}`;
 * - `sluice_kafka_consumed_rows_total`, `sluice_kafka_batches_total{replayed}` (`true` for a batch
 *   found pending after a crash or rebalance and re-sent with its token);
 * - `sluice_kafka_rebalances_total`, `sluice_insert_retries_total`, `sluice_events_quarantined_total`,
 *   `sluice_kafka_batch_duration_seconds` (insert plus commits).
 */
export function createConsumerMetrics(topic: string, prefix = 'sluice_'): ConsumerMetrics {
  const registry = new Registry();
  const registers = [registry];
  let consumer: KafkaConsumer | undefined;
  new Gauge({
    name: `${prefix}kafka_consumer_lag`,
    help: 'Records in the partition after the group committed offset (high watermark minus committed).',
    labelNames: ['topic', 'partition'],
    registers,
    collect() {
      this.reset();
      for (const each of consumer?.lag() ?? []) this.set({ topic, partition: String(each.partition) }, Number(each.lag));
    },
  });
  new Gauge({
    name: `${prefix}kafka_consumer_committed_offset`,
    help: 'The group committed offset of each partition this consumer owns.',
    labelNames: ['topic', 'partition'],
    registers,
    collect() {
      this.reset();
      for (const each of consumer?.lag() ?? []) this.set({ topic, partition: String(each.partition) }, Number(each.committed));
    },
  });
  const rows = new Counter({ name: `${prefix}kafka_consumed_rows_total`, help: 'Rows inserted into ClickHouse from Kafka.', registers });
  const batches = new Counter({ name: `${prefix}kafka_batches_total`, help: 'Batches inserted and committed; replayed="true" for a pending batch re-sent with its token.', labelNames: ['replayed'], registers });
  batches.inc({ replayed: 'false' }, 0);
  batches.inc({ replayed: 'true' }, 0);
  const seconds = new Histogram({ name: `${prefix}kafka_batch_duration_seconds`, help: 'Time to insert and commit one batch.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers });
  const rebalances = new Counter({ name: `${prefix}kafka_rebalances_total`, help: 'Commits refused because the group rebalanced.', registers });
  const retries = new Counter({ name: `${prefix}insert_retries_total`, help: 'ClickHouse inserts retried after a failure.', registers });
  const quarantined = new Counter({ name: `${prefix}events_quarantined_total`, help: 'Rows ClickHouse refused, written to events_quarantine.', registers });
  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    observer: {
      onBatch(batch) {
        rows.inc(batch.rows);
        batches.inc({ replayed: String(batch.replayed) });
        seconds.observe(batch.ms / 1000);
      },
      onRetry: () => retries.inc(),
      onRebalance: () => rebalances.inc(),
      onQuarantine: (count) => quarantined.inc(count),
    },
    watch(source) {
      consumer = source;
    },
  };
}
