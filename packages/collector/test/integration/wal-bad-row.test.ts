import { afterAll, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTaxonomy } from '@sluice/schema';
import type { ClickHouseClient } from '@clickhouse/client';
import { engineTarget } from '../../src/clickhouse/engine-target';
import { createCollector } from '../../src/collector';
import { createWriteAheadLog } from '../../src/wal';
import { encodeSinkPayload } from '../../src/wal/sink-payload';
import { eventRow, tempDir } from './clickhouse-fixtures';
import { waitUntil } from './durability-support';
import { query } from './http-support';

const data = tempDir('bad-row-data');
const wal = tempDir('bad-row-wal');
afterAll(() => {
  data.remove();
  wal.remove();
});

/**
 * A log written by a collector without a taxonomy, drained by one whose taxonomy types
 * `properties.total` as a number: one row of the batch is one ClickHouse cannot parse. The drain
 * splits the batch until that row is alone, puts it in `events_quarantine` with ClickHouse's reason,
 * and lands the rest; the log is committed past it and nothing blocks.
 */
it('the drain lands the good rows of a batch and quarantines the one ClickHouse rejects', async () => {
  const log = await createWriteAheadLog({ dir: wal.path, target: engineTarget({ embedded: { path: data.path } }) });
  const rows = Array.from({ length: 9 }, (_, i) => eventRow({ project: 'shop', message_id: `good-${i}`, event: 'Order Completed', properties: { total: i + 0.5 } }));
  rows.splice(4, 0, eventRow({ project: 'shop', message_id: 'bad', event: 'Order Completed', properties: { total: 'twelve' } }));
  await log.append(encodeSinkPayload({ events: rows, quarantine: [] }));
  await log.close();

  const taxonomy = defineTaxonomy({ events: { 'Order Completed': z.object({ total: z.number() }) } });
  const collector = createCollector({ writeKeys: { k: 'shop' }, engine: { embedded: { path: data.path } }, wal: { dir: wal.path }, taxonomy });
  try {
    const startup = await collector.ready();
    const client = (startup.engine as { client: ClickHouseClient }).client;
    await waitUntil('the batch is drained', async () => {
      const [row] = await query<{ n: string }>(client, "SELECT count() AS n FROM sluice.events_quarantine WHERE project = 'shop'");
      return Number(row?.n) === 1;
    }, 30_000);
    const landed = await query<{ message_id: string; total: number }>(client, "SELECT message_id, properties.total AS total FROM sluice.events WHERE project = 'shop' ORDER BY message_id");
    expect(landed.map((row) => row.message_id)).toEqual(Array.from({ length: 9 }, (_, i) => `good-${i}`));
    const [quarantined] = await query<{ message_id: string; reason: string; raw: string }>(client, "SELECT message_id, reason, raw FROM sluice.events_quarantine WHERE project = 'shop'");
    expect(quarantined?.message_id).toBe('bad');
    expect(quarantined?.reason).toMatch(/^clickhouse rejected the row: /);
    expect(JSON.parse(quarantined?.raw ?? '{}')).toMatchObject({ message_id: 'bad', properties: { total: 'twelve' } });
    expect(await collector.metrics.text()).toMatch(/sluice_events_quarantined_total 1\b/);
  } finally {
    await collector.close(5_000);
  }
  // The log was committed past the batch: a restart has nothing left to send.
  const reopened = await createWriteAheadLog({ dir: wal.path });
  expect(reopened.cursor().committed).toBe(reopened.lastPosition());
  await reopened.close();
}, 120_000);
