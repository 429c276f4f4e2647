import type { Consumer } from '@platformatic/kafka';
import { retryDelay } from '@sluice/schema/wire';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { closeQuietly, describeKafkaError, loadKafka } from './client-module';
import { codes, createGroupOffsets, type GroupOffsets } from './group-offsets';
import { targetOf } from './messages';
import { createPartitionBatch, type PartitionBatch } from './partition-batch';
import { batchToken, decodePending, encodePending, type OffsetRange } from './pending-range';

/** One partition's batch, as the ClickHouse insert takes it (the write-ahead log's batch shape). */
export interface ConsumedBatch {
  /** `kafka-<topic>-<partition>-<first>-<last>`, the `insert_deduplication_token`. */
  token: string;
  first: number;
  last: number;
  events: Buffer;
  eventRows: number;
  quarantine: Buffer;
  quarantineRows: number;
}

/** Inserts a batch with its token; rejects to have it retried. The signal aborts when the consumer stops. */
export type InsertConsumedBatch = (batch: ConsumedBatch, signal: AbortSignal) => Promise<unknown>;

export interface KafkaConsumerObserver {
  /** A batch is in ClickHouse and its offsets are committed; `replayed` when it was pending from a previous owner. */
  onBatch?(batch: { partition: number; rows: number; ms: number; replayed: boolean }): void;
  onRetry?(error: unknown): void;
  /** A commit was refused because the group rebalanced; the consumer re-reads its assignment. */
  onRebalance?(): void;
}

export interface KafkaConsumerOptions {
  brokers: string[];
  topic: string;
  group: string;
  insert: InsertConsumedBatch;
  clientId?: string;
  batchMaxRows?: number;
  batchMaxBytes?: number;
  batchMaxDelayMs?: number;
  logger?: Logger;
  observer?: KafkaConsumerObserver;
}

export interface PartitionLag {
  partition: number;
  /** The partition's high watermark at the last fetch. */
  highWatermark: bigint;
  /** The group's committed offset, as this consumer last committed or read it. */
  committed: bigint;
  lag: bigint;
}

export interface KafkaConsumer {
  /** Per assigned partition: high watermark, committed offset and their difference. */
  lag(): PartitionLag[];
  stats(): { batches: number; rows: number; replayed: number; rebalances: number; assigned: number[] };
  /** Inserts what is buffered, commits, leaves the group (its partitions move at once) and disconnects. */
  close(deadlineMs?: number): Promise<void>;
  /** Settles when the consume loop ends (after `close`). */
  readonly done: Promise<void>;
}


/**
 * `sluice consume`: a member of a consumer group that reads its partitions in large batches and
 * inserts each batch into ClickHouse exactly once, across crashes, restarts and rebalances:
 *
 * 1. A batch is a contiguous offset range of one partition.
 * 2. Before inserting, the consumer commits the group offset `first` with metadata
 *    `sluice:pending:<first>-<last>` (pending-range.ts), under its current generation.
 * 3. It inserts with `insert_deduplication_token = kafka-<topic>-<partition>-<first>-<last>`.
 * 4. It commits `last + 1`, again under its generation.
 *
 * Whoever owns the partition next reads the committed offset and its metadata: a pending range is
 * re-formed exactly and re-sent with the same token, which ClickHouse drops if it already has it.
 * Commits carry the generation and are never retried under a newer one (group-offsets.ts), so a
 * consumer that lost a partition in a rebalance cannot move its offset; it re-reads its assignment
 * instead.
 */
