import { createServer, type Server } from 'node:http';
import { createEngine, migrate } from '../clickhouse';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import { createConsumerMetrics } from '../kafka/consumer-metrics';
import { startKafkaConsumer, type KafkaConsumer } from '../kafka/kafka-consumer';
import { createInsertChain } from '../clickhouse/insert-chain';
import type { CliConfig } from './config';
import type { CommandIo } from './listen';
import { listen } from './listen';

export type ConsumeIo = CommandIo;

/**
 * `sluice consume --kafka BROKERS --topic TOPIC --group GROUP`: connects and migrates ClickHouse,
 * joins the group, serves `/metrics` (lag included), `/health` and `/ready` on `--port`, and on
 * SIGTERM/SIGINT inserts what it read, commits and leaves the group.
 */
export async function consume(config: CliConfig, io: ConsumeIo): Promise<void> {
  const kafka = config.kafka;
  if (!kafka) throw new CollectorError('config', 'sluice consume needs --kafka BROKERS --topic TOPIC --group GROUP');
  if (!kafka.group) throw new CollectorError('config', 'sluice consume needs --group GROUP: consumers with the same group share the partitions');
  const engine = await createEngine(config.engine);
  let consumer: KafkaConsumer | undefined;
  let server: Server | undefined;
  let url: string;
  const metrics = createConsumerMetrics(kafka.topic);
  try {
    const migrations = await migrate(engine.client, { database: engine.database, logger: io.logger });
    if (migrations.applied.length > 0) io.out(`applied migrations: ${migrations.applied.join(', ')}`);
    const insert = createInsertChain({ client: engine.client, database: engine.database, logger: io.logger, onPoisoned: metrics.observer.onQuarantine });
    consumer = await startKafkaConsumer({
      brokers: kafka.brokers,
      topic: kafka.topic,
      group: kafka.group,
      insert: (batch, signal) => insert(batch, signal),
      logger: io.logger,
      observer: metrics.observer,
    });
    metrics.watch(consumer);
    const running = consumer;
    ({ server, url } = await listen(
      createServer((request, response) => {
        const path = (request.url ?? '/').split('?')[0];
        if (path === '/metrics') {
          metrics.text().then(
            (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
            (error: unknown) => response.writeHead(500).end(String(error)),
          );
        } else if (path === '/health' || path === '/ready') {
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, partitions: running.stats().assigned }));
        } else {
          response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, code: 'not_found', message: 'sluice consume serves /metrics, /health and /ready' }));
        }
      }),
      config,
    ));
  } catch (error) {
    await consumer?.close(DEFAULTS.shutdownDeadlineMs).catch(() => {});
    await engine.close().catch(() => {});
    throw error;
  }
  io.out(`sluice consumer group ${kafka.group} reading ${kafka.topic} from ${kafka.brokers.join(',')} into ${config.where}; metrics on ${url}/metrics`);
  io.listening?.();

  let stopping = false;
  const running = consumer;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.exit(1);
      return;
    }
    stopping = true;
    io.out(`${signal}: inserting what was read, committing and leaving the group…`);
    server?.close();
    running
      .close(DEFAULTS.shutdownDeadlineMs)
      .then(() => engine.close())
      .then(
        () => {
          io.out('stopped');
          io.exit(0);
        },
        (error: unknown) => {
          io.logger.error({ err: error }, `shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          io.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
