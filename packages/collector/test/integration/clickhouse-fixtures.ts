import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import type { EventRow, QuarantineRow } from '../../src/rows';

/** A fresh data directory per test file: chdb binds one directory per process. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `sluice-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function rows<T>(client: ClickHouseClient, query: string, params?: Record<string, unknown>): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow', query_params: params });
  return result.json<T>();
}

/** 10:30:00.123 UTC three days ago: recent, because the events TTL drops expired rows at insert time. */
const BASE = (Math.floor(Date.now() / 86_400_000) - 3) * 86_400_000 + 37_800_123;

/** One event row as the HTTP core hands it over; `overrides` win. */
export function eventRow(overrides: Partial<EventRow> = {}): EventRow {
  const type = overrides.type ?? 'track';
  return {
    project: 'demo',
    message_id: `msg-${Math.random().toString(36).slice(2)}`,
    type,
    event: type === 'track' ? 'Signed Up' : '',
    user_id: 'user-1',
    anonymous_id: 'anon-1',
    distinct_id: 'user-1',
    session_id: 'sess-1',
    group_id: '',
    previous_id: '',
    timestamp: BASE,
    original_timestamp: BASE - 5_000,
    sent_at: BASE + 1_000,
    received_at: BASE + 2_000,
    properties: {},
    traits: {},
    context: { library: { name: 'sluice-node', version: '0.1.0' }, page: { path: '/pricing' } },
    page_url: 'https://example.com/pricing?x=1',
    page_path: '/pricing',
    referrer: 'https://google.com/',
    utm_source: 'google',
    utm_medium: 'cpc',
    utm_campaign: 'spring',
    locale: 'en-US',
    library_name: 'sluice-node',
    library_version: '0.1.0',
    ...overrides,
  };
}

export function quarantineRow(overrides: Partial<QuarantineRow> = {}): QuarantineRow {
  return {
    project: 'demo',
    received_at: BASE,
    message_id: 'bad-1',
    reason: 'event is required for a track call',
    path: 'event',
    raw: '{"type":"track"}',
    ...overrides,
  };
}

export const BASE_TIME = BASE;
