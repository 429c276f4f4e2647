import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTaxonomy } from '@sluice/schema';
import type { Engine } from '../../src/clickhouse/index';
import { createClickHouseSink, createEngine, createInsertChain, migrate, rowsToBatch } from '../../src/clickhouse/index';
import { embeddedRawInsert } from '../../src/clickhouse/engine-embedded';
import { createInsertRows } from '../../src/clickhouse/insert-rows';
import { CollectorError } from '../../src/errors';
import type { EventRow } from '../../src/rows';
import { BASE_TIME, eventRow, quarantineRow, rows, tempDir } from './clickhouse-fixtures';

const dir = tempDir('writer');
let engine: Engine;
const taxonomy = defineTaxonomy({ events: { 'Order Completed': z.object({ total: z.number(), plan: z.enum(['free', 'pro']) }) } });

beforeAll(async () => {
  engine = await createEngine({ embedded: { path: dir.path } });
  await migrate(engine.client, { taxonomy });
});

afterAll(async () => {
  await engine.close();
  dir.remove();
});

/** Every test writes under its own project, so counts never mix. */
async function count(project: string, expr = 'count()', table = 'sluice.events'): Promise<number> {
  const [row] = await rows<{ n: string | number }>(engine.client, `SELECT ${expr} AS n FROM ${table} WHERE project = {p:String}`, { p: project });
  return Number(row?.n);
}

/** A client that is not chdb's own, as for a server: inserts take the statement path (`client.exec`), which chDB runs here. */
const statementClient = () => new Proxy(engine.client, {}) as typeof engine.client;

function sink(overrides: Partial<Parameters<typeof createClickHouseSink>[0]> = {}) {
  return createClickHouseSink({ client: engine.client, batchMaxDelayMs: 20, ...overrides });
}

