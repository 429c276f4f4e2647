import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaConsumer } from '../../src/kafka/kafka-consumer';
import { startLoad, waitUntil } from './durability-support';
import { consumerInto, createTopic, describeWithKafka, drainedCounts, migratedChdb, servedKafkaCollector, startKafka, type KafkaCluster } from './kafka-support';

/**
 * One broker, killed with `kill -9` twice under load and restarted on the same data directory.
 * While it is down the collector must answer 503 with Retry-After (never 200); afterwards every
 * event it acknowledged must be in `events` exactly once.
 */
describeWithKafka('Kafka: the broker killed with kill -9 under load', () => {
  let cluster: KafkaCluster;
  let db: Awaited<ReturnType<typeof migratedChdb>>;
  let served: Awaited<ReturnType<typeof servedKafkaCollector>>;
  let consumer: KafkaConsumer;

  beforeAll(async () => {
    cluster = await startKafka(1);
    await createTopic(cluster.bootstrap, 'events', 3, 1);
    db = await migratedChdb('kafka-broker-kill');
    served = await servedKafkaCollector(cluster.bootstrap, 'events');
    consumer = await consumerInto(db.client, cluster.bootstrap, 'events', 'broker-kill');
  });

  afterAll(async () => {
    await served?.close().catch(() => {});
    await consumer?.close(5_000).catch(() => {});
    await cluster?.stop();
    db?.remove();
  });

  it('acknowledges nothing while the broker is down and loses nothing it acknowledged', async () => {
    const load = startLoad({ url: () => served.url, writeKey: 'k', prefix: 'bkill', workers: 4, eventsPerRequest: 25 });
    const broker = cluster.brokers[0]!;
    for (let round = 0; round < 2; round++) {
      const before = load.acked.size;
      await waitUntil('the collector acknowledged load', () => load.acked.size >= before + 1_500, 60_000);
      await broker.kill();
      const refused = load.statuses.get('503') ?? 0;
      await waitUntil('the collector refuses while the broker is down', () => (load.statuses.get('503') ?? 0) > refused, 60_000);
      expect(load.lastRefusal?.status).toBe(503);
      expect(Number(load.lastRefusal?.retryAfter)).toBeGreaterThan(0);
      await broker.restart();
    }
    const before = load.acked.size;
    await waitUntil('the collector acknowledges again after the restart', () => load.acked.size >= before + 1_500, 90_000);
    await load.stop();

    const counts = await drainedCounts(db.client, load, 'bkill');
    console.log('Kafka broker kill -9:', counts, 'statuses:', Object.fromEntries(load.statuses), 'consumer:', consumer.stats());
    expect(counts.acknowledged).toBeGreaterThan(4_000);
    expect(counts.ackedNotLanded).toBe(0);
    expect(counts.duplicated).toBe(0);
  }, 400_000);
});
