#!/usr/bin/env node
// The Kafka path, component by component, on a one-broker KRaft cluster from scripts/kafka.mjs:
// 1. collector → Kafka: `sluice serve --kafka` pinned to core 0, driven by bench/lib/loadgen.mjs on
//    core 1 (batches of 100 demo-like events); acknowledged events/s, i.e. acks=all from the broker.
// 2. Kafka → ClickHouse: `sluice consume --embedded <tmp>` pinned to core 0 reads everything part 1
//    wrote, from the start of the topic; events/s from its start until its lag is 0, then a count of
//    what landed in its data directory.
// CPU seconds per million events of the collector, the broker (a JVM, unpinned) and the consumer
// (chDB included) are what docs/scaling.md sizes fleets with.
//
//   node bench/kafka.mjs [--quick] [--seconds N] [--runs N] [--partitions N]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, cpuSeconds, fmt, lastJson, median, opt, pinned, QUICK, report, ROOT, runNode, startServer, table, tempDir } from './lib/common.mjs';

const SECONDS = Number(opt('seconds', QUICK ? 3 : 10));
const RUNS = Number(opt('runs', QUICK ? 1 : 3));
const PARTITIONS = Number(opt('partitions', 6));
const CONNECTIONS = 32;
const WARMUP_SECONDS = QUICK ? 2 : 5;
const TOPIC = 'bench-events';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const { findJava, startKafka } = await import(pathToFileURL(join(ROOT, 'scripts/kafka.mjs')).href);
if (!findJava()) {
  report('kafka', { settings: {}, markdown: 'Skipped: Java is not installed (apt-get install openjdk-17-jre-headless).', data: { skipped: 'no java' } });
  process.exit(0);
}
const { Admin } = await import('@platformatic/kafka');