describe('ClickHouse sink on chdb', () => {
  it('lands every event type with the values the HTTP core handed over', async () => {
    const p = 'types';
    const input: EventRow[] = [
      eventRow({ project: p, message_id: 'm-track', type: 'track', event: 'Order Completed', properties: { total: 12.5, plan: 'pro', note: 'hi' } }),
      eventRow({ project: p, message_id: 'm-page', type: 'page', event: 'Pricing', properties: { title: 'Pricing' } }),
      eventRow({ project: p, message_id: 'm-screen', type: 'screen', event: 'Home' }),
      eventRow({ project: p, message_id: 'm-identify', type: 'identify', event: '', traits: { email: 'a@b.c', age: 41 } }),
      eventRow({ project: p, message_id: 'm-group', type: 'group', event: '', group_id: 'acme', traits: { name: 'Acme' } }),
      eventRow({ project: p, message_id: 'm-alias', type: 'alias', event: '', user_id: 'user-2', previous_id: 'anon-1', distinct_id: 'user-2' }),
    ];
    const writer = sink({ ack: 'clickhouse' });
    await writer.write({ events: input, quarantine: [] });
    await writer.close();
    const landed = await rows<Record<string, unknown>>(
      engine.client,
      `SELECT *, toUnixTimestamp64Milli(timestamp) AS ts_ms, toUnixTimestamp64Milli(original_timestamp) AS ots_ms,
        toUnixTimestamp64Milli(sent_at) AS sent_ms, toUnixTimestamp64Milli(received_at) AS recv_ms,
        toTypeName(properties.total) AS total_type
       FROM sluice.events WHERE project = {p:String} ORDER BY message_id`,
      { p },
    );
    expect(landed.map((r) => r.message_id)).toEqual(['m-alias', 'm-group', 'm-identify', 'm-page', 'm-screen', 'm-track']);
    for (const row of landed) {
      const sent = input.find((r) => r.message_id === row.message_id) as EventRow;
      for (const column of ['project', 'type', 'event', 'user_id', 'anonymous_id', 'distinct_id', 'session_id', 'group_id', 'previous_id',
        'page_url', 'page_path', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'locale', 'library_name', 'library_version'] as const) {
        expect([column, row[column]]).toEqual([column, sent[column]]);
      }
      expect([row.ts_ms, row.ots_ms, row.sent_ms, row.recv_ms].map(Number)).toEqual([sent.timestamp, sent.original_timestamp, sent.sent_at, sent.received_at]);
      expect(row.timestamp).toBe(new Date(BASE_TIME).toISOString().replace('T', ' ').slice(0, 23));
      expect(row.context).toMatchObject({ library: { name: 'sluice-node' }, page: { path: '/pricing' } });
    }
    const track = landed.find((r) => r.message_id === 'm-track');
    expect(track?.properties).toMatchObject({ total: 12.5, plan: 'pro', note: 'hi' });
    expect(track?.total_type).toBe('Float64');
    expect(landed.find((r) => r.message_id === 'm-identify')?.traits).toMatchObject({ email: 'a@b.c' });
  });

  it('keeps hourly and daily rollups equal to the raw counts', async () => {
    const p = 'rollups';
    const input = Array.from({ length: 300 }, (_, i) =>
      eventRow({
        project: p,
        message_id: `r-${i}`,
        event: i % 3 === 0 ? 'Signed Up' : 'Order Completed',
        distinct_id: `u-${i % 17}`,
        timestamp: BASE_TIME + (i % 5) * 3_600_000 + (i % 2) * 86_400_000,
        utm_source: i % 4 === 0 ? 'newsletter' : 'google',
      }),
    );
    const writer = sink({ batchMaxRows: 64 });
    await writer.write({ events: input, quarantine: [] });
    await writer.close();
    expect(writer.stats()).toMatchObject({ insertedRows: 300, insertedBatches: 5, bufferedRows: 0, failedRows: 0 });
    const raw = await rows<{ event: string; hour: string; n: string }>(engine.client,
      "SELECT event, toString(toStartOfHour(timestamp)) AS hour, count() AS n FROM sluice.events WHERE project = {p:String} GROUP BY event, hour ORDER BY event, hour", { p });
    const hourly = await rows<{ event: string; hour: string; n: string }>(engine.client,
      "SELECT event, toString(hour) AS hour, sum(events) AS n FROM sluice.events_hourly WHERE project = {p:String} GROUP BY event, hour ORDER BY event, hour", { p });
    expect(hourly.map((r) => [r.event, r.hour, Number(r.n)])).toEqual(raw.map((r) => [r.event, r.hour, Number(r.n)]));
    const daily = await rows<{ utm_source: string; n: string; users: string }>(engine.client,
      "SELECT utm_source, sum(events) AS n, uniqMerge(users) AS users FROM sluice.events_daily WHERE project = {p:String} GROUP BY utm_source ORDER BY utm_source", { p });
    expect(daily.map((r) => [r.utm_source, Number(r.n)])).toEqual([['google', 225], ['newsletter', 75]]);
    expect(await count(p, 'sum(events)', 'sluice.events_daily')).toBe(300);
  });

  it('stores a batch re-sent with the same token once, rollups included', async () => {
    const p = 'retried-batch';
    const insert = createInsertChain({ client: engine.client });
    const signal = new AbortController().signal;
    const events = Array.from({ length: 10 }, (_, i) => eventRow({ project: p, message_id: `b-${i}` }));
    const first = await insert(rowsToBatch('wal-7-0', { events, quarantine: [] }), signal);
    const again = await insert(rowsToBatch('wal-7-0', { events, quarantine: [] }), signal);
    expect(first).toEqual({ inserted: 10, quarantined: 0 });
    expect(again).toEqual({ inserted: 10, quarantined: 0 });
    expect(await count(p)).toBe(10);
    // The rollups count rows, and the MV block of the re-sent batch is deduplicated as well.
    expect(await count(p, 'sum(events)', 'sluice.events_hourly')).toBe(10);
    expect(await count(p, 'sum(events)', 'sluice.events_daily')).toBe(10);
    // A different token is a different batch: the raw table takes it again (the same messageIds,
    // so it collapses at merge); the rollups count it, as they would a client duplicate that
    // escaped the collector's messageId window (see the next tests).
    await insert(rowsToBatch('wal-7-1', { events, quarantine: [] }), signal);
    expect(await count(p)).toBe(20);
    // The token belongs to its statement: nothing sticks to the client's session (chDB applies
    // clickhouse_settings to it), so a later insert without a token is not taken for a duplicate.
    const [setting] = await rows<{ value: string }>(engine.client, "SELECT value FROM system.settings WHERE name = 'insert_deduplication_token'");
    expect(setting?.value).toBe('');
    expect(await count(p, 'sum(events)', 'sluice.events_hourly')).toBe(20);
  });

  it('retries a lost response with the same token, so the batch lands once', async () => {
    const p = 'flaky';
    let calls = 0;
    const retried: unknown[] = [];
    // The first attempt is refused; the second reaches ClickHouse but its answer is "lost".
    const flaky = new Proxy(engine.client, {
      get(target, key, receiver) {
        if (key !== 'exec') return Reflect.get(target, key, receiver);
        return async (params: Parameters<typeof target.exec>[0]) => {
          calls++;
          if (calls === 1) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
          const result = await target.exec(params);
          if (calls === 2) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
          return result;
        };
      },
    });
    const waits: number[] = [];
    const writer = sink({
      client: flaky,
      ack: 'clickhouse',
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
      observer: { onRetry: (error) => retried.push(error) },
    });
    await writer.write({ events: Array.from({ length: 5 }, (_, i) => eventRow({ project: p, message_id: `f-${i}` })), quarantine: [] });
    await writer.close();
    expect(calls).toBe(3);
    expect(waits).toEqual([100, 200]);
    expect(retried).toHaveLength(2);
    expect(writer.stats()).toMatchObject({ retries: 2, insertedRows: 5, failedRows: 0 });
    expect(await count(p)).toBe(5);
  });

  it('rejects a clickhouse-acked write when ClickHouse cannot take it', async () => {
    const broken = new Proxy(engine.client, {
      get: (target, key, receiver) =>
        key === 'exec' ? async () => Promise.reject(Object.assign(new Error('Code: 60. DB::Exception: Unknown table'), { code: '60' })) : Reflect.get(target, key, receiver),
    });
    const writer = sink({ client: broken, ack: 'clickhouse' });
    const error = await writer.write({ events: [eventRow({ project: 'broken' })], quarantine: [] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', status: 503 });
    expect(writer.stats()).toMatchObject({ failedRows: 1, bufferedRows: 0 });
    await writer.close();
  });

  it('collapses a messageId a client re-sends in another batch; the rollups count it once more', async () => {
    const p = 'resent-message';
    const writer = sink({ ack: 'clickhouse' });
    const event = eventRow({ project: p, message_id: 'node-next-42' });
    await writer.write({ events: [event, eventRow({ project: p, message_id: 'other' })], quarantine: [] });
    // The retry arrives later: new sentAt/receivedAt, same messageId.
    await writer.write({ events: [{ ...event, sent_at: event.sent_at + 30_000, received_at: event.received_at + 30_000 }], quarantine: [] });
    await writer.close();
    expect(await count(p, 'uniqExact(message_id)')).toBe(2);
    expect(await count(p, 'count()', 'sluice.events FINAL')).toBe(2);
    // The writer has no messageId window (the HTTP core's dedupe sits in front of it), so this is the
    // duplicate that escaped it: the rollups' plain counts take it once more (docs/storage.md), the
    // raw table collapses it.
    expect(await count(p, 'sum(events)', 'sluice.events_hourly')).toBe(3);
    expect(await count(p, 'sum(events)', 'sluice.events_daily')).toBe(3);
    await engine.client.command({ query: 'OPTIMIZE TABLE sluice.events FINAL' });
    expect(await count(p)).toBe(2);
  });

  it('isolates a poisoned row into events_quarantine and lands the rest', async () => {
    const p = 'poison';
    const writer = sink({ ack: 'clickhouse' });
    const good = Array.from({ length: 9 }, (_, i) => eventRow({ project: p, message_id: `g-${i}` }));
    const bad = eventRow({ project: p, message_id: 'bad', context: 'not an object' as unknown as Record<string, unknown> });
    await writer.write({ events: [...good.slice(0, 4), bad, ...good.slice(4)], quarantine: [quarantineRow({ project: p })] });
    await writer.close();
    expect(await count(p)).toBe(9);
    const quarantined = await rows<{ message_id: string; reason: string; raw: string; path: string }>(engine.client,
      'SELECT message_id, reason, raw, path FROM sluice.events_quarantine WHERE project = {p:String} ORDER BY message_id', { p });
    expect(quarantined.map((r) => r.message_id)).toEqual(['bad', 'bad-1']);
    expect(quarantined[0]?.reason).toMatch(/^clickhouse rejected the row: .*JSON object/);
    expect(JSON.parse(quarantined[0]?.raw ?? '{}')).toMatchObject({ message_id: 'bad', context: 'not an object' });
    expect(writer.stats()).toMatchObject({ insertedRows: 9, quarantinedRows: 2, failedRows: 0 });
  });

  it('refuses writes with overloaded when the buffer is full, without buffering them', async () => {
    const p = 'backpressure';
    const writer = sink({ maxBufferedRows: 5, batchMaxDelayMs: 60_000 });
    await writer.write({ events: Array.from({ length: 4 }, (_, i) => eventRow({ project: p, message_id: `k-${i}` })), quarantine: [] });
    const refused = await writer
      .write({ events: [eventRow({ project: p, message_id: 'k-9' }), eventRow({ project: p, message_id: 'k-10' })], quarantine: [] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CollectorError);
    expect(refused).toMatchObject({ code: 'overloaded', status: 503, retryAfterSeconds: 60 });
    expect((refused as Error).message).toMatch(/collector buffer is full .*retry after 60 s/);
    expect(writer.stats().bufferedRows).toBe(4);
    expect(await writer.ready()).toBe(true);
    await writer.close(5_000);
    expect(await count(p)).toBe(4);
  });

  it('drains buffered rows on close, then refuses writes', async () => {
    const p = 'drain';
    const writer = sink({ batchMaxDelayMs: 60_000, batchMaxRows: 7 });
    await writer.write({ events: Array.from({ length: 50 }, (_, i) => eventRow({ project: p, message_id: `d-${i}` })), quarantine: [] });
    await writer.close(10_000);
    expect(await count(p)).toBe(50);
    expect(writer.stats()).toMatchObject({ bufferedRows: 0, insertedRows: 50, insertedBatches: 8 });
    await expect(writer.write({ events: [eventRow({ project: p })], quarantine: [] })).rejects.toMatchObject({ code: 'unavailable' });
    expect(await writer.ready()).toBe(false);
  });

  it('sends the same lines to a server as one INSERT with the columns named, through client.exec', async () => {
    const server = statementClient();
    expect(embeddedRawInsert(server)).toBeUndefined();
    const p = 'exec-lines';
    const sent = eventRow({ project: p, message_id: 'm-exec', event: 'Order "Placed"', properties: { total: 12.5, note: 'a\tb' }, context: { locale: 'de-CH' } });
    const batch = rowsToBatch(`${p}-1`, { events: [sent], quarantine: [quarantineRow({ project: p })] });
    const insertRows = createInsertRows(server);
    await insertRows('events', batch.events, batch.token, new AbortController().signal);
    await insertRows('events_quarantine', batch.quarantine, `${batch.token}-q`, new AbortController().signal);
    const landed = await rows<{ event: string; total: number; note: string; locale: string; ts: string }>(engine.client,
      'SELECT event, properties.total AS total, properties.note AS note, context.locale AS locale, toString(toUnixTimestamp64Milli(timestamp)) AS ts FROM sluice.events WHERE project = {p:String}', { p });
    expect(landed).toEqual([{ event: 'Order "Placed"', total: 12.5, note: 'a\tb', locale: 'de-CH', ts: String(sent.timestamp) }]);
    expect(await rows(engine.client, 'SELECT toString(count()) AS n FROM sluice.events_quarantine WHERE project = {p:String}', { p })).toEqual([{ n: '1' }]);
  });

  it('lands a batch whose events span more than 100 monthly partitions, on both insert paths', async () => {
    // ClickHouse refuses such a block by default (TOO_MANY_PARTS), which the writer retries as
    // back-pressure: a history import would stall the log for good. The events TTL may drop the
    // oldest as they land; the last year's are all kept.
    const month = 31 * 86_400_000;
    const year = Date.now() - 365 * 86_400_000;
    for (const [p, client] of [['months-raw', engine.client], ['months-exec', statementClient()]] as const) {
      const events = Array.from({ length: 101 }, (_, i) => eventRow({ project: p, message_id: `m-${i}`, timestamp: BASE_TIME - i * month }));
      const batch = rowsToBatch(`${p}-1`, { events, quarantine: [] });
      await createInsertRows(client)('events', batch.events, batch.token, new AbortController().signal);
      expect(await count(p, `countIf(toUnixTimestamp64Milli(timestamp) > ${year})`)).toBe(events.filter((e) => e.timestamp > year).length);
    }
  });

  it("hands the NDJSON bytes to chdb's raw insert, and multi-byte text lands as sent", async () => {
    // The write path's fast lane on chDB: without it, every insert is decoded into a string and re-encoded.
    expect(embeddedRawInsert(engine.client)).toBeDefined();
    const p = 'raw-bytes';
    const note = 'Zürich → 東京 🚀, a "quote", a \\ and a\nnewline';
    const batch = rowsToBatch(`${p}-1`, { events: [eventRow({ project: p, message_id: 'm-raw', properties: { note } })], quarantine: [] });
    const insertRows = createInsertRows(engine.client);
    await insertRows('events', batch.events, batch.token, new AbortController().signal);
    await insertRows('events', batch.events, batch.token, new AbortController().signal);
    const landed = await rows<{ note: string }>(engine.client, 'SELECT properties.note AS note FROM sluice.events WHERE project = {p:String}', { p });
    expect(landed).toEqual([{ note }]);
  });
});
