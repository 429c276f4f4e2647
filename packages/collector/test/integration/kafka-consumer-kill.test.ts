import { Consumer } from '@platformatic/kafka';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadKafka } from '../../src/kafka/client-module';
import { createGroupOffsets, type CommittedOffset, type GroupOffsets } from '../../src/kafka/group-offsets';
import { decodePending, encodePending, type OffsetRange } from '../../src/kafka/pending-range';
import { tempDir } from './clickhouse-fixtures';
import { runCli, type Spawned } from './cli-support';
import { pause, startLoad, waitUntil } from './durability-support';
import { countLanded, createTopic, describeWithKafka, servedKafkaCollector, startKafka, type KafkaCluster } from './kafka-support';
import { openChdb } from './wal-chdb-helpers';

/**
 * The built `sluice consume --embedded DIR` killed with SIGKILL in the middle of a batch (its
 * range committed as pending, the insert under way) three times, and started again on the same
 * directory. The next start must re-send exactly the pending range with the same token, so
 * ClickHouse stores it once, and continue after it. A last round makes the narrowest window
 * certain (the insert done, its commit lost), so a token that differed between two sends of the same
 * range would show up as duplicated rows.
 */
describeWithKafka('Kafka: sluice consume killed mid-batch', () => {
  let cluster: KafkaCluster;
  let served: Awaited<ReturnType<typeof servedKafkaCollector>>;
  let watcher: Consumer;
  let offsets: GroupOffsets;
  const data = tempDir('kafka-consumer-kill');
  const spawned: Spawned[] = [];

  beforeAll(async () => {
    cluster = await startKafka(1);
    await createTopic(cluster.bootstrap, 'events', 3, 1);
    served = await servedKafkaCollector(cluster.bootstrap, 'events');
    // Reads the group's committed offsets (and pending ranges) from outside the group.
    watcher = new Consumer({ clientId: 'watcher', groupId: 'consumer-kill', bootstrapBrokers: cluster.bootstrap.split(',') });
    offsets = createGroupOffsets(await loadKafka(), watcher, 'events');
  });

  afterAll(async () => {
    for (const cli of spawned) cli.kill();
    await served?.close().catch(() => {});
    await offsets?.close();
    await watcher?.close().catch(() => {});
    await cluster?.stop();
    data.remove();
  });

  async function consume(): Promise<{ cli: Spawned; metrics: string }> {
    const cli = runCli(['consume', '--kafka', cluster.bootstrap, '--topic', 'events', '--group', 'consumer-kill', '--embedded', data.path, '--port', '0']);
    spawned.push(cli);
    const [, metrics] = await cli.waitFor(/metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/, 60_000);
    return { cli, metrics: metrics as string };
  }

  const scrape = async (url: string, name: string): Promise<number> => {
    const text = await (await fetch(url)).text();
    let sum = 0;
    for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))) sum += Number(match[1]);
    return sum;
  };

  it('re-sends the pending range after each kill and stores every acknowledged event once', async () => {
    const load = startLoad({ url: () => served.url, writeKey: 'k', prefix: 'conkill', workers: 4, eventsPerRequest: 25 });
    // Every pending range seen, per partition: the batches the consumer recorded before inserting.
    const ranges = new Map<number, OffsetRange>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const found = await offsets.fetch([0, 1, 2]).catch(() => new Map<number, CommittedOffset>());
        for (const [partition, entry] of found) {
          const range = decodePending(entry.metadata);
          if (range) ranges.set(partition, range);
        }
        await pause(2);
      }
    })();
    const pendingNow = async (): Promise<boolean> => [...(await offsets.fetch([0, 1, 2]).catch(() => new Map<number, CommittedOffset>())).values()].some((entry) => decodePending(entry.metadata));

    let kills = 0;
    for (let round = 0; round < 3; round++) {
      const consumer = await consume();
      const before = load.acked.size;
      await waitUntil('the collector acknowledged load', () => load.acked.size >= before + 1_500, 60_000);
      await waitUntil('a batch is pending (recorded, being inserted)', pendingNow, 60_000, 2);
      consumer.cli.child.kill('SIGKILL');
      expect(await consumer.cli.exited).toBe('SIGKILL');
      kills++;
    }
    await load.stop();

    // The narrowest window, made certain: a kill after ClickHouse stored a batch but before its
    // offset was committed. Let everything commit, kill, then put one partition's offset back to
    // what it said during its last insert (that range pending), as if the final commit was lost.
    const drained = await consume();
    await waitUntil('the consumer caught up (lag 0 on every partition)', async () => (await scrape(drained.metrics, 'sluice_kafka_consumer_lag')) === 0 && (await scrape(drained.metrics, 'sluice_kafka_consumed_rows_total')) > 0, 120_000, 250);
    drained.cli.child.kill('SIGKILL');
    expect(await drained.cli.exited).toBe('SIGKILL');
    kills++;
    watching = false;
    await watch;
    const committed = await offsets.fetch([0, 1, 2]);
    const rewound = [...ranges].find(([partition, range]) => committed.get(partition)?.offset === range.last + 1n);
    expect(rewound, 'a partition whose last batch was seen pending').toBeDefined();
    const [partition, range] = rewound as [number, OffsetRange];
    // The broker takes a commit from outside the group once the killed member's session expired.
    await waitUntil('the group is empty and takes the rewound offset', async () => (await offsets.commit(partition, range.first, encodePending(range), -1, '')).ok, 60_000, 500);

    const last = await consume();
    await waitUntil('the restarted consumer re-sent the pending range', async () => (await scrape(last.metrics, 'sluice_kafka_batches_total\\{replayed="true"\\}')) >= 1, 60_000, 100);
    await waitUntil('the restarted consumer committed past it', async () => (await offsets.fetch([partition])).get(partition)?.offset === range.last + 1n, 60_000, 100);
    last.cli.child.kill('SIGTERM');
    expect(await last.cli.exited).toBe(0);

    const client = openChdb(data.path);
    const counts = await countLanded(client, load.acked, 'conkill');
    await client.close();
    console.log('Kafka consumer kill -9 mid-batch:', counts, { kills, rewound: { partition, first: String(range.first), last: String(range.last) } });
    expect(counts.acknowledged).toBeGreaterThan(4_000);
    expect(counts.ackedNotLanded).toBe(0);
    expect(counts.duplicated).toBe(0);
  }, 400_000);
});
