import { CollectorError } from '../errors';

/** The parts of `@platformatic/kafka` Sluice uses; loaded on demand, since it is an optional peer. */
export type KafkaModule = typeof import('@platformatic/kafka');

let loaded: Promise<KafkaModule> | undefined;

/**
 * Imports `@platformatic/kafka` the first time Kafka is used. It is pure JavaScript (no native
 * build, nothing downloaded at install), maintained, and speaks the protocol versions of Kafka
 * 3.5–4.1; the collector lists it as an optional peer so installs without Kafka stay small.
 */
export function loadKafka(): Promise<KafkaModule> {
  loaded ??= import('@platformatic/kafka').catch((error: unknown) => {
    loaded = undefined;
    throw new CollectorError('config', 'Kafka support needs the @platformatic/kafka package: npm install @platformatic/kafka@^1.35', { cause: error });
  });
  return loaded;
}

/** One line out of a client error (its `errors` carry the broker's codes). */
export function describeKafkaError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = (error as Error & { errors?: unknown[] }).errors;
  const causes = Array.isArray(inner) ? inner.map((each) => (each instanceof Error ? ((each as Error & { apiId?: string }).apiId ?? each.message) : String(each))) : [];
  return causes.length > 0 ? `${error.message} (${[...new Set(causes)].join(', ')})` : error.message;
}

/** Closes a producer or consumer and never rejects (a client that cannot reach the brokers still closes its sockets). */
export function closeQuietly(client: { close(force: boolean, callback: (error?: Error | null) => void): void }, force: boolean): Promise<void> {
  return new Promise((resolve) => {
    try {
      client.close(force, () => resolve());
    } catch {
      resolve();
    }
  });
}
