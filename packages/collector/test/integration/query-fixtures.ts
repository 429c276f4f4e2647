import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Engine } from '../../src/clickhouse/index';
import { createEngine, migrate } from '../../src/clickhouse/index';
import { insertStatement } from '../../src/clickhouse/insert-rows';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * Monday 00:00 UTC two to three weeks ago: recent enough for the events TTL, whole weeks back so
 * that weekly cohorts start on it.
 */
export const BASE = (() => {
  const day = Math.floor(Date.now() / DAY) * DAY - 14 * DAY;
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  return day - weekday * DAY;
})();

/** `BASE` + `n` days + `h` hours (fractions allowed). */
export function at(n: number, h = 0): number {
  return BASE + n * DAY + h * HOUR;
}

export interface Ev {
  id: string;
  event: string;
  user: string;
  t: number;
  project?: string;
  type?: string;
  utm?: string;
  path?: string;
  session?: string;
  props?: Record<string, unknown>;
  /** A client retry is received later than the original. */
  receivedLater?: number;
}

const chTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

export function row(e: Ev): Record<string, unknown> {
  const received = e.t + 1_000 + (e.receivedLater ?? 0);
  return {
    project: e.project ?? 'web',
    message_id: e.id,
    type: e.type ?? 'track',
    event: e.event,
    user_id: e.user,
    anonymous_id: `anon-${e.user}`,
    distinct_id: e.user,
    session_id: e.session ?? `${e.user}-s1`,
    timestamp: chTime(e.t),
    original_timestamp: chTime(e.t),
    sent_at: chTime(received - 500),
    received_at: chTime(received),
    properties: e.props ?? {},
    traits: {},
    context: {},
    page_url: e.path ? `https://example.com${e.path}` : '',
    page_path: e.path ?? '',
    referrer: '',
    utm_source: e.utm ?? '',
    utm_medium: '',
    utm_campaign: '',
    locale: 'en-US',
    library_name: 'test',
    library_version: '0',
  };
}

/**
 * One INSERT per call, as one writer batch would be. With a `token`, the insert carries the writer's
 * dedup settings, so the same call again is a re-sent batch.
 */
export async function insert(client: ClickHouseClient, events: readonly Ev[], database = 'sluice', token?: string): Promise<void> {
  if (events.length === 0) return;
  await client.exec({
    query: token === undefined ? `INSERT INTO ${database}.events FORMAT JSONEachRow` : insertStatement(`${database}.events`, token),
    values: Readable.from([events.map((e) => JSON.stringify(row(e))).join('\n')]),
  });
}

/** A migrated chdb in a fresh directory, with merges stopped so that duplicate rows stay visible. */
export async function openMigrated(prefix: string): Promise<{ engine: Engine; client: ClickHouseClient; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${prefix}-`));
  const engine = await createEngine({ embedded: { path: dir } });
  await migrate(engine.client);
  await engine.client.command({ query: 'SYSTEM STOP MERGES sluice.events' });
  return {
    engine,
    client: engine.client,
    dir,
    async close() {
      await engine.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function count(client: ClickHouseClient, query: string, params?: Record<string, unknown>): Promise<number> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  const rows = await result.json<{ n: string | number }>();
  return Number(rows[0]?.n ?? 0);
}

/**
 * Each event again as a separate batch with a later receipt: what a client retry stores when it
 * escapes the collector's messageId window (restart, another instance, eviction). `events` holds it
 * twice until a merge; the rollups' counts take it once more.
 */
export function retried(events: readonly Ev[]): Ev[] {
  return events.map((e) => ({ ...e, receivedLater: 30_000 }));
}
