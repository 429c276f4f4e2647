import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaConsumer } from '../../src/kafka/kafka-consumer';
import { startLoad, waitUntil } from './durability-support';
import { consumerInto, createTopic, describeWithKafka, drainedCounts, migratedChdb, servedKafkaCollector, startKafka, type KafkaCluster } from './kafka-support';

/**
 * Three brokers, the topic replicated three times with min.insync.replicas=2. One broker (the
 * controller and leader of some partitions) is killed with kill -9 under load: leadership moves,
 * acks=all still holds with two in-sync replicas, and nothing acknowledged may be lost when the
 * broker comes back.
 */
describeWithKafka('Kafka: one of three brokers killed, replication factor 3', () => {
  let cluster: KafkaCluster;
  let db: Awaited<ReturnType<typeof migratedChdb>>;
  let served: Awaited<ReturnType<typeof servedKafkaCollector>>;
  let consumer: KafkaConsumer;

  beforeAll(async () => {
    cluster = await startKafka(3);
    await createTopic(cluster.bootstrap, 'events', 3, 3);
    db = await migratedChdb('kafka-three-brokers');
    served = await servedKafkaCollector(cluster.bootstrap, 'events');
    consumer = await consumerInto(db.client, cluster.bootstrap, 'events', 'three-brokers');
  });

  afterAll(async () => {
    await served?.close().catch(() => {});
    await consumer?.close(5_000).catch(() => {});
    await cluster?.stop();
    db?.remove();
  });

  it('keeps acknowledging through the loss of one broker and loses nothing', async () => {
    const load = startLoad({ url: () => served.url, writeKey: 'k', prefix: 'rf3', workers: 4, eventsPerRequest: 25 });
    const more = async (what: string) => {
      const before = load.acked.size;
      await waitUntil(what, () => load.acked.size >= before + 1_500, 90_000);
    };
    await more('the collector acknowledged load');
    const victim = cluster.brokers[0]!;
    await victim.kill();
    await more('the collector acknowledges with two brokers left');
    await victim.restart();
    await more('the collector acknowledged load after the restart');
    await load.stop();

    const counts = await drainedCounts(db.client, load, 'rf3');
    console.log('Kafka 1 of 3 brokers killed:', counts, 'statuses:', Object.fromEntries(load.statuses), 'consumer:', consumer.stats());
    expect(counts.acknowledged).toBeGreaterThan(4_500);
    expect(counts.ackedNotLanded).toBe(0);
    expect(counts.duplicated).toBe(0);
  }, 400_000);
});
