import { afterAll, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { engineTarget } from '../../src/clickhouse/engine-target';
import { createCollector } from '../../src/collector';
import { createWriteAheadLog } from '../../src/wal';
import { encodeSinkPayload } from '../../src/wal/sink-payload';
import type { EventRow } from '../../src/rows';
import { eventRow, tempDir } from './clickhouse-fixtures';
import { waitUntil } from './durability-support';
import { query } from './http-support';

const data = tempDir('upgrade-data');
const wal = tempDir('upgrade-wal');
afterAll(() => {
  data.remove();
  wal.remove();
});

/** A record as collectors before JSONCompactEachRow wrote it: version 1, each event a JSONEachRow object. */
function versionOnePayload(rows: readonly EventRow[]): Buffer {
  const events = `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
  const head = JSON.stringify({ v: 1, e: rows.length, q: 0, eb: Buffer.byteLength(events) });
  return Buffer.from(`${head}\n${events}`, 'utf8');
}

/**
 * A collector upgraded with acknowledged events still in its log: the records the earlier version
 * wrote (JSONEachRow objects) and the ones the new version writes (JSONCompactEachRow arrays) all
 * land, with every column as sent, in one drain.
 */
it('an upgraded collector drains the log records an earlier version wrote, and its own', async () => {
  const log = await createWriteAheadLog({ dir: wal.path, target: engineTarget({ embedded: { path: data.path } }) });
  const old = [
    eventRow({ project: 'up', message_id: 'old-1', event: 'Signup', properties: { plan: 'pro', n: 2 }, context: { page: { url: 'https://a.example/x' } } }),
    eventRow({ project: 'up', message_id: 'old-2', event: 'Say "hi"\n', user_id: 'u-1', distinct_id: 'u-1' }),
  ];
  const current = [eventRow({ project: 'up', message_id: 'new-1', event: 'Order', properties: { total: 9.5 } })];
  await log.append(versionOnePayload(old));
  await log.append(encodeSinkPayload({ events: current, quarantine: [] }));
  await log.close();

  const collector = createCollector({ writeKeys: { k: 'up' }, engine: { embedded: { path: data.path } }, wal: { dir: wal.path } });
  try {
    const startup = await collector.ready();
    const client = (startup.engine as { client: ClickHouseClient }).client;
    await waitUntil('the log is drained', async () => {
      const [row] = await query<{ n: string }>(client, "SELECT count() AS n FROM sluice.events WHERE project = 'up'");
      return Number(row?.n) === 3;
    }, 30_000);
    const landed = await query<{ message_id: string; event: string; user_id: string; plan: string | null; url: string | null; total: number | null; ts: string }>(
      client,
      "SELECT message_id, event, user_id, properties.plan AS plan, context.page.url AS url, properties.total AS total, toUnixTimestamp64Milli(timestamp) AS ts FROM sluice.events WHERE project = 'up' ORDER BY message_id",
    );
    expect(landed.map(({ message_id, event, user_id }) => ({ message_id, event, user_id }))).toEqual([
      { message_id: 'new-1', event: 'Order', user_id: current[0]!.user_id },
      { message_id: 'old-1', event: 'Signup', user_id: old[0]!.user_id },
      { message_id: 'old-2', event: 'Say "hi"\n', user_id: 'u-1' },
    ]);
    expect(landed[1]?.plan).toBe('pro');
    expect(landed[1]?.url).toBe('https://a.example/x');
    expect(landed[0]?.total).toBe(9.5);
    expect(Number(landed[1]?.ts)).toBe(old[0]!.timestamp);
    const [quarantined] = await query<{ n: string }>(client, "SELECT count() AS n FROM sluice.events_quarantine WHERE project = 'up'");
    expect(Number(quarantined?.n)).toBe(0);
  } finally {
    await collector.close(5_000);
  }
}, 120_000);
