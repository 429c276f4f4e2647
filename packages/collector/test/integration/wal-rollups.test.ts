import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, migrate, type Engine } from '../../src/clickhouse';
import { eventLine } from '../../src/clickhouse/ndjson';
import { createInsertChain } from '../../src/clickhouse/insert-chain';
import type { WalBatch } from '../../src/wal/wal-batch';
import { eventRow, rows, tempDir } from './clickhouse-fixtures';

/**
 * The write-ahead log re-sends a batch with the same token after a crash between the insert and the
 * commit, and `sluice replay` re-sends kept segments. Both go through the insert chain (createInsertChain): the
 * batch must be stored once in `events` AND counted once in the rollups, which on ClickHouse needs
 * the token to reach the materialized views too.
 */
describe('a WAL batch inserted twice with the same token', () => {
  const dir = tempDir('wal-rollups');
  let engine: Engine;
  let client: ClickHouseClient;

  beforeAll(async () => {
    engine = await createEngine({ embedded: { path: dir.path } });
    client = engine.client;
    await migrate(client, {});
  });

  afterAll(async () => {
    await engine.close();
    dir.remove();
  });

  it('is stored once and counted once by the hourly and daily rollups', async () => {
    const events = Array.from({ length: 25 }, (_, i) => eventRow({ message_id: `wal-rollup-${i}`, distinct_id: `user-${i % 5}` }));
    const batch: WalBatch = {
      token: 'wal-test-1-1',
      first: 1,
      last: 1,
      events: Buffer.from(events.map((row) => `${eventLine(row)}\n`).join('')),
      eventRows: events.length,
      quarantine: Buffer.alloc(0),
      quarantineRows: 0,
    };
    const insert = createInsertChain({ client });
    await insert(batch, new AbortController().signal);
    await insert(batch, new AbortController().signal); // the re-send after a crash, or a replay

    const [raw] = await rows<{ n: string }>(client, 'SELECT count() AS n FROM sluice.events');
    const [hourly] = await rows<{ n: string }>(client, 'SELECT sum(events) AS n FROM sluice.events_hourly');
    const [daily] = await rows<{ n: string }>(client, 'SELECT sum(events) AS n FROM sluice.events_daily');
    expect(Number(raw!.n)).toBe(25);
    expect(Number(hourly!.n)).toBe(25);
    expect(Number(daily!.n)).toBe(25);
  });
});
