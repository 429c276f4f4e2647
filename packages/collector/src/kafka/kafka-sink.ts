import type { Producer } from '@platformatic/kafka';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { RowBatch } from '../rows';
import type { Sink } from '../sink';
import { closeQuietly, describeKafkaError, loadKafka } from './client-module';
import { toRecords, type OutgoingRecord } from './messages';

export interface KafkaSinkOptions {
  /** Bootstrap brokers, `host:port` each. */
  brokers: string[];
  /** The topic events go to; it must exist (create it with the partitions and replication you want). */
  topic: string;
  clientId?: string;
  /** Longest a request waits for acks=all before 503 (`DEFAULTS.kafkaAckTimeoutMs`). */
  ackTimeoutMs?: number;
  /** Bytes waiting for the producer before `write` answers overloaded (`DEFAULTS.kafkaMaxQueuedBytes`). */
  maxQueuedBytes?: number;
  /** Bytes per produce call (`DEFAULTS.kafkaMaxSendBytes`). */
  maxSendBytes?: number;
  logger?: Logger;
}

export interface KafkaSinkStats {
  /** Rows the brokers acknowledged. */
  ackedRows: number;
  /** Produce calls that failed or timed out (their requests got 503). */
  failedSends: number;
  /** Bytes waiting for the producer now. */
  queuedBytes: number;
}

export interface KafkaSink extends Sink {
  stats(): KafkaSinkStats;
}

interface Waiting {
  records: OutgoingRecord[];
  rows: number;
  bytes: number;
  settled: boolean;
  resolve(): void;
  reject(error: CollectorError): void;
  timer: ReturnType<typeof setTimeout>;
}


/**
 * The sink of `sluice serve --kafka`: `write` resolves only once the brokers acknowledged every
 * row of the request with acks=all from an idempotent producer, so a 200 means the events are on
 * the in-sync replicas. Requests that arrive while a produce call is in flight share the next one
 * (group commit); one call is in flight at a time, which the idempotent producer's per-partition
 * sequence numbers need.
 *
 * Failure never acknowledges: unreachable or slow brokers make the request wait at most
 * `ackTimeoutMs`, then it gets 503 with Retry-After. After a failed call the producer is replaced
 * (a new producer id), so a sequence number is never reused for other events: a broker that had
 * in fact written a timed-out call would otherwise take the next call's events for a duplicate
 * and drop them while acknowledging.
 *
 * Connects and checks the topic before resolving; rejects with a message that says what to fix.
 */
