import { afterAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector';
import { basic, query } from './http-support';
import { tempDir } from './clickhouse-fixtures';

/**
 * A client that never saw the answer re-sends after the collector restarted. The messageId window
 * is refilled from ClickHouse on start, so the copy is recognised: one row in `events` (no FINAL,
 * no merge luck) and one in the rollups, whose plain counts would otherwise count it twice.
 */
describe('a client re-send after a collector restart', () => {
  const dir = tempDir('dedupe-restart');
  const open = () =>
    createCollector({ writeKeys: { key1: 'shop' }, engine: { embedded: { path: dir.path } }, ack: 'clickhouse' });
  const post = (collector: Collector, ids: string[]) =>
    collector.fetch(
      new Request('http://collector.test/v1/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic('key1') },
        body: JSON.stringify({
          batch: ids.map((messageId) => ({ type: 'track', event: 'Order Placed', messageId, userId: 'u1', timestamp: new Date().toISOString() })),
        }),
      }),
    );

  afterAll(() => dir.remove());

  it('is recognised and stored once, in events and in the rollups', async () => {
    const first = open();
    expect((await post(first, ['r-1', 'r-2', 'r-3'])).status).toBe(200);
    await first.close();

    const second = open();
    const { engine } = await second.ready();
    const answer = await post(second, ['r-2', 'r-3', 'r-4']); // r-2 and r-3 are the re-sends
    expect(await answer.json()).toMatchObject({ success: true, accepted: 3, rejected: [] });
    const client = engine!.client;
    const raw = await query<{ message_id: string; n: string }>(client, 'SELECT message_id, count() AS n FROM sluice.events GROUP BY message_id ORDER BY message_id');
    const [hourly] = await query<{ n: string }>(client, 'SELECT sum(events) AS n FROM sluice.events_hourly');
    await second.close();
    expect(raw.map((row) => [row.message_id, Number(row.n)])).toEqual([
      ['r-1', 1],
      ['r-2', 1],
      ['r-3', 1],
      ['r-4', 1],
    ]);
    expect(Number(hourly!.n)).toBe(4);
  });
});
