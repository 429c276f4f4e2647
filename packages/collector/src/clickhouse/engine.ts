import type { ClickHouseClient } from '@clickhouse/client';
import { createClient } from '@clickhouse/client';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import { openEmbedded } from './engine-embedded';

export interface ServerOptions {
  url: string;
  username?: string;
  password?: string;
  /** Database Sluice's tables live in; `sluice` by default. */
  database?: string;
}

export type EngineOptions =
  | { clickhouse: ClickHouseClient | ServerOptions; database?: string }
  | { embedded: { path: string }; database?: string };

export interface Engine {
  client: ClickHouseClient;
  database: string;
  kind: 'embedded' | 'server';
  /** Closes the client; for a client passed in by the caller, leaves it open. */
  close(): Promise<void>;
}

/**
 * Connects to ClickHouse: a server (a client instance, or a URL) or chDB embedded in this process.
 * Checks that it answers, so a wrong URL or a locked data directory fails here with a clear error.
 * The client is created without a default database, because `migrate` has to create it first.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  if ('embedded' in options) {
    const client = await openEmbedded(options.embedded.path);
    return engine(client, options.database ?? DEFAULTS.database, 'embedded', true);
  }
  const given = options.clickhouse;
  if (isClient(given)) {
    await checkReachable(given, 'the ClickHouse server');
    return engine(given, options.database ?? DEFAULTS.database, 'server', false);
  }
  const where = redact(given.url);
  const client = createClient({
    url: given.url,
    username: given.username,
    password: given.password,
    request_timeout: DEFAULTS.insertTimeoutMs,
  });
  try {
    await checkReachable(client, where);
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
  return engine(client, options.database ?? given.database ?? DEFAULTS.database, 'server', true);
}

function engine(client: ClickHouseClient, database: string, kind: Engine['kind'], owned: boolean): Engine {
  let closed = false;
  return {
    client,
    database,
    kind,
    async close() {
      if (closed || !owned) return;
      closed = true;
      await client.close();
    },
  };
}

function isClient(value: ClickHouseClient | ServerOptions): value is ClickHouseClient {
  return typeof (value as ClickHouseClient).exec === 'function';
}

async function checkReachable(client: ClickHouseClient, where: string): Promise<void> {
  const ping = await client.ping();
  if (ping.success) return;
  const reason = ping.error instanceof Error ? ping.error.message.split('\n')[0] : String(ping.error);
  throw new CollectorError(
    'unavailable',
    `cannot reach ClickHouse at ${where} (${reason}): check the URL and credentials, and that ClickHouse is running`,
    { cause: ping.error },
  );
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    throw new CollectorError('config', `"${url}" is not a URL: pass --clickhouse http://host:8123`);
  }
}
