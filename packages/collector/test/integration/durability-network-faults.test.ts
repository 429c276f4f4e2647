import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWalSink, createWriteAheadLog } from '../../src/wal';
import { createClickHouseServer, hasClickHouseServer, type ClickHouseServer } from './clickhouse-server-fixture';
import { tempDir } from './clickhouse-fixtures';
import { pause, startLoad, waitUntil } from './durability-support';
import { createTestTable, insertInto18, newLedger, serveCollector, stored } from './durability-server-support';

type Mode = 'forward' | 'reset-before' | 'reset-after' | 'stall' | 'half-open';

/**
 * A TCP proxy on loopback between the WAL's writer and clickhouse-server 18.16. Each connection
 * gets the fault `mode` holds when it opens:
 * - `forward`: a plain pipe;
 * - `reset-before`: reads part of the request, then sends RST (the server never sees it);
 * - `reset-after`: forwards the whole request, then RSTs the client before the answer (the server
 *   stored the batch; the writer cannot know);
 * - `stall`: reads the request and never answers (past the insert timeout);
 * - `half-open`: forwards the request, swallows the answer, and leaves the client's socket open
 *   with no FIN and no RST, as a peer that vanished does.
 */
function createFaultProxy(target: () => number) {
  let mode: Mode = 'forward';
  const seen = new Map<Mode, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const current = mode;
    seen.set(current, (seen.get(current) ?? 0) + 1);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (current === 'stall') {
      client.resume();
      return;
    }
    if (current === 'reset-before') {
      client.once('data', () => client.resetAndDestroy());
      return;
    }
    const upstream = connect(target(), '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    if (current === 'forward') {
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      return;
    }
    // reset-after and half-open: the request reaches ClickHouse; its answer never reaches the writer.
    upstream.once('data', () => {
      if (current === 'reset-after') client.resetAndDestroy();
      upstream.resume();
    });
  });
  return {
    seen,
    set(next: Mode) {
      mode = next;
    },
    async listen(): Promise<number> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.skipIf(!hasClickHouseServer())('network faults between the writer and clickhouse-server', () => {
  const walDir = tempDir('netfault-wal');
  let server: ClickHouseServer;
  const proxy = createFaultProxy(() => server.httpPort);

  beforeAll(async () => {
    server = await createClickHouseServer('netfault');
    await server.start();
    await createTestTable(server);
  });
  afterAll(async () => {
    await proxy.close();
    await server?.remove();
    walDir.remove();
  });

  it('resets mid-insert, stalls past the timeout and half-open connections: no loss, no double counting', async () => {
    const port = await proxy.listen();
    const ledger = newLedger();
    const wal = await createWriteAheadLog({ dir: walDir.path });
    const sink = createWalSink({ wal, insert: insertInto18(() => `http://127.0.0.1:${port}`, 600, ledger), batchMaxDelayMs: 30, retry: { baseMs: 20, capMs: 200 } });
    const app = await serveCollector({ writeKeys: { k: 'p' }, sink });
    const load = startLoad({ url: () => app.url, writeKey: 'k', prefix: 'net', workers: 4, eventsPerRequest: 10 });
    try {
      const modes: Mode[] = ['reset-before', 'forward', 'reset-after', 'forward', 'stall', 'forward', 'half-open', 'forward'];
      for (let round = 0; round < 2; round++) {
        for (const mode of modes) {
          proxy.set(mode);
          await pause(mode === 'forward' ? 250 : 900);
        }
      }
      proxy.set('forward');
      await load.stop();
      await waitUntil('the log is drained', async () => wal.cursor().committed >= wal.lastPosition(), 30_000, 50);
    } finally {
      proxy.set('forward');
      await load.stop();
      await app.close();
    }

    for (const mode of ['reset-before', 'reset-after', 'stall', 'half-open'] as const) expect(proxy.seen.get(mode), mode).toBeGreaterThan(0);
    expect(ledger.failures).toBeGreaterThan(4);
    const acked = [...load.acked];
    expect(acked.length).toBeGreaterThan(1_000);
    const got = await stored(server);
    const lost = acked.filter((id) => !got.ids.has(id));
    expect(lost.length, `acknowledged but not stored, e.g. ${lost.slice(0, 5).join(', ')}`).toBe(0);
    expect(got.final, 'FINAL counts each messageId once').toBe(acked.length);
    expect(got.rows - got.unique, 'physical duplicates only from batches re-sent after an ambiguous failure').toBeLessThanOrEqual(ledger.resentRows);
    // Batches were re-sent after failures whose outcome was unknown. (Whether their physical
    // duplicates are still visible depends on whether a background merge already collapsed them.)
    expect(ledger.resentRows).toBeGreaterThan(0);
  });
});
