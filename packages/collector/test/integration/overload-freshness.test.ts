import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createCollector } from '../../src/collector';
import { DEFAULTS } from '../../src/defaults';
import { createEngine } from '../../src/clickhouse';
import { createRequestListener } from '../../src/node';
import { tempDir } from './clickhouse-fixtures';
import { basic, query } from './http-support';

/**
 * Overload: the drain is throttled (the writer waits for a batch of a million rows or a minute), so
 * the oldest acknowledged event not yet in ClickHouse ages while intake goes on. Past the collector's
 * freshness bound it answers 503 with Retry-After instead of acknowledging more, and everything it
 * did acknowledge lands once the drain runs (here: at shutdown).
 */
describe('a collector whose drain falls behind its intake', () => {
  const dir = tempDir('overload-freshness');
  const BOUND_MS = 1_000;
  afterAll(() => dir.remove());

  it('answers 503 with Retry-After past the freshness bound, and lands everything it acknowledged', async () => {
    const collector = createCollector({
      writeKeys: { key1: 'shop' },
      engine: { embedded: { path: `${dir.path}/data` } },
      wal: { dir: `${dir.path}/wal`, maxUnsentAgeMs: BOUND_MS },
      writer: { batchMaxRows: 1_000_000, batchMaxBytes: 512 * 1024 * 1024, batchMaxDelayMs: 60_000 },
    });
    await collector.ready();
    const server: Server = createServer(createRequestListener(collector));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/batch`;

    const acknowledged: string[] = [];
    let refused: Response | undefined;
    try {
      // Sends until refused; the bound is 1 s, so this takes about a second (600 rounds is a generous cap).
      for (let round = 0; round < 600 && !refused; round++) {
        const ids = Array.from({ length: 20 }, (_, i) => `ovl-${round}-${i}`);
        const answer = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: basic('key1') },
          body: JSON.stringify({ batch: ids.map((messageId) => ({ type: 'track', event: 'Clicked', messageId, userId: 'u1' })) }),
        });
        if (answer.status === 200) acknowledged.push(...ids);
        else refused = answer;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toBe(String(DEFAULTS.walRetryAfterSeconds));
    const body = (await refused!.json()) as { code: string; message: string };
    expect(body.code).toBe('overloaded');
    expect(body.message).toMatch(/not keeping up.*retry after/);

    // Shutdown drains the log into ClickHouse; then count what landed with a fresh engine.
    await collector.close(60_000);
    const engine = await createEngine({ embedded: { path: `${dir.path}/data` } });
    try {
      const landed = await query<{ message_id: string }>(engine.client, "SELECT DISTINCT message_id FROM sluice.events WHERE startsWith(message_id, 'ovl-')");
      expect(new Set(landed.map((row) => row.message_id))).toEqual(new Set(acknowledged));
    } finally {
      await engine.close();
    }
  });
});
