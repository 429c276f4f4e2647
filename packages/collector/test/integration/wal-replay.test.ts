import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayProgress, WalInsert } from '../../src/wal';
import { createInsertChain } from '../../src/clickhouse/insert-chain';
import { createWalSink, createWriteAheadLog, replayLog } from '../../src/wal';
import { countRows, createTinyTables, openChdb, rows } from './wal-chdb-helpers';

/**
 * Segments kept with keepRawMs are the raw source of truth: replaying them into a fresh ClickHouse
 * stores every row, and replaying again (or after a replay that failed halfway) stores nothing twice.
 */
let work: string;
let client: ClickHouseClient;
const dir = (): string => join(work, 'wal');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-wal-replay-'));
  client = openChdb(join(work, 'chdb'));
  // The live collector: drains into `live`, keeps committed segments for a day.
  await createTinyTables(client, 'live');
  const wal = await createWriteAheadLog({ dir: dir(), segmentBytes: 64 * 1024, keepRawMs: 86_400_000 });
  const sink = createWalSink({ wal, insert: createInsertChain({ client, database: 'live' }), batchMaxDelayMs: 5, batchMaxRows: 300 });
  for (let i = 0; i < 60; i++) await sink.write(rows(`e${i}`, 25, i % 10 === 0));
  await sink.drained();
  await sink.close(5_000);
});
afterAll(async () => {
  await client.close();
  await rm(work, { recursive: true, force: true });
});

describe('replay of kept segments', () => {
  it('the live run committed everything and kept several segments', async () => {
    expect(await countRows(client, 'live.events')).toEqual({ rows: 1_500, unique: 1_500 });
    expect((await readdir(dir())).filter((n) => n.endsWith('.wal')).length).toBeGreaterThan(2);
  });

  it('replaying twice into a fresh ClickHouse stores each row once', async () => {
    await createTinyTables(client, 'fresh');
    const insert = createInsertChain({ client, database: 'fresh' });
    const progress: ReplayProgress[] = [];
    const first = await replayLog({ dir: dir(), insert, onProgress: (p) => progress.push(p), batchMaxRows: 200 });
    expect(first).toMatchObject({ records: 60, totalRecords: 60, rows: 1_506 });
    expect(first.bytes).toBe(first.totalBytes);
    expect(progress.length).toBeGreaterThan(3);
    for (let i = 1; i < progress.length; i++) expect((progress[i] as ReplayProgress).bytes).toBeGreaterThanOrEqual((progress[i - 1] as ReplayProgress).bytes);
    expect(await countRows(client, 'fresh.events')).toEqual({ rows: 1_500, unique: 1_500 });
    expect(await countRows(client, 'fresh.events_quarantine')).toEqual({ rows: 6, unique: 6 });

    await replayLog({ dir: dir(), insert, batchMaxRows: 200 });
    expect(await countRows(client, 'fresh.events')).toEqual({ rows: 1_500, unique: 1_500 });
    expect(await countRows(client, 'fresh.events_quarantine')).toEqual({ rows: 6, unique: 6 });
    const sample = await client.query({ query: "SELECT toString(timestamp) AS t FROM fresh.events WHERE message_id = 'e0-0'", format: 'JSONEachRow' });
    expect(await sample.json()).toEqual([{ t: '2023-11-14 22:13:20.123' }]);
  });

  it('a replay that fails halfway can be re-run: nothing is stored twice', async () => {
    await createTinyTables(client, 'halfway');
    const real = createInsertChain({ client, database: 'halfway' });
    let calls = 0;
    const flaky: WalInsert = async (batch, signal) => {
      if (++calls > 3) throw new Error('ClickHouse went away');
      await real(batch, signal);
    };
    await expect(replayLog({ dir: dir(), insert: flaky, retry: { attempts: 1 }, batchMaxRows: 200 })).rejects.toMatchObject({ code: 'engine' });
    const partial = await countRows(client, 'halfway.events');
    expect(partial.rows).toBeGreaterThan(0);
    expect(partial.rows).toBeLessThan(1_500);
    await replayLog({ dir: dir(), insert: real, batchMaxRows: 200 });
    expect(await countRows(client, 'halfway.events')).toEqual({ rows: 1_500, unique: 1_500 });
  });
});