export async function startKafkaConsumer(options: KafkaConsumerOptions): Promise<KafkaConsumer> {
  const kafka = await loadKafka();
  const logger = options.logger ?? silentLogger;
  const observer = options.observer ?? {};
  const { topic } = options;
  const limits = {
    maxRows: options.batchMaxRows ?? DEFAULTS.consumeBatchMaxRows,
    maxBytes: options.batchMaxBytes ?? DEFAULTS.consumeBatchMaxBytes,
    maxDelayMs: options.batchMaxDelayMs ?? DEFAULTS.consumeBatchMaxDelayMs,
  };
  const where = `Kafka at ${options.brokers.join(',')}`;
  const group = {
    sessionTimeout: DEFAULTS.consumeSessionTimeoutMs,
    heartbeatInterval: DEFAULTS.consumeHeartbeatIntervalMs,
    rebalanceTimeout: DEFAULTS.consumeRebalanceTimeoutMs,
  };
  const consumer: Consumer = new kafka.Consumer({
    clientId: options.clientId ?? DEFAULTS.kafkaClientId,
    groupId: options.group,
    bootstrapBrokers: options.brokers,
    autocommit: false,
    ...group,
    timeout: 10_000,
    retries: 3,
    retryDelay: 250,
  });
  try {
    const metadata = await consumer.metadata({ topics: [topic] });
    if (!metadata.topics.has(topic)) throw new Error(`no topic "${topic}"`);
    consumer.topics.track(topic);
    // The first member of a group waits for the brokers to create __consumer_offsets and elect its
    // coordinator; retry for a while before calling the brokers unreachable.
    const deadline = Date.now() + DEFAULTS.consumeRebalanceTimeoutMs;
    for (;;) {
      try {
        await consumer.joinGroup(group);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } catch (error) {
    await closeQuietly(consumer, true);
    throw new CollectorError('unavailable', `cannot consume topic "${topic}" from ${where} as group "${options.group}": ${describeKafkaError(error)}; check --kafka and --topic`, { cause: error });
  }
  const offsets: GroupOffsets = createGroupOffsets(kafka, consumer, topic);

  let stopping = false;
  const stop = new AbortController();
  let generation = -1;
  let member = '';
  let batches = new Map<number, PartitionBatch>();
  const committed = new Map<number, bigint>();
  const highWatermarks = new Map<number, bigint>();
  const stats = { batches: 0, rows: 0, replayed: 0, rebalances: 0 };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stop.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', done);
        resolve();
      }
      stop.signal.addEventListener('abort', done, { once: true });
    });

  const assignedPartitions = (): number[] => [...(consumer.assignments?.find((each) => each.topic === topic)?.partitions ?? [])].sort((a, b) => a - b);
  const assignmentChanged = (): boolean => consumer.generationId !== generation || assignedPartitions().join(',') !== [...batches.keys()].join(',');

  /** Reads the committed offsets (and pending ranges) of the partitions this generation assigned. */
  async function assign(): Promise<void> {
    const gen = consumer.generationId;
    const memberId = consumer.memberId ?? '';
    const partitions = assignedPartitions();
    const found = partitions.length > 0 ? await offsets.fetch(partitions) : new Map();
    const missing = partitions.filter((partition) => (found.get(partition)?.offset ?? -1n) < 0n);
    const earliest = missing.length > 0 ? (await consumer.listOffsets({ topics: [topic], partitions: { [topic]: missing }, timestamp: -2n })).get(topic) ?? [] : [];
    const next = new Map<number, PartitionBatch>();
    committed.clear();
    for (const partition of partitions) {
      const entry = found.get(partition);
      const start = entry && entry.offset >= 0n ? entry.offset : (earliest[partition] ?? 0n);
      const pending = decodePending(entry?.metadata);
      next.set(partition, createPartitionBatch(partition, start, pending && pending.first === start ? pending : undefined));
      committed.set(partition, start);
    }
    batches = next;
    generation = gen;
    member = memberId;
    logger.info({ generation: gen, partitions }, `consumer group ${options.group}: generation ${gen}, partitions ${partitions.join(',') || 'none'}`);
  }

  /** One fetch from every leader of the assigned partitions that can take more records. */
  async function fetchOnce(): Promise<void> {
    const metadata = await consumer.metadata({ topics: [topic] });
    const described = metadata.topics.get(topic);
    if (!described) throw new Error(`topic "${topic}" is gone from ${where}`);
    const byLeader = new Map<number, PartitionBatch[]>();
    for (const batch of batches.values()) {
      if (batch.rows >= limits.maxRows || batch.bytes >= limits.maxBytes) continue;
      if (batch.pending && batch.next > batch.pending.last) continue;
      const leader = described.partitions[batch.partition]?.leader ?? -1;
      if (leader < 0) continue;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), batch]);
    }
    if (byLeader.size === 0) return;
    const now = Date.now();
    await Promise.all(
      [...byLeader].map(async ([node, wanted]) => {
        const response = await consumer.fetch({
          node,
          topics: [
            {
              topicId: described.id,
              partitions: wanted.map((batch) => ({
                partition: batch.partition,
                fetchOffset: batch.next,
                partitionMaxBytes: DEFAULTS.consumeFetchPartitionMaxBytes,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            },
          ],
          maxWaitTime: DEFAULTS.consumeFetchMaxWaitMs,
          minBytes: 1,
          maxBytes: DEFAULTS.consumeFetchMaxBytes,
        });
        for (const each of response.responses) {
          for (const part of each.partitions) {
            const batch = batches.get(part.partitionIndex);
            if (!batch) continue;
            highWatermarks.set(part.partitionIndex, part.highWatermark);
            for (const recordBatch of part.records ?? []) {
              for (const record of recordBatch.records) {
                if (!record.value) continue;
                batch.take(recordBatch.firstOffset + BigInt(record.offsetDelta), targetOf(record.headers), record.value, now);
              }
            }
          }
        }
      }),
    );
  }

  /** Records the range as pending, inserts it with its token, commits past it. False when fenced. */
  async function flush(batch: PartitionBatch): Promise<boolean> {
    const range = batch.range();
    if (!range) return true;
    const replayed = batch.pending !== undefined;
    if (!replayed) {
      const marked = await offsets.commit(batch.partition, range.first, encodePending(range), generation, member);
      if (!marked.ok) return fenced(marked.fenced, marked.error, 'record the pending batch');
      batch.freeze(range);
    }
    const started = performance.now();
    const token = batchToken(topic, batch.partition, range);
    const lines = batch.lines();
    for (let attempt = 0; ; attempt++) {
      if (stop.signal.aborted) return false;
      try {
        await options.insert({ token, first: Number(range.first), last: Number(range.last), ...lines }, stop.signal);
        break;
      } catch (error) {
        if (stop.signal.aborted) return false;
        observer.onRetry?.(error);
        const delay = retryDelay(attempt, DEFAULTS.insertRetry, Math.random);
        logger.warn({ err: error, token, attempt: attempt + 1, retryInMs: delay }, `insert of ${token} failed (${(error as Error).message}); retrying with the same dedup token`);
        await sleep(delay);
        if (consumer.generationId !== generation) return fenced(true, error, 'insert');
      }
    }
    const done = await commitDone(batch.partition, range);
    if (!done) return false;
    batch.reset(range.last + 1n);
    committed.set(batch.partition, range.last + 1n);
    stats.batches++;
    stats.rows += lines.eventRows + lines.quarantineRows;
    if (replayed) stats.replayed++;
    observer.onBatch?.({ partition: batch.partition, rows: lines.eventRows + lines.quarantineRows, ms: performance.now() - started, replayed });
    return true;
  }

  async function commitDone(partition: number, range: OffsetRange): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const result = await offsets.commit(partition, range.last + 1n, '', generation, member);
      if (result.ok) return true;
      if (result.fenced || stop.signal.aborted || attempt >= 5) return fenced(result.fenced, result.error, 'commit the batch');
      await sleep(200 * (attempt + 1));
    }
  }

  function fenced(isFenced: boolean, error: unknown, what: string): false {
    generation = -1;
    if (isFenced) {
      stats.rebalances++;
      observer.onRebalance?.();
      logger.info({ codes: codes(error) }, `the group rebalanced before this consumer could ${what}; the partition's next owner re-sends it with the same token`);
    } else {
      logger.warn({ err: error }, `could not ${what} (${describeKafkaError(error)}); re-reading the assignment`);
    }
    return false;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      try {
        if (assignmentChanged()) await assign();
        if (batches.size === 0) {
          await sleep(200);
          continue;
        }
        await fetchOnce();
        const now = Date.now();
        for (const batch of batches.values()) {
          const caughtUp = batch.next >= (highWatermarks.get(batch.partition) ?? 0n);
          if (!batch.due(limits, now, caughtUp)) continue;
          if (!(await flush(batch))) break;
        }
        failures = 0;
      } catch (error) {
        failures++;
        generation = -1;
        consumer.clearMetadata();
        const delay = retryDelay(failures - 1, DEFAULTS.consumeRetry, Math.random);
        logger.warn({ err: error, retryInMs: delay }, `consuming from ${where} failed: ${describeKafkaError(error)}; retrying`);
        await sleep(delay);
      }
    }
    // Graceful stop: what was read is inserted and committed, so the next owner starts after it.
    if (generation === consumer.generationId && !stop.signal.aborted) {
      for (const batch of batches.values()) {
        if (batch.rows > 0 && !(await flush(batch).catch(() => false))) break;
      }
    }
  }

  const done = run();

  return {
    done,
    lag() {
      return [...committed].map(([partition, offset]) => {
        const highWatermark = highWatermarks.get(partition) ?? offset;
        return { partition, highWatermark, committed: offset, lag: highWatermark > offset ? highWatermark - offset : 0n };
      });
    },
    stats: () => ({ ...stats, assigned: [...batches.keys()] }),
    async close(deadlineMs = DEFAULTS.shutdownDeadlineMs) {
      stopping = true;
      const timer = setTimeout(() => stop.abort(), deadlineMs);
      try {
        await done;
      } finally {
        clearTimeout(timer);
        stop.abort();
        await offsets.close();
        await closeQuietly(consumer, true);
      }
    },
  };
}
