import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTaxonomy } from '@sluice/schema';
import { createEngine, migrate, type Engine } from '../../src/clickhouse';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector';
import { DEFAULTS } from '../../src/defaults';
import type { Logger } from '../../src/logger';
import { tempDir } from './clickhouse-fixtures';
import { waitUntil } from './durability-support';
import { basic, query } from './http-support';

/**
 * Every option of `createCollector` that packages/collector/README.md documents, each shown to take
 * effect in the default `ack: 'wal'` mode, on chDB: what the client got back and what landed.
 * (`README` ↔ this file: a test below names each option.) Collectors share one engine and database;
 * each test writes under its own project and its own log directory.
 */
const data = tempDir('options-wal');
const logs: string[] = [];
let engine: Engine;
const open: Collector[] = [];

function newLogDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-options-wal-log-'));
  logs.push(dir);
  return dir;
}

/** A collector in the default ack mode, on the shared engine, writing key `k` to `project`. */
function collectorFor(project: string, options: Partial<CollectorOptions> = {}): { collector: Collector; walDir: string } {
  const walDir = options.wal?.dir ?? newLogDir();
  const collector = createCollector({
    writeKeys: { k: project },
    engine: { clickhouse: engine.client },
    ...options,
    wal: { ...options.wal, dir: walDir },
    writer: { batchMaxDelayMs: 20, retry: { baseMs: 10, capMs: 50 }, ...options.writer },
  });
  open.push(collector);
  return { collector, walDir };
}

const track = (id: string, extra: Record<string, unknown> = {}) => ({ type: 'track', messageId: id, userId: 'u', event: 'Clicked', ...extra });