export async function createKafkaSink(options: KafkaSinkOptions): Promise<KafkaSink> {
  const kafka = await loadKafka();
  const logger = options.logger ?? silentLogger;
  const ackTimeoutMs = options.ackTimeoutMs ?? DEFAULTS.kafkaAckTimeoutMs;
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULTS.kafkaMaxQueuedBytes;
  const maxSendBytes = options.maxSendBytes ?? DEFAULTS.kafkaMaxSendBytes;
  const retryAfterSeconds = DEFAULTS.kafkaRetryAfterSeconds;
  const where = `Kafka at ${options.brokers.join(',')}`;

  const newProducer = (): Producer =>
    new kafka.Producer({
      clientId: options.clientId ?? DEFAULTS.kafkaClientId,
      bootstrapBrokers: options.brokers,
      idempotent: true,
      acks: kafka.ProduceAcks.ALL,
      autocreateTopics: false,
      timeout: Math.max(1_000, Math.floor(ackTimeoutMs / 2)),
      retries: 2,
      retryDelay: 250,
    });

  let producer = newProducer();
  try {
    const metadata = await withTimeout(producer.metadata({ topics: [options.topic] }), ackTimeoutMs, `${where} did not answer within ${ackTimeoutMs} ms`);
    if (!metadata.topics.has(options.topic)) throw new Error(`no topic "${options.topic}"`);
  } catch (error) {
    await closeQuietly(producer, true);
    throw new CollectorError(
      'unavailable',
      `cannot use topic "${options.topic}" on ${where}: ${describeKafkaError(error)}; check --kafka and that the topic exists (create it with the partitions and replication factor you want)`,
      { cause: error },
    );
  }

  const queue: Waiting[] = [];
  let queuedBytes = 0;
  let sending = false;
  let closing = false;
  /** When the last produce call failed; `ready()` turns true again after Retry-After, so a balancer sends traffic that can prove recovery. */
  let failedAt: number | undefined;
  const stats = { ackedRows: 0, failedSends: 0 };
  const idle = new Set<() => void>();

  function settle(entry: Waiting, error?: CollectorError): void {
    if (entry.settled) return;
    entry.settled = true;
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve();
  }

  function unqueue(entry: Waiting): void {
    const at = queue.indexOf(entry);
    if (at >= 0) {
      queue.splice(at, 1);
      queuedBytes -= entry.bytes;
    }
  }

  function pump(): void {
    if (sending) return;
    if (queue.length === 0) {
      for (const wake of [...idle]) wake();
      return;
    }
    const batch: Waiting[] = [];
    let bytes = 0;
    while (queue.length > 0 && (batch.length === 0 || bytes + (queue[0] as Waiting).bytes <= maxSendBytes)) {
      const entry = queue.shift() as Waiting;
      queuedBytes -= entry.bytes;
      bytes += entry.bytes;
      batch.push(entry);
    }
    sending = true;
    const messages = batch.flatMap((entry) => entry.records.map((record) => ({ topic: options.topic, key: record.key, value: record.value, headers: record.headers })));
    producer.send({ messages }).then(
      () => {
        failedAt = undefined;
        for (const entry of batch) {
          stats.ackedRows += entry.rows;
          settle(entry);
        }
      },
      (error: unknown) => {
        failedAt = Date.now();
        stats.failedSends++;
        logger.warn({ err: error, records: messages.length }, `${where} did not acknowledge ${messages.length} records: ${describeKafkaError(error)}; their requests got 503 and the producer is replaced`);
        for (const entry of batch) settle(entry, unavailable(`${where} did not acknowledge the events (${describeKafkaError(error)}); retry`));
        const broken = producer;
        producer = newProducer();
        void closeQuietly(broken, true);
      },
    ).finally(() => {
      sending = false;
      pump();
    });
  }

  function unavailable(message: string): CollectorError {
    return new CollectorError('unavailable', message, { retryAfterSeconds });
  }

  return {
    write(rows: RowBatch): Promise<void> {
      if (closing) return Promise.reject(unavailable('the collector is shutting down; retry against another instance or after it restarts'));
      const records = toRecords(rows);
      if (records.length === 0) return Promise.resolve();
      let bytes = 0;
      let rowCount = 0;
      for (const record of records) {
        bytes += record.key.length + record.value.length + 32;
        rowCount += record.rows;
      }
      if (queuedBytes + bytes > maxQueuedBytes) {
        return Promise.reject(new CollectorError('overloaded', `${where} is behind: ${queuedBytes} bytes are waiting for the brokers; retry after the Retry-After delay`, { retryAfterSeconds }));
      }
      return new Promise<void>((resolve, reject) => {
        const entry: Waiting = {
          records,
          rows: rowCount,
          bytes,
          settled: false,
          resolve,
          reject,
          timer: setTimeout(() => {
            unqueue(entry);
            settle(entry, unavailable(`${where} did not acknowledge the events within ${ackTimeoutMs} ms; retry`));
          }, ackTimeoutMs),
        };
        queue.push(entry);
        queuedBytes += bytes;
        pump();
      });
    },

    async ready() {
      const recovering = failedAt !== undefined && Date.now() - failedAt < retryAfterSeconds * 1000;
      return !closing && !recovering && queuedBytes < maxQueuedBytes * 0.9;
    },

    stats: () => ({ ...stats, queuedBytes }),

    async close(deadlineMs = DEFAULTS.shutdownDeadlineMs) {
      closing = true;
      if (sending || queue.length > 0) {
        await withTimeout(new Promise<void>((resolve) => idle.add(resolve)), deadlineMs, '').catch(() => {});
      }
      for (const entry of [...queue]) {
        unqueue(entry);
        settle(entry, unavailable('the collector shut down before the brokers acknowledged the events; retry'));
      }
      await closeQuietly(producer, true);
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
