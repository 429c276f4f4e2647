import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirement } from '../../../../test/support/requirements';
import { createCollector, type Collector } from '../../src/collector';
import { tempDir } from './clickhouse-fixtures';
import { waitUntil } from './durability-support';
import { basic, query } from './http-support';

/**
 * The write-ahead log on a 3 MB filesystem (a tmpfs mounted for this suite; mounting needs root).
 * ClickHouse stops taking inserts (too many parts), the log fills, and the collector answers 503
 * with Retry-After. Once ClickHouse takes inserts again, what the log held lands, the log gives its
 * disk back, and the same process answers 200 again: no restart. Every acknowledged event is in
 * ClickHouse once.
 */
const mountPoint = mkdtempSync(join(tmpdir(), 'sluice-small-disk-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  mounted = true;
} catch {
  // reported by the requirement below
}
const canMount = requirement('a 3 MB tmpfs for the write-ahead log', mounted, 'run the integration suite as root (it mounts a tmpfs and unmounts it afterwards)');

describe.skipIf(!canMount)('the write-ahead log on a full disk', () => {
  const data = tempDir('full-disk-data');
  const walDir = join(mountPoint, 'wal');
  let collector: Collector;
  let client: ClickHouseClient;
  const acked = new Set<string>();
  let sequence = 0;

  /** Posts one request of `size` events (about 1 KB each); records what was acknowledged. */
  async function post(size = 40): Promise<Response> {
    const batch = Array.from({ length: size }, () => ({
      type: 'track',
      messageId: `m-${++sequence}`,
      userId: `u-${sequence % 50}`,
      event: 'Page Scrolled',
      properties: { depth: sequence % 100, note: 'x'.repeat(700) },
    }));
    const response = await collector.fetch(
      new Request('http://collector/v1/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic('k') },
        body: JSON.stringify({ batch }),
      }),
    );
    if (response.status === 200) for (const event of batch) acked.add(event.messageId);
    return response;
  }

  /** ClickHouse refuses inserts into `events` (TOO_MANY_PARTS, a transient error) until `resume`. */
  async function pauseInserts(): Promise<void> {
    await client.command({ query: 'SYSTEM STOP MERGES sluice.events' });
    await client.command({ query: 'ALTER TABLE sluice.events MODIFY SETTING parts_to_throw_insert = 1' });
  }
  async function resumeInserts(): Promise<void> {
    await client.command({ query: 'ALTER TABLE sluice.events MODIFY SETTING parts_to_throw_insert = 3000' });
    await client.command({ query: 'SYSTEM START MERGES sluice.events' });
  }

  async function postUntil503(): Promise<Response> {
    for (let i = 0; i < 2_000; i++) {
      const response = await post();
      if (response.status === 503) return response;
      expect(response.status).toBe(200);
    }
    throw new Error('the log never filled');
  }

  async function landed(): Promise<number> {
    const [row] = await query<{ n: string }>(client, 'SELECT uniqExact(message_id) AS n FROM sluice.events WHERE project = {p:String}', { p: 'p' });
    return Number(row?.n);
  }

  beforeAll(async () => {
    collector = createCollector({
      writeKeys: { k: 'p' },
      engine: { embedded: { path: data.path } },
      wal: { dir: walDir },
      writer: { batchMaxDelayMs: 20, batchMaxRows: 200, retry: { baseMs: 10, capMs: 100 } },
      limits: { dedupeWindow: 0 },
    });
    const startup = await collector.ready();
    client = (startup.engine as { client: ClickHouseClient }).client;
    // One part in `events`, so that parts_to_throw_insert = 1 refuses the next insert.
    expect((await post(1)).status).toBe(200);
    await waitUntil('the first event lands', async () => (await landed()) === 1, 30_000);
  }, 120_000);

  afterAll(async () => {
    await collector?.close(5_000).catch(() => {});
    if (mounted) execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
    data.remove();
  });

  it('answers 503 with Retry-After while the log is full, and 200 again once it drained, with no restart', async () => {
    await pauseInserts();
    const refused = await postUntil503();
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ success: false });
    expect((await post()).status).toBe(503);
    const held = acked.size;
    expect(held).toBeGreaterThan(500);

    await resumeInserts();
    await waitUntil('the collector accepts again', async () => (await post(5)).status === 200, 60_000, 100);
    await waitUntil('every acknowledged event is in ClickHouse', async () => (await landed()) === acked.size, 60_000, 100);
  }, 180_000);

  it('gives the drained log its disk back when something else filled the disk', async () => {
    // Something else takes most of the disk, leaving the log about 600 KB: it fills them long before
    // its own cap (weighed against the disk at start), and the collector answers 503.
    const filler = join(mountPoint, 'filler');
    const stats = statfsSync(mountPoint);
    writeFileSync(filler, Buffer.alloc(Math.max(0, stats.bavail * stats.bsize - 600 * 1024)));
    await pauseInserts();
    const refused = await postUntil503();
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { message: string }).message).toMatch(/the disk under the write-ahead log .* is full/);

    // ClickHouse takes inserts again: the log drains, then seals and deletes its last segment (it
    // holds only committed records), and the collector takes events again while the filler stays.
    await resumeInserts();
    await waitUntil('every acknowledged event is in ClickHouse', async () => (await landed()) === acked.size, 60_000, 100);
    await waitUntil('the drained log gave its segments back', () => readdirSync(walDir).filter((name) => name.endsWith('.wal')).length === 0, 10_000);
    expect((await post()).status).toBe(200);
    await waitUntil('the new events are in ClickHouse', async () => (await landed()) === acked.size, 60_000, 100);
    expect(readdirSync(mountPoint)).toContain('filler');
    rmSync(filler);
  }, 180_000);
});
