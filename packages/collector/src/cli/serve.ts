import { createServer, type Server } from 'node:http';
import { createCollector, type Collector } from '../collector';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import { createKafkaSink } from '../kafka/kafka-sink';
import { createRequestListener } from '../node';
import type { CliConfig } from './config';
import type { CommandIo } from './listen';
import { listen } from './listen';

export type ServeIo = CommandIo;

/** `sluice serve`: start the engine (failing fast), listen, print the URL, drain on SIGTERM/SIGINT. */
export async function serve(config: CliConfig, io: ServeIo): Promise<void> {
  if (Object.keys(config.writeKeys).length === 0) {
    throw new CollectorError('config', 'no write keys: pass --write-key KEY=PROJECT (or set SLUICE_WRITE_KEYS) so clients can send events');
  }
  // With --kafka the brokers are the durable log: no local log, no ClickHouse (sluice consume writes it).
  const sink = config.kafka ? await createKafkaSink({ brokers: config.kafka.brokers, topic: config.kafka.topic, logger: io.logger }) : undefined;
  const collector = createCollector({
    writeKeys: config.writeKeys,
    sink,
    engine: config.engine,
    ack: config.ack,
    wal: { dir: config.wal.dir, keepRawMs: config.wal.keepRawMs, maxUnsentAgeMs: config.wal.maxUnsentAgeMs },
    rateLimit: config.rateLimit > 0 ? { eventsPerSecond: config.rateLimit } : undefined,
    cors: config.cors,
    ipPolicy: config.ipPolicy,
    trustProxy: config.trustProxy,
    basePath: config.basePath,
    readKeys: config.readKeys,
    dashboard: Object.keys(config.readKeys).length > 0 ? {} : undefined,
    logger: io.logger,
  });
  let server: Server | undefined;
  let url: string;
  try {
    const { migrations, wal } = await collector.ready();
    if (migrations.applied.length > 0) io.out(`applied migrations: ${migrations.applied.join(', ')}`);
    for (const repair of wal?.repairs ?? []) io.out(`write-ahead log ${wal?.dir}: ${repair}`);
    ({ server, url } = await listen(createServer(createRequestListener(collector)), config));
  } catch (error) {
    await collector.close(DEFAULTS.shutdownDeadlineMs).catch(() => {});
    throw error;
  }
  const where = config.kafka
    ? `Kafka topic ${config.kafka.topic} at ${config.kafka.brokers.join(',')}, ack once the brokers have the events (acks=all)`
    : `${config.where}, ack ${config.ack}${config.ack === 'wal' ? ` to ${config.wal.dir}` : ''}`;
  io.out(`sluice collector listening on ${url} (${where}, ${Object.keys(config.writeKeys).length} write key(s))`);
  if (Object.keys(config.readKeys).length > 0) {
    io.out(`dashboard at ${url}${config.basePath}/dashboard (log in with a read key); GraphQL at ${url}${config.basePath}/graphql (Authorization: Bearer <read key>)`);
  }
  io.listening?.();
  onSignals(server, collector, io);
}

function onSignals(server: Server, collector: Collector, io: ServeIo): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.out(`${signal} again: exiting without waiting for the drain`);
      io.exit(1);
      return;
    }
    stopping = true;
    io.out(`${signal}: draining buffered events into ClickHouse (up to ${DEFAULTS.shutdownDeadlineMs / 1000} s)…`);
    server.close();
    server.closeIdleConnections();
    const force = setTimeout(() => {
      io.out('the drain passed its deadline; exiting');
      io.exit(1);
    }, DEFAULTS.shutdownDeadlineMs + 5_000);
    force.unref();
    collector.close(DEFAULTS.shutdownDeadlineMs).then(
      () => {
        server.closeAllConnections();
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
