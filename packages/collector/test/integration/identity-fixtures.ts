import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { personGroups, personsPrelude } from '../../src/query/persons';
import { createParams } from '../../src/query/sql';

/** One event as a client sends it, reduced to what identity and the queries read. */
export interface IdEvent {
  id: string;
  t: number;
  type?: 'track' | 'identify' | 'alias' | 'page';
  /** The track or page name; empty for identify and alias. */
  event?: string;
  userId?: string;
  anonymousId?: string;
  previousId?: string;
}

const chTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

export function idRow(e: IdEvent, project: string): Record<string, unknown> {
  const userId = e.userId ?? '';
  const anonymousId = e.anonymousId ?? '';
  return {
    project,
    message_id: e.id,
    type: e.type ?? 'track',
    event: e.event ?? '',
    user_id: userId,
    anonymous_id: anonymousId,
    distinct_id: userId || anonymousId,
    session_id: '',
    previous_id: e.previousId ?? '',
    timestamp: chTime(e.t),
    original_timestamp: chTime(e.t),
    sent_at: chTime(e.t),
    received_at: chTime(e.t),
    properties: {},
    traits: {},
    context: {},
  };
}

/** One INSERT, as one writer batch would be; the materialized views see it as it lands. */
export async function insertIds(client: ClickHouseClient, project: string, events: readonly IdEvent[]): Promise<void> {
  if (events.length === 0) return;
  await client.exec({
    query: 'INSERT INTO sluice.events FORMAT JSONEachRow',
    values: Readable.from([events.map((e) => JSON.stringify(idRow(e, project))).join('\n')]),
  });
}

/** messageId → the person ClickHouse resolves that event to, through the product's own SQL. */
export async function personsOf(client: ClickHouseClient, project: string): Promise<Record<string, string>> {
  const p = createParams({ database: 'sluice', project });
  const query = `${personsPrelude(p)}SELECT message_id, toString(actor) AS actor FROM ${personGroups(p, [{ name: 'message_id', expr: 'message_id' }], p.projectFilter() + '1')}`;
  const result = await client.query({ query, query_params: p.values, format: 'JSONEachRow' });
  const rows = await result.json<{ message_id: string; actor: string }>();
  // A person is counted by the 64-bit key of its id (persons.ts): name it by the id with that key.
  const ids = await client.query({
    query: `SELECT DISTINCT arrayJoin([user_id, anonymous_id, previous_id]) AS id, toString(cityHash64(id)) AS key
      FROM sluice.events WHERE project = {project:String} AND id != ''`,
    query_params: { project },
    format: 'JSONEachRow',
  });
  const names = new Map((await ids.json<{ id: string; key: string }>()).map((r) => [r.key, r.id]));
  return Object.fromEntries(rows.map((r) => [r.message_id, names.get(r.actor) ?? `unknown key ${r.actor}`]));
}
