import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaConsumer } from '../../src/kafka/kafka-consumer';
import { startLoad, waitUntil } from './durability-support';
import { consumerInto, createTopic, describeWithKafka, drainedCounts, migratedChdb, servedKafkaCollector, startKafka, type KafkaCluster } from './kafka-support';

/**
 * Two consumers of one group under load: the second joins (the partitions are split), the first
 * leaves (the second takes them all), a third joins. Each move is a rebalance in the middle of
 * batches; every acknowledged event must land exactly once.
 */
describeWithKafka('Kafka: consumers rebalancing under load', () => {
  let cluster: KafkaCluster;
  let db: Awaited<ReturnType<typeof migratedChdb>>;
  let served: Awaited<ReturnType<typeof servedKafkaCollector>>;
  const consumers: KafkaConsumer[] = [];

  beforeAll(async () => {
    cluster = await startKafka(1);
    await createTopic(cluster.bootstrap, 'events', 4, 1);
    db = await migratedChdb('kafka-rebalance');
    served = await servedKafkaCollector(cluster.bootstrap, 'events');
  });

  afterAll(async () => {
    await served?.close().catch(() => {});
    for (const consumer of consumers) await consumer.close(5_000).catch(() => {});
    await cluster?.stop();
    db?.remove();
  });

  const join = async (): Promise<KafkaConsumer> => {
    const consumer = await consumerInto(db.client, cluster.bootstrap, 'events', 'rebalance');
    consumers.push(consumer);
    return consumer;
  };

  it('splits and moves partitions without losing or doubling a batch', async () => {
    const load = startLoad({ url: () => served.url, writeKey: 'k', prefix: 'rebal', workers: 4, eventsPerRequest: 25 });
    const more = async (what: string) => {
      const before = load.acked.size;
      await waitUntil(what, () => load.acked.size >= before + 1_500, 60_000);
    };
    const first = await join();
    await more('the collector acknowledged load');
    await waitUntil('the first consumer inserted batches', () => first.stats().batches > 0, 60_000);

    const second = await join();
    await waitUntil('the group split the partitions', () => first.stats().assigned.length > 0 && second.stats().assigned.length > 0 && first.stats().assigned.length + second.stats().assigned.length === 4, 60_000);
    await more('load continued while both consumed');
    await waitUntil('the second consumer inserted batches', () => second.stats().batches > 0, 60_000);

    await first.close(10_000);
    await waitUntil('the second consumer took every partition', () => second.stats().assigned.length === 4, 60_000);
    await more('load continued after the first left');

    const third = await join();
    await waitUntil('the third consumer got partitions', () => third.stats().assigned.length > 0, 60_000);
    await more('load continued after the third joined');
    await load.stop();

    const counts = await drainedCounts(db.client, load, 'rebal');
    console.log('Kafka rebalance:', counts, 'consumers:', consumers.map((consumer) => consumer.stats()));
    expect(counts.acknowledged).toBeGreaterThan(5_000);
    expect(counts.ackedNotLanded).toBe(0);
    expect(counts.duplicated).toBe(0);
  }, 400_000);
});
