import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/defaults';
import { createWalSink, createWriteAheadLog } from '../../src/wal';
import { createClickHouseServer, hasClickHouseServer, type ClickHouseServer } from './clickhouse-server-fixture';
import { tempDir } from './clickhouse-fixtures';
import { startLoad, waitUntil } from './durability-support';
import { createTestTable, insertInto18, newLedger, serveCollector, stored } from './durability-server-support';

/**
 * ClickHouse (a real 18.16 server) is down for longer than the log can hold (a 1 MiB cap): the
 * collector acknowledges until the log is full, then answers 503 with Retry-After and fails /ready,
 * stays alive (/health), and once ClickHouse is back drains everything and takes events again.
 */
describe.skipIf(!hasClickHouseServer())('clickhouse-server down longer than the log holds', () => {
  const walDir = tempDir('ch-down-wal');
  let server: ClickHouseServer;

  beforeAll(async () => {
    server = await createClickHouseServer('ch-down');
    await server.start();
    await createTestTable(server);
  });
  afterAll(async () => {
    await server?.remove();
    walDir.remove();
  });

  it('acknowledges up to the cap, then 503 + Retry-After, and drains everything after', async () => {
    const ledger = newLedger();
    const maxBytes = 1024 * 1024;
    const wal = await createWriteAheadLog({ dir: walDir.path, maxBytes });
    const sink = createWalSink({ wal, insert: insertInto18(() => server.url, 2_000, ledger), batchMaxDelayMs: 50, retry: { baseMs: 50, capMs: 300 } });
    const app = await serveCollector({ writeKeys: { k: 'p' }, sink });
    app.collector.metrics.watchWal(wal);
    const load = startLoad({ url: () => app.url, writeKey: 'k', prefix: 'down', workers: 4, eventsPerRequest: 20, backoffMs: 20 });
    try {
      await waitUntil('events flow', () => load.acked.size >= 300 && wal.bytes() < maxBytes / 4, 20_000, 5);
      await server.stop('SIGKILL');
      const ackedAtStop = load.acked.size;

      // The log fills: requests get 503 with Retry-After, /ready fails, /health still answers.
      await waitUntil('the log answers 503', () => (load.statuses.get('503') ?? 0) > 20, 20_000, 10);
      const refusal = load.lastRefusal as { status: number; retryAfter: string | null; body: { success: boolean; code: string; message: string } };
      expect(refusal.status).toBe(503);
      expect(refusal.retryAfter).toBe(String(DEFAULTS.walRetryAfterSeconds));
      expect(refusal.body).toMatchObject({ success: false, code: expect.stringMatching(/overloaded|unavailable/) });
      expect(refusal.body.message).toMatch(/retry/i);
      expect((await fetch(`${app.url}/ready`)).status).toBe(503);
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      expect(load.acked.size).toBeGreaterThan(ackedAtStop); // it kept acknowledging until the cap
      expect(wal.bytes()).toBeLessThanOrEqual(maxBytes);
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(Number(/^sluice_wal_oldest_unsent_age_seconds (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);

      // ClickHouse returns: the log drains, /ready recovers, new events are taken again.
      await server.start();
      await waitUntil('ready again', async () => (await fetch(`${app.url}/ready`)).status === 200, 30_000, 100);
      const ackedAtReady = load.acked.size;
      await waitUntil('new events are acknowledged', () => load.acked.size > ackedAtReady + 200, 20_000, 10);
      await load.stop();
      await waitUntil('the log is drained', async () => wal.cursor().committed >= wal.lastPosition(), 30_000, 50);
    } finally {
      await load.stop();
      await app.close();
    }

    const acked = [...load.acked];
    const got = await stored(server);
    const lost = acked.filter((id) => !got.ids.has(id));
    expect(lost.length, `acknowledged but not stored, e.g. ${lost.slice(0, 5).join(', ')}`).toBe(0);
    expect(got.final).toBe(acked.length);
    expect(got.rows - got.unique).toBeLessThanOrEqual(ledger.resentRows);
  });
});