function post(collector: Collector, batch: unknown[], init: { path?: string; headers?: Record<string, string>; body?: BodyInit; ip?: string } = {}): Promise<Response> {
  return collector.fetch(
    new Request(`http://collector${init.path ?? '/v1/batch'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic('k'), ...init.headers },
      body: init.body ?? JSON.stringify({ batch }),
    }),
    { remoteAddress: init.ip ?? '203.0.113.7' },
  );
}

async function landed(project: string, database = 'sluice'): Promise<Array<{ message_id: string; context: string; timestamp: string }>> {
  return query(engine.client, `SELECT message_id, toJSONString(context) AS context, toString(timestamp) AS timestamp FROM ${database}.events WHERE project = {p:String} ORDER BY message_id`, { p: project });
}

async function landedCount(project: string, database = 'sluice'): Promise<number> {
  const [row] = await query<{ n: string }>(engine.client, `SELECT count() AS n FROM ${database}.events WHERE project = {p:String}`, { p: project });
  return Number(row?.n);
}

/** Inserts into `events` made for `project`: merges are stopped, so each insert is one part. */
async function insertsFor(project: string): Promise<number> {
  const [row] = await query<{ n: string }>(engine.client, 'SELECT uniqExact(_part) AS n FROM sluice.events WHERE project = {p:String}', { p: project });
  return Number(row?.n);
}

/** ClickHouse refuses inserts into `events` (TOO_MANY_PARTS, transient) until `resumeInserts`. */
async function pauseInserts(): Promise<void> {
  await engine.client.command({ query: 'ALTER TABLE sluice.events MODIFY SETTING parts_to_throw_insert = 1' });
}
async function resumeInserts(): Promise<void> {
  await engine.client.command({ query: 'ALTER TABLE sluice.events MODIFY SETTING parts_to_throw_insert = 100000' });
}

const segmentsIn = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.wal'));

beforeAll(async () => {
  engine = await createEngine({ embedded: { path: data.path } });
  await migrate(engine.client);
  await engine.client.command({ query: 'SYSTEM STOP MERGES sluice.events' });
  // One part, so that parts_to_throw_insert = 1 refuses the next insert.
  const { collector } = collectorFor('seed');
  expect((await post(collector, [track('seed-1')])).status).toBe(200);
  await waitUntil('the seed lands', async () => (await landedCount('seed')) === 1);
}, 120_000);

afterAll(async () => {
  await resumeInserts().catch(() => {});
  for (const collector of open) await collector.close(2_000).catch(() => {});
  await engine?.close();
  for (const dir of logs) rmSync(dir, { recursive: true, force: true });
  data.remove();
});

describe('createCollector options in the default ack mode (wal)', () => {
  it('writeKeys: a known key writes to its project, an unknown one gets 401', async () => {
    const { collector } = collectorFor('keys');
    expect((await post(collector, [track('keys-1')])).status).toBe(200);
    expect((await post(collector, [track('keys-2')], { headers: { authorization: basic('nope') } })).status).toBe(401);
    await waitUntil('keys-1 lands', async () => (await landedCount('keys')) === 1);
    expect((await landed('keys')).map((row) => row.message_id)).toEqual(['keys-1']);
  });

  it("ack (default 'wal') and engine: a 200 while ClickHouse refuses inserts, and the events land in the engine once it takes them", async () => {
    const { collector } = collectorFor('ack');
    await pauseInserts();
    try {
      expect((await post(collector, [track('ack-1'), track('ack-2')])).status).toBe(200);
      expect(await landedCount('ack')).toBe(0);
    } finally {
      await resumeInserts();
    }
    await waitUntil('the acknowledged events land', async () => (await landedCount('ack')) === 2);
  });

  it('wal.dir, wal.segmentBytes and wal.keepRawMs: segments of that size kept in that directory after they were sent', async () => {
    const { collector, walDir } = collectorFor('segments', { wal: { segmentBytes: 4 * 1024, keepRawMs: 86_400_000 } });
    for (let i = 0; i < 12; i++) expect((await post(collector, [track(`seg-${i}`, { properties: { pad: 'x'.repeat(900) } })])).status).toBe(200);
    await waitUntil('every event lands', async () => (await landedCount('segments')) === 12);
    const kept = segmentsIn(walDir);
    expect(kept.length).toBeGreaterThan(2);
    for (const name of kept.slice(0, -1)) expect(readFileSync(join(walDir, name)).length).toBeLessThanOrEqual(4 * 1024 + 1024);

    // Without keepRawMs (the default, 0), sent segments are deleted.
    const { collector: plain, walDir: plainDir } = collectorFor('segments-plain', { wal: { segmentBytes: 4 * 1024 } });
    for (let i = 0; i < 12; i++) expect((await post(plain, [track(`segp-${i}`, { properties: { pad: 'x'.repeat(900) } })])).status).toBe(200);
    await waitUntil('every event lands', async () => (await landedCount('segments-plain')) === 12);
    await waitUntil('sent segments are deleted', () => segmentsIn(plainDir).length <= 1);
  });

  it('wal.maxBytes: past it, 503 with Retry-After until ClickHouse catches up', async () => {
    const { collector } = collectorFor('maxbytes', { wal: { maxBytes: 16 * 1024 } });
    await pauseInserts();
    let refused: Response | undefined;
    try {
      for (let i = 0; i < 40 && !refused; i++) {
        const response = await post(collector, [track(`mb-${i}`, { properties: { pad: 'x'.repeat(900) } })]);
        if (response.status === 503) refused = response;
      }
    } finally {
      await resumeInserts();
    }
    expect(refused?.headers.get('retry-after')).toBe(String(DEFAULTS.walRetryAfterSeconds));
    expect(((await refused?.json()) as { message: string }).message).toMatch(/write-ahead log is full/);
    await waitUntil('accepts again', async () => (await post(collector, [track('mb-after')])).status === 200);
  });

  it('writer.batchMaxRows and writer.batchMaxBytes: how many rows and bytes one insert takes', async () => {
    const rows = collectorFor('maxrows', { writer: { batchMaxRows: 10, batchMaxDelayMs: 200 } }).collector;
    const bytes = collectorFor('maxbytes-batch', { writer: { batchMaxBytes: 4 * 1024, batchMaxDelayMs: 200 } }).collector;
    await pauseInserts();
    try {
      for (let i = 0; i < 4; i++) expect((await post(rows, Array.from({ length: 10 }, (_, j) => track(`r-${i}-${j}`)))).status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await post(bytes, [track(`b-${i}`, { properties: { pad: 'x'.repeat(1_500) } })])).status).toBe(200);
    } finally {
      await resumeInserts();
    }
    await waitUntil('all rows land', async () => (await landedCount('maxrows')) === 40 && (await landedCount('maxbytes-batch')) === 4);
    expect(await insertsFor('maxrows')).toBe(4);
    expect(await insertsFor('maxbytes-batch')).toBe(2);
  });

  it('writer.batchMaxDelayMs: rows wait for a fuller batch until the delay passes (or the collector closes)', async () => {
    const { collector } = collectorFor('delay', { writer: { batchMaxDelayMs: 600_000 } });
    expect((await post(collector, [track('delay-1')])).status).toBe(200);
    const quick = collectorFor('delay-quick', { writer: { batchMaxDelayMs: 10 } }).collector;
    expect((await post(quick, [track('quick-1')])).status).toBe(200);
    await waitUntil('the quick one lands', async () => (await landedCount('delay-quick')) === 1);
    expect(await landedCount('delay')).toBe(0);
    await collector.close(10_000);
    expect(await landedCount('delay')).toBe(1);
  });

  it('writer.insertConcurrency: a backlog is sent as that many batches at once, recorded as one pending range', async () => {
    for (const concurrency of [1, 3]) {
      const project = `concurrency-${concurrency}`;
      const { collector, walDir } = collectorFor(project, { writer: { insertConcurrency: concurrency, batchMaxRows: 10, batchMaxDelayMs: 5 } });
      await pauseInserts();
      try {
        // Concurrent requests: one group commit makes a backlog of six full batches at once.
        const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => post(collector, Array.from({ length: 10 }, (_, j) => track(`${project}-${i}-${j}`)))));
        expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
        // While ClickHouse refuses, the batches in flight are recorded before they are sent.
        await waitUntil('batches are pending', () => JSON.parse(readFileSync(join(walDir, 'cursor.json'), 'utf8')).pending !== null);
        const pending = JSON.parse(readFileSync(join(walDir, 'cursor.json'), 'utf8')).pending as { first: number; last: number; ends?: number[] };
        expect(pending.ends?.length ?? 1).toBe(concurrency);
      } finally {
        await resumeInserts();
      }
      await waitUntil('every row lands once', async () => (await landedCount(project)) === 60);
    }
  });

  it('writer.maxBufferedRows: rows held but not yet in ClickHouse are bounded; past it, 503', async () => {
    const { collector } = collectorFor('buffered', { writer: { maxBufferedRows: 25 } });
    await pauseInserts();
    let refused: Response | undefined;
    try {
      expect((await post(collector, Array.from({ length: 10 }, (_, i) => track(`buf-a-${i}`)))).status).toBe(200);
      expect((await post(collector, Array.from({ length: 10 }, (_, i) => track(`buf-b-${i}`)))).status).toBe(200);
      refused = await post(collector, Array.from({ length: 10 }, (_, i) => track(`buf-c-${i}`)));
    } finally {
      await resumeInserts();
    }
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { message: string }).message).toMatch(/holds 20 rows not yet in ClickHouse \(writer.maxBufferedRows is 25\)/);
    await waitUntil('the held rows land', async () => (await landedCount('buffered')) === 20);
    await waitUntil('it takes rows again', async () => (await post(collector, Array.from({ length: 10 }, (_, i) => track(`buf-c-${i}`)))).status === 200);
  });

  it('writer.retry.attempts: after that many failed inserts in a row /ready answers 503, and 200 once ClickHouse takes them', async () => {
    const { collector } = collectorFor('retry', { writer: { retry: { attempts: 2, baseMs: 5, capMs: 20 } } });
    const ready = async (): Promise<number> => (await collector.fetch(new Request('http://collector/ready'))).status;
    await pauseInserts();
    try {
      expect((await post(collector, [track('retry-1')])).status).toBe(200);
      await waitUntil('not ready', async () => (await ready()) === 503);
    } finally {
      await resumeInserts();
    }
    await waitUntil('ready again', async () => (await ready()) === 200);
    expect(await landedCount('retry')).toBe(1);
  });

  it('rateLimit: over the bucket, 429 with Retry-After', async () => {
    const { collector } = collectorFor('rate', { rateLimit: { eventsPerSecond: 1, burst: 2 } });
    expect((await post(collector, [track('rate-1'), track('rate-2')])).status).toBe(200);
    const limited = await post(collector, [track('rate-3')]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('dashboard: served at /dashboard behind the read key', async () => {
    const { collector } = collectorFor('dash', { dashboard: { readKey: 'read-key-123' } });
    const page = (key: string) => collector.fetch(new Request('http://collector/dashboard', { headers: { authorization: `Bearer ${key}` } }));
    expect((await page('read-key-123')).status).toBe(200);
    expect((await page('wrong-key-000')).status).toBe(401);
  });

  it('readKeys and queryApi: a read key asks POST /graphql about what the log delivered, within the limits', async () => {
    const { collector } = collectorFor('readers', { readKeys: { 'reader-key-1': 'readers' }, queryApi: { maxDepth: 2 } });
    expect((await post(collector, [track('read-1'), track('read-2')])).status).toBe(200);
    await waitUntil('both land', async () => (await landedCount('readers')) === 2);
    const ask = (query: string, key = 'reader-key-1') =>
      collector.fetch(new Request('http://collector/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      }));
    const since = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const until = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const top = await ask(`{ topEvents(from: "${since}", to: "${until}") { event count } }`);
    expect(top.status).toBe(200);
    expect(await top.json()).toMatchObject({ data: { topEvents: [{ event: 'Clicked', count: 2 }] } });
    expect((await ask('{ topEvents { event } }', 'k')).status).toBe(401); // a write key never reads
    const deep = await ask('{ retention(start: "A", returning: "B") { cohorts { cohort } } }');
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { errors: Array<{ message: string }> }).errors[0]?.message).toMatch(/more than the limit of 2/);
  });

  it('taxonomy: an event that fails it is reported in the 200 and lands in events_quarantine', async () => {
    const taxonomy = defineTaxonomy({ events: { Clicked: z.object({ button: z.string() }) } });
    // Its own database: a taxonomy's column types are applied with ALTER, which waits for merges, and
    // merges of sluice.events are stopped in this file.
    const { collector } = collectorFor('taxonomy', { taxonomy, migrations: { database: 'typed' } });
    const response = await post(collector, [track('tax-ok', { properties: { button: 'buy' } }), track('tax-bad', { properties: { button: 7 } })]);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, messageId: 'tax-bad' }] });
    await waitUntil('both land', async () => {
      const [q] = await query<{ n: string }>(engine.client, "SELECT count() AS n FROM typed.events_quarantine WHERE project = 'taxonomy' AND message_id = 'tax-bad'");
      return (await landedCount('taxonomy', 'typed')) === 1 && Number(q?.n) === 1;
    });
  });

  it('cors: only the listed origins get CORS headers', async () => {
    const { collector } = collectorFor('cors', { cors: ['https://app.example.com'] });
    const preflight = (origin: string) =>
      collector.fetch(new Request('http://collector/v1/batch', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }));
    expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('ipPolicy and trustProxy: what context.ip keeps, and where it comes from', async () => {
    const keep = collectorFor('ip-keep', { ipPolicy: 'keep', trustProxy: true }).collector;
    const drop = collectorFor('ip-drop', { ipPolicy: 'drop' }).collector;
    const anonymize = collectorFor('ip-anon').collector;
    expect((await post(keep, [track('ip-1')], { headers: { 'x-forwarded-for': '198.51.100.23' } })).status).toBe(200);
    expect((await post(drop, [track('ip-2')])).status).toBe(200);
    expect((await post(anonymize, [track('ip-3')], { headers: { 'x-forwarded-for': '198.51.100.23' } })).status).toBe(200);
    await waitUntil('all land', async () => (await landedCount('ip-keep')) + (await landedCount('ip-drop')) + (await landedCount('ip-anon')) === 3);
    const ipOf = async (project: string) => (JSON.parse((await landed(project))[0]?.context ?? '{}') as { ip?: string }).ip;
    expect(await ipOf('ip-keep')).toBe('198.51.100.23');
    expect(await ipOf('ip-drop')).toBeUndefined();
    expect(await ipOf('ip-anon')).toBe('203.0.113.0'); // the socket's address (no trustProxy), last octet zeroed
  });

  it('basePath: the routes live under it', async () => {
    const { collector } = collectorFor('base', { basePath: '/collect' });
    expect((await post(collector, [track('base-1')], { path: '/collect/v1/batch' })).status).toBe(200);
    await waitUntil('it lands', async () => (await landedCount('base')) === 1);
  });

  it('migrations: the database and the TTL the tables are created with', async () => {
    const { collector } = collectorFor('migrations', { migrations: { database: 'elsewhere', ttl: { eventsDays: 40 } } });
    expect((await post(collector, [track('mig-1')])).status).toBe(200);
    await waitUntil('it lands in the other database', async () => (await landedCount('migrations', 'elsewhere')) === 1);
    const [table] = await query<{ ddl: string }>(engine.client, 'SELECT create_table_query AS ddl FROM system.tables WHERE database = {d:String} AND name = {t:String}', { d: 'elsewhere', t: 'events' });
    expect(table?.ddl).toMatch(/TTL .*toIntervalDay\(40\)/);
  });

  it('limits: body sizes, the messageId window, the skew bound and the quarantined raw size', async () => {
    const { collector } = collectorFor('limits', {
      limits: { maxBodyBytes: 2_000, maxDecodedBytes: 4_000, dedupeWindow: 0, maxClockSkewMs: 60_000, maxQuarantineRawBytes: 50 },
      taxonomy: defineTaxonomy({ events: { Clicked: z.object({ button: z.string() }) } }),
      migrations: { database: 'typed' },
    });
    expect((await post(collector, [track('big', { properties: { button: 'x'.repeat(3_000) } })])).status).toBe(413);
    const bomb = gzipSync(JSON.stringify({ batch: [track('bomb', { properties: { button: 'x'.repeat(10_000) } })] }));
    expect(bomb.length).toBeLessThan(2_000);
    expect((await post(collector, [], { body: bomb, headers: { 'content-encoding': 'gzip' } })).status).toBe(413);
    // dedupeWindow 0: a re-sent messageId is not dropped by the collector (each copy is its own
    // insert here, so storage does not collapse them either until a merge).
    expect((await post(collector, [track('dup', { properties: { button: 'a' } })])).status).toBe(200);
    // Migrated by now (the 200 waited for it): keep the copies from being merged away.
    await engine.client.command({ query: 'SYSTEM STOP MERGES typed.events' });
    await waitUntil('the first copy lands', async () => (await landedCount('limits', 'typed')) === 1);
    expect((await post(collector, [track('dup', { properties: { button: 'a' } })])).status).toBe(200);
    await waitUntil('the second copy lands', async () => (await landedCount('limits', 'typed')) === 2);
    // maxClockSkewMs: a client clock 10 minutes fast is past the bound, so the event is placed at the
    // time it was received (within the bound, it would be 5 s before it).
    const sentAt = Date.now() + 600_000;
    const skewed = JSON.stringify({ sentAt: new Date(sentAt).toISOString(), batch: [track('skew', { timestamp: new Date(sentAt - 5_000).toISOString(), properties: { button: 'a' } })] });
    expect((await post(collector, [], { body: skewed })).status).toBe(200);
    // maxQuarantineRawBytes: the raw event kept in quarantine is cut.
    expect((await post(collector, [track('raw', { properties: { button: 1, pad: 'y'.repeat(500) } })])).status).toBe(200);
    await waitUntil('everything lands', async () => {
      const [q] = await query<{ n: string }>(engine.client, "SELECT count() AS n FROM typed.events_quarantine WHERE project = 'limits'");
      return (await landedCount('limits', 'typed')) === 3 && Number(q?.n) === 1;
    });
    expect((await landed('limits', 'typed')).filter((row) => row.message_id === 'dup')).toHaveLength(2);
    const [skew] = await query<{ ts: string; received: string }>(engine.client, "SELECT toUnixTimestamp64Milli(timestamp) AS ts, toUnixTimestamp64Milli(received_at) AS received FROM typed.events WHERE project = 'limits' AND message_id = 'skew'");
    expect(Number(skew?.ts)).toBe(Number(skew?.received));
    const [raw] = await query<{ raw: string }>(engine.client, "SELECT raw FROM typed.events_quarantine WHERE project = 'limits'");
    expect(raw?.raw.length).toBeLessThanOrEqual(50);
  });

  it('logger: gets what the log does, such as a failed insert it will retry', async () => {
    const lines: string[] = [];
    const record = (_fields: unknown, message?: string) => void lines.push(String(message));
    const logger: Logger = { debug: record, info: record, warn: record, error: record };
    const { collector } = collectorFor('logger', { logger });
    await pauseInserts();
    try {
      expect((await post(collector, [track('log-1')])).status).toBe(200);
      await waitUntil('a retry is logged', () => lines.some((line) => /retried with the same dedup token/.test(line)));
    } finally {
      await resumeInserts();
    }
    await waitUntil('it lands', async () => (await landedCount('logger')) === 1);
  });
});