const cluster = await startKafka({ brokers: 1, jit: 'full' });
const brokerPid = cluster.brokers[0].pid;
try {
  const admin = new Admin({ clientId: 'sluice-bench', bootstrapBrokers: cluster.bootstrap.split(',') });
  await admin.createTopics({ topics: [TOPIC], partitions: PARTITIONS, replicas: 1 });
  await admin.close();

  // ---- 1. collector → Kafka
  const produce = [];
  for (let run = 0; run < RUNS; run++) {
    // Distinct prefixes: the collector drops a messageId it saw (retry dedupe), and loadgen counts from 0.
    const prefix = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
    const warmupPrefix = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
    const { command, args } = pinned(0, process.execPath, [CLI, 'serve', '--port', '0', '--kafka', cluster.bootstrap, '--topic', TOPIC, '--write-key', 'bench=bench']);
    const server = await startServer(command, args, { ready: /listening on (http:\/\/[^\s]+)/ });
    try {
      // Warm up the broker's and the collector's JIT compilers; not counted.
      const warmup = lastJson(await runNode(join(ROOT, 'bench/lib/loadgen.mjs'), ['--url', server.match[1], '--connections', String(CONNECTIONS), '--duration', String(WARMUP_SECONDS), '--prefix', warmupPrefix], { core: 1 }));
      const cpu0 = cpuSeconds(server.pid);
      const broker0 = cpuSeconds(brokerPid);
      const out = await runNode(join(ROOT, 'bench/lib/loadgen.mjs'), ['--url', server.match[1], '--connections', String(CONNECTIONS), '--duration', String(SECONDS), '--prefix', prefix], { core: 1 });
      const load = lastJson(out);
      const cpu = cpuSeconds(server.pid) - cpu0;
      const brokerCpu = cpuSeconds(brokerPid) - broker0;
      produce.push({ prefix, warmupPrefix, ...load, warmupAcked: warmup.acked, collectorCpuPerMillion: (cpu / load.acked) * 1e6, brokerCpuPerMillion: (brokerCpu / load.acked) * 1e6 });
      console.error(`collector → Kafka run ${run + 1}/${RUNS}: ${fmt(load.ackedPerSec)} acked events/s, p50 ${fmt(load.p50ms, 1)} ms, p99 ${fmt(load.p99ms, 1)} ms, statuses ${JSON.stringify(load.statuses)}`);
    } finally {
      await server.stop(15_000);
    }
  }
  // Everything acknowledged, warm-up included: the consumer reads the whole topic.
  const acked = produce.reduce((sum, run) => sum + run.acked + run.warmupAcked, 0);

  // ---- 2. Kafka → ClickHouse (embedded chDB), everything part 1 acknowledged
  const dir = tempDir('kafka-consume');
  const { command, args } = pinned(0, process.execPath, [CLI, 'consume', '--kafka', cluster.bootstrap, '--topic', TOPIC, '--group', `bench-${Date.now()}`, '--embedded', join(dir, 'data'), '--port', '0']);
  const consumer = await startServer(command, args, { ready: /metrics on (http:\/\/[^\s]+)/, cwd: dir });
  const scrape = async (name) => {
    const text = await (await fetch(consumer.match[1])).text();
    let sum = 0;
    for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))) sum += Number(match[1]);
    return sum;
  };
  const cpu0 = cpuSeconds(consumer.pid);
  const started = performance.now();
  let rows = 0;
  while (performance.now() - started < 300_000) {
    rows = await scrape('sluice_kafka_consumed_rows_total');
    if (rows >= acked && (await scrape('sluice_kafka_consumer_lag')) === 0) break;
    await sleep(100);
  }
  const consumeS = (performance.now() - started) / 1000;
  const consumeCpu = cpuSeconds(consumer.pid) - cpu0;
  await consumer.stop(60_000);
  const landed = lastJson(await runNode(join(ROOT, 'bench/lib/count-landed.mjs'), [join(dir, 'data'), ...produce.flatMap((run) => [run.prefix, run.warmupPrefix])], { timeoutMs: 120_000 }));
  const consumed = { rows, seconds: consumeS, rowsPerSec: rows / consumeS, cpuPerMillion: (consumeCpu / rows) * 1e6, landed };
  console.error(`Kafka → ClickHouse: ${fmt(consumed.rowsPerSec)} events/s (${fmt(rows)} rows in ${fmt(consumeS, 1)} s), landed ${landed.distinct}/${acked} distinct, ${landed.rows} rows`);

  const m = (key) => median(produce.map((run) => run[key]));
  const markdown = [
    table(
      ['component', 'events/s', 'p50 / p99 ms', 'CPU s per 1M events', 'checked'],
      [
        ['collector → Kafka (`sluice serve --kafka`, acks=all)', fmt(m('ackedPerSec')), `${fmt(m('p50ms'), 1)} / ${fmt(m('p99ms'), 1)}`, fmt(m('collectorCpuPerMillion'), 1), `${fmt(acked)} acked`],
        ['Kafka broker (one KRaft node, JVM) during that load', '', '', fmt(m('brokerCpuPerMillion'), 1), ''],
        ['Kafka → ClickHouse (`sluice consume --embedded`)', fmt(consumed.rowsPerSec), '', fmt(consumed.cpuPerMillion, 1), `${fmt(landed.distinct)} / ${fmt(acked)} landed, ${fmt(landed.rows - landed.distinct)} duplicated`],
      ],
    ),
    '',
    `Apache Kafka 4.1.0, one broker+controller on loopback, topic of ${PARTITIONS} partitions, replication 1. Collector pinned to core 0 (\`taskset\`), load generator on core 1 (${CONNECTIONS} connections, batches of 100 events, ${RUNS} run(s) of ${SECONDS} s, median); the broker is not pinned and shares both cores. ` +
      'The consumer then reads the whole topic from its start, pinned to core 0, inserting into embedded chDB with its default batches (50k rows or 2 s per partition). ' +
      'Taken on a shared 2-core machine: treat the figures as noisy.',
  ].join('\n');
  report('kafka', { settings: { seconds: SECONDS, runs: RUNS, partitions: PARTITIONS, connections: CONNECTIONS }, markdown, data: { produce, consumed } });
} finally {
  await cluster.stop();
}
