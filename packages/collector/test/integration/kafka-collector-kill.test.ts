import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaConsumer } from '../../src/kafka/kafka-consumer';
import { runCli, type Spawned } from './cli-support';
import { startLoad, waitUntil } from './durability-support';
import { consumerInto, createTopic, describeWithKafka, drainedCounts, migratedChdb, startKafka, type KafkaCluster } from './kafka-support';

/**
 * The built `sluice serve --kafka` killed with SIGKILL three times under load and started again.
 * It keeps no local state, so what it acknowledged must already be on the broker: every
 * acknowledged event lands exactly once through `sluice consume`'s insert path.
 */
describeWithKafka('Kafka: the collector killed with kill -9 under load', () => {
  let cluster: KafkaCluster;
  let db: Awaited<ReturnType<typeof migratedChdb>>;
  let consumer: KafkaConsumer;
  const spawned: Spawned[] = [];

  beforeAll(async () => {
    cluster = await startKafka(1);
    await createTopic(cluster.bootstrap, 'events', 3, 1);
    db = await migratedChdb('kafka-collector-kill');
    consumer = await consumerInto(db.client, cluster.bootstrap, 'events', 'collector-kill');
  });

  afterAll(async () => {
    for (const cli of spawned) cli.kill();
    await consumer?.close(5_000).catch(() => {});
    await cluster?.stop();
    db?.remove();
  });

  async function serve(): Promise<{ cli: Spawned; url: string }> {
    const cli = runCli(['serve', '--kafka', cluster.bootstrap, '--topic', 'events', '--write-key', 'k=p', '--port', '0']);
    spawned.push(cli);
    const [, url] = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+) \(Kafka topic events/, 60_000);
    return { cli, url: url as string };
  }

  it('loses nothing it acknowledged and stores it once', async () => {
    let url = '';
    const load = startLoad({ url: () => url, writeKey: 'k', prefix: 'ckill', workers: 4, eventsPerRequest: 25 });
    for (let round = 0; round < 3; round++) {
      const server = await serve();
      url = server.url;
      const before = load.acked.size;
      await waitUntil('the collector acknowledged load', () => load.acked.size >= before + 1_500, 60_000);
      server.cli.child.kill('SIGKILL');
      expect(await server.cli.exited).toBe('SIGKILL');
    }
    const server = await serve();
    url = server.url;
    const before = load.acked.size;
    await waitUntil('the restarted collector acknowledged load', () => load.acked.size >= before + 1_000, 60_000);
    await load.stop();
    server.cli.child.kill('SIGTERM');
    expect(await server.cli.exited).toBe(0);

    const counts = await drainedCounts(db.client, load, 'ckill');
    console.log('Kafka collector kill -9:', counts, 'statuses:', Object.fromEntries(load.statuses), 'consumer:', consumer.stats());
    expect(counts.acknowledged).toBeGreaterThan(5_000);
    expect(counts.ackedNotLanded).toBe(0);
    expect(counts.duplicated).toBe(0);
  }, 400_000);
});
