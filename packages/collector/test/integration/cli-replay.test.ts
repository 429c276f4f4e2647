import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './clickhouse-fixtures';
import { runCli, type Spawned } from './cli-support';
import { openChdb } from './wal-chdb-helpers';

/**
 * `sluice serve --keep-raw 1d` keeps its sent log segments; `sluice replay DIR` loads them into a
 * new data directory with a progress bar, and running it again stores nothing twice (checked
 * without FINAL: the replay's tokens are the log's, so ClickHouse drops the second copy).
 */
const data = tempDir('replay-data');
const fresh = tempDir('replay-fresh');
const wal = tempDir('replay-wal');
const spawned: Spawned[] = [];
afterAll(() => {
  for (const cli of spawned) cli.kill();
  for (const dir of [data, fresh, wal]) dir.remove();
});

describe('sluice replay', () => {
  it('re-loads kept segments into a new ClickHouse, idempotently, with progress on stderr', async () => {
    const serve = runCli(['serve', '--embedded', data.path, '--wal', wal.path, '--keep-raw', '1d', '--write-key', 'k=p', '--port', '0']);
    spawned.push(serve);
    const [, url] = await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = Array.from({ length: 50 }, (_, j) => ({ type: 'track', event: 'Replay', userId: 'u', messageId: `replay-${i}-${j}` }));
      const res = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: JSON.stringify({ batch }) });
      expect(res.status).toBe(200);
      ids.push(...batch.map((event) => event.messageId));
    }
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);

    for (let run = 0; run < 2; run++) {
      const replay = runCli(['replay', wal.path, '--embedded', fresh.path]);
      spawned.push(replay);
      expect(await replay.exited, replay.stderr()).toBe(0);
      expect(replay.stderr()).toMatch(/^replay \[#+\.*\] +\d+%/m);
      expect(replay.stderr()).toMatch(/replay \[#{30}\] 100%/);
      expect(replay.stdout()).toMatch(/replayed 20 records \(1000 rows\) in \d+ batches/);
    }

    const client = openChdb(fresh.path);
    try {
      const rows = await (await client.query({ query: "SELECT message_id, count() AS n FROM sluice.events WHERE event = 'Replay' GROUP BY message_id", format: 'JSONEachRow' })).json<{ message_id: string; n: string }>();
      const counts = new Map(rows.map((row) => [row.message_id, Number(row.n)]));
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(counts.size).toBe(ids.length);
    } finally {
      await client.close();
    }
  });
});
