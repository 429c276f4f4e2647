import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWalSink, createWriteAheadLog } from '../../src/wal';
import { createClickHouseServer, hasClickHouseServer, type ClickHouseServer } from './clickhouse-server-fixture';
import { tempDir } from './clickhouse-fixtures';
import { pause, startLoad, waitUntil } from './durability-support';
import { createTestTable, insertInto18, newLedger, serveCollector, stored } from './durability-server-support';

/**
 * A real clickhouse-server (18.16) is `kill -9`ed twice under concurrent load behind the collector
 * (ack: wal) and restarted. Nothing acknowledged may be lost; nothing may be double counted.
 *
 * "Doubled", for 18.16: it has no insert dedup tokens, so a batch that the server stored just
 * before it died, but whose answer never arrived, is stored again when the log re-sends it. That is
 * the only way a row may be physically doubled, so the test checks (1) physical duplicates never
 * exceed the rows of batches re-sent after a failed attempt, and (2) `FINAL` (ReplacingMergeTree by
 * message_id, how queries count) counts each acknowledged messageId exactly once. Exactly-once at
 * insert time, with dedup tokens, is proven on chDB by durability-collector-kill.test.ts.
 */
describe.skipIf(!hasClickHouseServer())('clickhouse-server kill -9 under load', () => {
  const walDir = tempDir('ch-kill-wal');
  let server: ClickHouseServer;

  beforeAll(async () => {
    server = await createClickHouseServer('ch-kill');
    await server.start();
    await createTestTable(server);
  });
  afterAll(async () => {
    await server?.remove();
    walDir.remove();
  });

  it('loses nothing acknowledged and counts nothing twice', async () => {
    const ledger = newLedger();
    const wal = await createWriteAheadLog({ dir: walDir.path });
    const sink = createWalSink({ wal, insert: insertInto18(() => server.url, 3_000, ledger), batchMaxRows: 2_000, batchMaxDelayMs: 50, retry: { baseMs: 50, capMs: 400 } });
    const app = await serveCollector({ writeKeys: { k: 'p' }, sink });
    const load = startLoad({ url: () => app.url, writeKey: 'k', prefix: 'chkill', workers: 6, eventsPerRequest: 20 });
    try {
      for (let round = 0; round < 2; round++) {
        const before = load.acked.size;
        await waitUntil('events are acknowledged', () => load.acked.size >= before + 2_000, 20_000, 5);
        await server.stop('SIGKILL');
        // The collector keeps acknowledging while ClickHouse is dead: the log holds the events.
        const whileDown = load.acked.size;
        await pause(800);
        expect(load.acked.size).toBeGreaterThan(whileDown);
        await server.start();
      }
      await load.stop();
      await waitUntil('the log is drained', async () => {
        await Promise.race([sink.drained(), pause(200)]);
        return wal.cursor().committed >= wal.lastPosition();
      }, 30_000);
    } finally {
      await load.stop();
      await app.close();
    }

    expect(ledger.failures, 'the kills interrupted inserts').toBeGreaterThan(0);
    const acked = [...load.acked];
    const got = await stored(server);
    const lost = acked.filter((id) => !got.ids.has(id));
    expect(lost.length, `acknowledged but not stored, e.g. ${lost.slice(0, 5).join(', ')}`).toBe(0);
    expect(got.unique).toBe(acked.length);
    expect(got.final, 'FINAL counts each messageId once').toBe(acked.length);
    expect(got.rows - got.unique, 'physical duplicates only from batches re-sent after an ambiguous failure').toBeLessThanOrEqual(ledger.resentRows);
  });
});
