import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openChdb } from './wal-chdb-helpers';
import { servedCollector, startLoad, waitUntil } from './durability-support';

/**
 * `kill -9` of the built `sluice serve` (default ack: wal, embedded chDB) under concurrent load,
 * four times, then a restart on the same directories and a SIGTERM drain. Every messageId the collector
 * answered 200 for must be in `sluice.events` exactly once.
 *
 * "Exactly once" is checked WITHOUT `FINAL`: `events` is a ReplacingMergeTree, and a background
 * merge could hide a duplicate at any time, so a plain `GROUP BY message_id HAVING count() > 1`
 * being empty proves the re-sent batches were dropped at insert time by their
 * `insert_deduplication_token` (the log range), not collapsed by merge luck. Nothing runs
 * `OPTIMIZE`, and the collector's own retry dedupe cannot help across a restart (it is in memory).
 */
const served = servedCollector('kill');
const { data, wal } = served;
const start = served.start;
afterAll(() => served.dispose());

async function pendingRange(): Promise<unknown> {
  try {
    return (JSON.parse(await readFile(join(wal.path, 'cursor.json'), 'utf8')) as { pending: unknown }).pending;
  } catch {
    return null; // not written yet, or being replaced
  }
}

describe('collector kill -9 under load', () => {
  it('keeps every acknowledged event, stored exactly once', async () => {
    let url = '';
    const load = startLoad({ url: () => url, writeKey: 'k', prefix: 'kill', workers: 6, eventsPerRequest: 25 });
    for (let round = 0; round < 3; round++) {
      const server = await start();
      url = server.url;
      const before = load.acked.size;
      await waitUntil('the collector acknowledged load', () => load.acked.size >= before + 2_000, 30_000, 5);
      // Kill mid-insert. The log records a batch's range as pending before the insert is sent and
      // clears it once ClickHouse acknowledged: time one such window, then kill late in the next one,
      // when the insert has usually reached ClickHouse but is not yet committed in the log. The
      // restart must re-send exactly that range, with the same token, and ClickHouse must drop it.
      let window = 0;
      for (let tries = 0; ; tries++) {
        await waitUntil('a batch is being inserted', async () => (await pendingRange()) !== null, 30_000, 1);
        const range = JSON.stringify(await pendingRange());
        const opened = performance.now();
        if (window > 0) {
          await new Promise((resolve) => setTimeout(resolve, window * (0.7 + 0.25 * Math.random())));
          if (JSON.stringify(await pendingRange()) === range || tries > 20) break;
        }
        await waitUntil('the batch is committed', async () => JSON.stringify(await pendingRange()) !== range, 30_000, 1);
        window = performance.now() - opened;
      }
      server.cli.child.kill('SIGKILL');
      expect(await server.cli.exited).toBe('SIGKILL');
    }

    // The narrowest window, made certain: a kill after ClickHouse stored a batch but before the log
    // recorded the commit. Let the last batch commit, kill, then put the cursor back to what it said
    // during that insert (its range pending, not committed), as if the commit never reached the disk.
    const server = await start();
    url = server.url;
    let range: { first: number; last: number } | null = null;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const pending = (await pendingRange()) as { first: number; last: number } | null;
        if (pending) range = pending;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const before = load.acked.size;
    await waitUntil('the collector acknowledged load', () => load.acked.size >= before + 2_000, 30_000, 5);
    await load.stop();
    await waitUntil('the log is drained', async () => /^sluice_wal_bytes 0$/m.test(await (await fetch(`${url}/metrics`)).text()), 30_000, 20);
    watching = false;
    await watch;
    server.cli.child.kill('SIGKILL');
    expect(await server.cli.exited).toBe('SIGKILL');
    const cursor = JSON.parse(await readFile(join(wal.path, 'cursor.json'), 'utf8')) as { committed: number; pending: unknown };
    const last = range as { first: number; last: number } | null;
    expect(last).not.toBeNull();
    expect(cursor).toMatchObject({ committed: last!.last, pending: null });
    await writeFile(join(wal.path, 'cursor.json'), `${JSON.stringify({ ...cursor, committed: last!.first - 1, pending: last })}\n`);
    const acked = [...load.acked];
    expect(acked.length).toBeGreaterThan(8_000);

    // Restart on the same directories: recovery, then the pending batch is re-sent with its token.
    const final = await start();
    let metrics = '';
    await waitUntil('the log is drained', async () => /^sluice_wal_bytes 0$/m.test((metrics = await (await fetch(`${final.url}/metrics`)).text())), 30_000, 100);
    // The batch that was pending at the kill was re-sent first, with its recorded token.
    expect(metrics).toMatch(/^sluice_replayed_batches_total [1-9]/m);
    expect(metrics).toMatch(/^sluice_wal_fsyncs_total \d+/m);
    expect(metrics).toMatch(/^sluice_wal_oldest_unsent_age_seconds 0$/m);
    final.cli.child.kill('SIGTERM');
    expect(await final.cli.exited).toBe(0);
    expect(final.cli.stderr()).not.toMatch(/still in the write-ahead log/);

    const client = openChdb(data.path);
    try {
      const doubled = await (
        await client.query({ query: 'SELECT message_id, count() AS n FROM sluice.events GROUP BY message_id HAVING n > 1 LIMIT 10', format: 'JSONEachRow' })
      ).json<{ message_id: string; n: string }>();
      expect(doubled, 'message_ids stored more than once (without FINAL)').toEqual([]);
      const stored = new Set(
        (await (await client.query({ query: "SELECT message_id FROM sluice.events WHERE project = 'p'", format: 'JSONEachRow' })).json<{ message_id: string }>()).map(
          (row) => row.message_id,
        ),
      );
      const lost = acked.filter((id) => !stored.has(id));
      expect(lost.length, `acknowledged but not stored, e.g. ${lost.slice(0, 5).join(', ')}`).toBe(0);
    } finally {
      await client.close();
    }
  });
});
