import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClient } from '@clickhouse/client';
import { CollectorError } from '../errors';

type ChdbConnectionModule = typeof import('chdb/connection');

/** The part of chdb's connection extension the write path uses: a Buffer handed to chDB without a copy. */
export interface ChdbRawInsert {
  rawInsert(params: {
    table: string;
    columns?: readonly string[] | undefined;
    values: Buffer;
    format: 'JSONEachRow' | 'JSONCompactEachRow';
    settings: Record<string, string | number>;
    signal?: AbortSignal;
  }): Promise<unknown>;
}

const rawInserts = new WeakMap<ClickHouseClient, ChdbRawInsert>();

/**
 * chdb's zero-copy insert for a client that `openEmbedded` made, else undefined. Through
 * `client.exec`, chdb turns the NDJSON Buffer into a string, appends it to the statement and encodes
 * it again; `rawInsert` passes the bytes as they are.
 */
export function embeddedRawInsert(client: ClickHouseClient): ChdbRawInsert | undefined {
  return rawInserts.get(client);
}

/**
 * Opens chDB on `path` behind `@clickhouse/client`, so the embedded engine and a server share one
 * code path. chdb is an optional peer dependency and is loaded only here.
 */
export async function openEmbedded(path: string): Promise<ClickHouseClient> {
  const dir = resolve(path);
  const chdb = await loadChdb();
  await mkdir(dir, { recursive: true });
  let connection: ReturnType<ChdbConnectionModule['createChdbConnection']>;
  try {
    connection = chdb.createChdbConnection({ path: dir });
  } catch (error) {
    throw embeddedError(dir, error);
  }
  const client = createClient({ connection } as unknown as Parameters<typeof createClient>[0]);
  const extension = (connection as unknown as { chdb?: Partial<ChdbRawInsert> }).chdb;
  if (typeof extension?.rawInsert === 'function') rawInserts.set(client, extension as ChdbRawInsert);
  // Opening is lazy in places: the first query is where a locked directory shows.
  const ping = await client.ping();
  if (!ping.success) {
    await client.close().catch(() => {});
    throw embeddedError(dir, ping.error);
  }
  return client;
}

async function loadChdb(): Promise<ChdbConnectionModule> {
  try {
    const mod = (await import('chdb/connection')) as ChdbConnectionModule & { default?: ChdbConnectionModule };
    return typeof mod.createChdbConnection === 'function' ? mod : (mod.default as ChdbConnectionModule);
  } catch (error) {
    throw new CollectorError(
      'config',
      'the embedded engine needs chdb: run npm i chdb (or pass --clickhouse URL to use a ClickHouse server)',
      { cause: error },
    );
  }
}

/** One line that says what to do, for the ways opening a data directory fails. */
export function embeddedError(dir: string, error: unknown): CollectorError {
  const message = error instanceof Error ? error.message : String(error);
  if (!writable(dir)) {
    return new CollectorError('config', `the data directory ${dir} is not writable: fix its permissions or pass another --embedded DIR`, {
      cause: error,
    });
  }
  // chdb prints "Cannot lock file …/status" to stderr but throws only "Failed to create connection";
  // an existing status file means a ClickHouse has used the directory, so a lock is the likely cause.
  if (/cannot lock file/i.test(message) || (/failed to create connection/i.test(message) && existsSync(join(dir, 'status')))) {
    return new CollectorError(
      'config',
      `the data directory ${dir} is in use by another process: stop that process or pass another --embedded DIR`,
      { cause: error },
    );
  }
  if (/one active data directory per process/i.test(message)) {
    return new CollectorError(
      'config',
      `this process already has chdb open on another data directory and chdb allows one per process: close that engine first or reuse its directory (${dir} was requested)`,
      { cause: error },
    );
  }
  return new CollectorError('engine', `cannot open the embedded engine at ${dir}: ${message.split('\n')[0]}`, { cause: error });
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
