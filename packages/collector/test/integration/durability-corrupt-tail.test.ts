import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servedCollector } from './durability-support';
import { openChdb } from './wal-chdb-helpers';

/**
 * The whole collector restarts on a log whose last segment ends in a torn record (as a crash in the
 * middle of a write leaves it): it reports the repair, starts, keeps every acknowledged event, and
 * takes new ones. (The log's own tests cover flipped bytes and every tail shape.)
 */
const served = servedCollector('tail');
const { data, wal } = served;
const start = served.start;
afterAll(() => served.dispose());

async function post(url: string, ids: string[]): Promise<number> {
  const res = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ batch: ids.map((messageId) => ({ type: 'track', event: 'Tail', userId: 'u', messageId })) }),
  });
  return res.status;
}

describe('collector restart on a corrupt log tail', () => {
  it('reports and truncates the torn record, keeps what was acknowledged, and serves', async () => {
    const first = await start();
    const acked: string[] = [];
    for (let i = 0; i < 5; i++) {
      const ids = Array.from({ length: 10 }, (_, j) => `tail-${i}-${j}`);
      expect(await post(first.url, ids)).toBe(200);
      acked.push(...ids);
    }
    first.cli.child.kill('SIGKILL');
    await first.cli.exited;

    // A record header promising 4 KiB of payload, followed by 10 bytes: a write torn by the crash.
    const segments = (await readdir(wal.path)).filter((name) => name.endsWith('.wal')).sort();
    expect(segments.length).toBeGreaterThan(0);
    const torn = Buffer.alloc(26);
    torn.writeUInt32LE(4096, 0);
    torn.writeUInt32LE(0xdeadbeef, 4);
    torn.writeDoubleLE(Date.now(), 8);
    await appendFile(join(wal.path, segments[segments.length - 1] as string), torn);

    const second = await start();
    expect(second.cli.stdout()).toMatch(/write-ahead log .*(torn|corrupt|truncat)/i);
    const more = Array.from({ length: 10 }, (_, j) => `tail-after-${j}`);
    expect(await post(second.url, more)).toBe(200);
    acked.push(...more);
    second.cli.child.kill('SIGTERM');
    expect(await second.cli.exited).toBe(0);

    const client = openChdb(data.path);
    try {
      const rows = await (await client.query({ query: "SELECT message_id, count() AS n FROM sluice.events WHERE event = 'Tail' GROUP BY message_id", format: 'JSONEachRow' })).json<{ message_id: string; n: string }>();
      const counts = new Map(rows.map((row) => [row.message_id, Number(row.n)]));
      expect(acked.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(counts.size).toBe(acked.length);
    } finally {
      await client.close();
    }
  });
});
