import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WalBatch, WalInsert } from '../../src/wal';
import { createInsertChain } from '../../src/clickhouse/insert-chain';
import { createWalSink, createWriteAheadLog } from '../../src/wal';
import { countRows, createTinyTables, openChdb, rows } from './wal-chdb-helpers';

/**
 * Rows go through the WAL sink into a real chdb table. The insert succeeds but the cursor is not
 * committed (a crash between insert and commit); the same range is re-sent with the same
 * `insert_deduplication_token` and each row is stored once.
 */
let work: string;
let client: ClickHouseClient;
const fast = { batchMaxDelayMs: 10, retry: { baseMs: 5, capMs: 20 }, random: () => 1 };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-wal-once-'));
  client = openChdb(join(work, 'chdb'));
});
afterAll(async () => {
  await client.close();
  await rm(work, { recursive: true, force: true });
});

describe('WAL sink into chdb: exactly once', () => {
  it('an insert that landed but was not committed is retried with its token and stored once', async () => {
    await createTinyTables(client, 'retry_db');
    const real = createInsertChain({ client, database: 'retry_db' });
    const tokens: string[] = [];
    let failedAfterInsert = 0;
    const insert: WalInsert = async (batch, signal) => {
      tokens.push(batch.token);
      await real(batch, signal);
      if (failedAfterInsert < 3) {
        failedAfterInsert++;
        throw new Error('connection reset after the insert was applied');
      }
    };
    const wal = await createWriteAheadLog({ dir: join(work, 'wal-retry') });
    const sink = createWalSink({ wal, insert, ...fast, batchMaxRows: 400 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => sink.write(rows(`r${i}`, 50, i % 5 === 0))));
    await sink.drained();
    await sink.close(5_000);
    expect(failedAfterInsert).toBe(3);
    expect(tokens.length).toBeGreaterThan(new Set(tokens).size); // some batch really was sent twice
    expect(await countRows(client, 'retry_db.events')).toEqual({ rows: 1_000, unique: 1_000 });
    expect(await countRows(client, 'retry_db.events_quarantine')).toEqual({ rows: 4, unique: 4 });
  });

  it('a crash between insert and commit: the restart re-sends the recorded range with the same token', async () => {
    await createTinyTables(client, 'crash_db');
    const real = createInsertChain({ client, database: 'crash_db' });
    const dir = join(work, 'wal-crash');
    const sent: WalBatch[] = [];

    // Run 1: the first batch lands in ClickHouse, then the process "dies" before committing.
    const wal1 = await createWriteAheadLog({ dir });
    const sink1 = createWalSink({
      wal: wal1,
      ...fast,
      insert: async (batch, signal) => {
        await real(batch, signal);
        sent.push(batch);
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('killed'))));
      },
    });
    for (let i = 0; i < 5; i++) await sink1.write(rows(`a${i}`, 100));
    while (sent.length === 0) await new Promise((r) => setTimeout(r, 5));
    await sink1.close(20);
    const landed = await countRows(client, 'crash_db.events');
    expect(landed.rows).toBeGreaterThan(0);
    expect(wal1.cursor().committed).toBe(0);
    expect(wal1.cursor().pending).toEqual({ first: sent[0]?.first, last: sent[0]?.last });

    // Run 2: same directory; more rows arrive before the drain gets going.
    const wal2 = await createWriteAheadLog({ dir });
    const tokens: string[] = [];
    const sink2 = createWalSink({ wal: wal2, ...fast, insert: async (batch, signal) => (tokens.push(batch.token), real(batch, signal)) });
    for (let i = 5; i < 10; i++) await sink2.write(rows(`a${i}`, 100));
    await sink2.drained();
    await sink2.close(5_000);
    expect(await countRows(client, 'crash_db.events')).toEqual({ rows: 1_000, unique: 1_000 });
    expect(tokens[0]).toBe(sent[0]?.token);
  });

  it('without the recorded token the same re-send would double count (the test can fail)', async () => {
    await createTinyTables(client, 'control_db');
    const real = createInsertChain({ client, database: 'control_db' });
    const wal = await createWriteAheadLog({ dir: join(work, 'wal-control') });
    const sink = createWalSink({ wal, ...fast, insert: async (batch, signal) => real({ ...batch, token: `${batch.token}-${Math.random()}` }, signal).then(() => real({ ...batch, token: `${batch.token}-x${Math.random()}` }, signal)) });
    await sink.write(rows('c', 10));
    await sink.drained();
    await sink.close(5_000);
    expect((await countRows(client, 'control_db.events')).rows).toBe(20);
  });
});
