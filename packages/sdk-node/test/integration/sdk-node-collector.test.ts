/**
 * The SDK against the real collector (`@sluice/collector`, embedded chDB, ack after the insert), over
 * real sockets, with the acknowledgement of one request lost on the way back so the SDK retries a
 * batch the collector already stored. Every tracked messageId must land in `sluice.events` exactly once.
 *
 * Uses the collector's published entry points (its dist: build it first). Skipped, with the reason
 * printed, when the collector or chdb cannot be loaded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirement } from '../../../../test/support/requirements';
import { createAnalytics } from '../../src/index';
import type { SluiceSdkError } from '../../src/index';

/** The parts of the collector this test uses, typed here so the SDK's typecheck does not depend on the collector's progress. */
interface QueryClient {
  query(params: { query: string; format: 'JSONEachRow'; query_params?: Record<string, unknown> }): Promise<{ json<T>(): Promise<T[]> }>;
}
interface CollectorModule {
  createEngine(options: { embedded: { path: string } }): Promise<{ client: QueryClient; close(): Promise<void> }>;
  createCollector(options: Record<string, unknown>): { fetch(request: Request): Promise<Response>; ready(): Promise<unknown>; close(deadlineMs?: number): Promise<void> };
}
interface NodeAdapterModule {
  toRequest(req: IncomingMessage, url?: string): Request;
  writeResponse(res: ServerResponse, response: Response): Promise<void>;
}

type Loaded = { collector: CollectorModule; node: NodeAdapterModule } | { reason: string };
const loaded: Loaded = await (async (): Promise<Loaded> => {
  try {
    const collector = (await import('@sluice/collector' as string)) as CollectorModule;
    const node = (await import('@sluice/collector/node' as string)) as NodeAdapterModule;
    await import('chdb/connection' as string);
    if (typeof collector.createCollector !== 'function' || typeof collector.createEngine !== 'function' || typeof node.toRequest !== 'function') {
      return { reason: 'the collector does not export createCollector, createEngine and the node adapter yet' };
    }
    return { collector, node };
  } catch (error) {
    return { reason: `the collector or chdb cannot be loaded: ${String(error)}` };
  }
})();
const collectorAvailable = requirement('the built @sluice/collector with chdb', 'collector' in loaded, `run npm ci && npm run build (${'reason' in loaded ? loaded.reason : ''})`);

const N = 600;
const PLACED_AT = new Date(Date.UTC(2025, 5, 1, 12));
const dir = mkdtempSync(join(tmpdir(), 'sluice-sdk-node-'));
let engine: Awaited<ReturnType<CollectorModule['createEngine']>> | undefined;
let collector: ReturnType<CollectorModule['createCollector']> | undefined;
let server: Server | undefined;
let url = '';
let requests = 0;
let lostAcks = 0;

describe.skipIf(!collectorAvailable)('@sluice/sdk-node → @sluice/collector (chDB)', () => {
  beforeAll(async () => {
    if (!('collector' in loaded)) return;
    const { collector: mod, node } = loaded;
    engine = await mod.createEngine({ embedded: { path: dir } });
    collector = mod.createCollector({ writeKeys: { 'sdk-node-key': 'sdk-node' }, engine: { clickhouse: engine.client }, ack: 'clickhouse', writer: { batchMaxDelayMs: 20 } });
    await collector.ready();
    server = createServer((req, res) => {
      const index = requests++;
      void (async () => {
        const response = await collector!.fetch(node.toRequest(req));
        // The second request is stored and acknowledged, but the answer never reaches the SDK.
        if (index === 1 && response.status === 200) {
          lostAcks++;
          req.socket.destroy();
          return;
        }
        await node.writeResponse(res, response);
      })();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server!.close(resolve));
    }
    await collector?.close(5_000);
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`lands ${N} events of every type exactly once, even when an acknowledgement is lost`, async () => {
    const errors: SluiceSdkError[] = [];
    const analytics = createAnalytics({
      writeKey: 'sdk-node-key',
      endpoint: url,
      flushAt: 100,
      concurrency: 2,
      // msgpack is the default; gzip on top exercises the collector's decompression too.
      compression: 'gzip',
      // Sent once per request as the batch's context; the collector merges it into every event.
      context: { app: { name: 'shop' } },
      retry: { attempts: 5, baseMs: 50, capMs: 200 },
      onError: (error) => errors.push(error),
    });
    const sent: { id: string; type: string }[] = [];
    for (let i = 0; i < N; i++) {
      const userId = `user-${i % 37}`;
      switch (i % 6) {
        case 0:
          // A Date and an undefined value travel as JSON would send them (an ISO string; left out).
          sent.push({
            id: analytics.track({ event: 'Order Placed', userId, properties: { total: i * 1.25, currency: 'EUR', items: [{ sku: `s${i}` }], placedAt: PLACED_AT, coupon: undefined } }),
            type: 'track',
          });
          break;
        case 1:
          sent.push({ id: analytics.identify({ userId, traits: { plan: i % 2 ? 'pro' : 'free' } }), type: 'identify' });
          break;
        case 2:
          sent.push({ id: analytics.page({ anonymousId: `anon-${i}`, name: 'Pricing', properties: { path: '/pricing' }, context: { page: { path: '/pricing', url: 'https://x.test/pricing' } } }), type: 'page' });
          break;
        case 3:
          sent.push({ id: analytics.screen({ userId, name: 'Settings' }), type: 'screen' });
          break;
        case 4:
          sent.push({ id: analytics.group({ userId, groupId: `org-${i % 5}`, traits: { seats: i } }), type: 'group' });
          break;
        default:
          sent.push({ id: analytics.alias({ userId, previousId: `anon-${i}` }), type: 'alias' });
      }
    }
    const result = await analytics.shutdown({ timeoutMs: 30_000 });
    expect(errors).toEqual([]);
    expect(result).toMatchObject({ timedOut: false, undelivered: 0 });
    expect(lostAcks).toBe(1);
    expect(analytics.stats()).toMatchObject({ sent: N, failed: 0, dropped: 0, rejected: 0 });
    expect(analytics.stats().retried).toBeGreaterThanOrEqual(1);

    const rows = await (
      await engine!.client.query({
        query: `SELECT message_id, any(type) AS type, count() AS n, any(library_name) AS library, any(toString(context.app.name)) AS app, any(page_path) AS path, any(toString(properties.placedAt)) AS placedAt, any(JSONHas(toJSONString(properties), 'coupon')) AS hasCoupon FROM sluice.events WHERE project = {p:String} GROUP BY message_id`,
        format: 'JSONEachRow',
        query_params: { p: 'sdk-node' },
      })
    ).json<{ message_id: string; type: string; n: string | number; library: string; app: string; path: string; placedAt: string; hasCoupon: number | boolean }>();
    const landed = new Map(rows.map((row) => [row.message_id, row]));
    expect(rows.length).toBe(N);
    for (const { id, type } of sent) {
      // The shared context landed with every event, and a page's own context beside it.
      expect(landed.get(id), id).toMatchObject({ type, library: '@sluice/sdk-node', app: 'shop', path: type === 'page' ? '/pricing' : '' });
      expect(Number(landed.get(id)!.n), `${id} landed more than once`).toBe(1);
      // ClickHouse's JSON column reads the ISO string as a DateTime64.
      if (type === 'track') expect(landed.get(id), id).toMatchObject({ placedAt: expect.stringMatching(/^2025-06-01 12:00:00/), hasCoupon: 0 });
    }
  });
});
