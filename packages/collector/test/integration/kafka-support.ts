import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClickHouseClient } from '@clickhouse/client';
import { Admin } from '@platformatic/kafka';
import { describe, it } from 'vitest';
import { findJava, startKafka as startKafkaScript, type KafkaCluster } from '../../../../scripts/kafka.mjs';
import { migrate } from '../../src/clickhouse';
import { createCollector, type Collector } from '../../src/collector';
import { createKafkaSink, type KafkaSink } from '../../src/kafka/kafka-sink';
import { startKafkaConsumer, type KafkaConsumer } from '../../src/kafka/kafka-consumer';
import { createRequestListener } from '../../src/node';
import { createInsertChain } from '../../src/clickhouse/insert-chain';
import { tempDir } from './clickhouse-fixtures';
import { openChdb } from './wal-chdb-helpers';
import type { Load } from './durability-support';

export type { KafkaCluster };

// The Kafka suites' shared parts: a real KRaft cluster from scripts/kafka.mjs, a collector whose
// sink is Kafka, consumers that insert into an in-process chDB, and the landed/duplicated counts.

export const hasJava = findJava() !== undefined;

/**
 * `describe` for a suite that needs a broker: without Java it is skipped with a message, except
 * under CI=true, where a missing broker must fail the run rather than hide the suite.
 */
export function describeWithKafka(name: string, body: () => void): void {
  if (hasJava) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Java 17 to run Apache Kafka', () => {
        throw new Error('Java is not installed, so the Kafka suites cannot run: install openjdk-17-jre-headless (.ci/run does)');
      });
    });
    return;
  }
  console.warn(`skipping "${name}": Java is not installed (apt-get install openjdk-17-jre-headless to run the Kafka suites)`);
  describe.skip(name, body);
}

export async function startKafka(brokers: 1 | 3): Promise<KafkaCluster> {
  return startKafkaScript({ brokers });
}

export async function createTopic(bootstrap: string, topic: string, partitions: number, replicas: number): Promise<void> {
  const admin = new Admin({ clientId: 'sluice-test', bootstrapBrokers: bootstrap.split(',') });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas, configs: replicas > 1 ? [{ name: 'min.insync.replicas', value: '2' }] : [] });
  } finally {
    await admin.close();
  }
}

/** A collector in this process, on node:http, whose sink is Kafka (as `sluice serve --kafka`). */
export async function servedKafkaCollector(bootstrap: string, topic: string): Promise<{ url: string; sink: KafkaSink; collector: Collector; close(): Promise<void> }> {
  const sink = await createKafkaSink({ brokers: bootstrap.split(','), topic, ackTimeoutMs: 5_000 });
  const collector = createCollector({ writeKeys: { k: 'p' }, sink });
  const server: Server = createServer(createRequestListener(collector));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sink,
    collector,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await collector.close(5_000);
    },
  };
}

/** chDB in this process, migrated: what consumers in this process insert into and tests count. */
export async function migratedChdb(prefix: string): Promise<{ client: ClickHouseClient; path: string; remove(): void }> {
  const dir = tempDir(prefix);
  const client = openChdb(dir.path);
  await migrate(client, { database: 'sluice' });
  return { client, path: dir.path, remove: dir.remove };
}

/** A consumer-group member in this process, inserting with the collector's own insert path. */
export function consumerInto(client: ClickHouseClient, bootstrap: string, topic: string, group: string): Promise<KafkaConsumer> {
  const insert = createInsertChain({ client, database: 'sluice' });
  return startKafkaConsumer({ brokers: bootstrap.split(','), topic, group, insert, batchMaxDelayMs: 500 });
}

export interface Counts {
  acknowledged: number;
  landed: number;
  ackedNotLanded: number;
  duplicated: number;
}

/**
 * What the suites assert on, counted WITHOUT `FINAL`: `events` is a ReplacingMergeTree, so only a
 * plain count shows a batch inserted twice (a merge could hide it later, never create it).
 */
export async function countLanded(client: ClickHouseClient, acked: ReadonlySet<string>, prefix: string): Promise<Counts> {
  const result = await client.query({
    query: `SELECT message_id, count() AS copies FROM sluice.events WHERE startsWith(message_id, {prefix:String}) GROUP BY message_id`,
    query_params: { prefix },
    format: 'JSONEachRow',
  });
  const rows = (await result.json()) as { message_id: string; copies: string }[];
  const landed = new Set(rows.map((row) => row.message_id));
  let duplicated = 0;
  for (const row of rows) duplicated += Number(row.copies) - 1;
  let ackedNotLanded = 0;
  for (const id of acked) if (!landed.has(id)) ackedNotLanded++;
  return { acknowledged: acked.size, landed: landed.size, ackedNotLanded, duplicated };
}

/** Waits until every acknowledged id is in `events` (or the deadline passes), then counts. */
export async function drainedCounts(client: ClickHouseClient, load: Load, prefix: string, timeoutMs = 90_000): Promise<Counts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await countLanded(client, load.acked, prefix);
    if (counts.ackedNotLanded === 0 || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
