/**
 * What the compatibility suites share: a real collector (node:http adapter, `ack: 'clickhouse'`,
 * embedded chDB) on a free loopback port, and queries of what landed. The collector's in-memory
 * messageId dedupe is off, so a duplicate sent by a client shows as a second row (or in
 * `sluice_events_total{outcome="accepted"}`) instead of being hidden.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClickHouseClient } from '@clickhouse/client';
import { createCollector, type Collector, type CollectorOptions } from '../../src/collector';
import { createEngine, type Engine } from '../../src/clickhouse';
import { createRequestListener } from '../../src/node';
import { tempDir } from './clickhouse-fixtures';
import { query } from './http-support';
export { eventually } from '../../../../test/support/eventually';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * `describe.skipIf(skipUnless(...))`: skips a suite whose browser or server is missing on a
 * developer machine, but never in CI (`CI=true`), where `failUnless` in `beforeAll` then fails it.
 */
export const skipUnless = (present: boolean): boolean => !present && !process.env.CI;
export function failUnless(present: boolean, what: string, install: string): void {
  if (!present) throw new Error(`${what} is missing, and CI must run this suite: ${install}`);
}
export const hasChromium = existsSync(CHROMIUM);

export interface CompatCollector {
  /** `http://127.0.0.1:PORT`, what a client's host setting gets. */
  origin: string;
  /** `127.0.0.1:PORT`, what analytics.js's `apiHost` gets (with `/v1` after it). */
  hostPort: string;
  client: ClickHouseClient;
  collector: Collector;
  close(): Promise<void>;
}

/** One request as it reached the collector: its path and, unless compressed, its body. */
export interface SeenRequest {
  method: string;
  path: string;
  body: string;
}

export async function startCompatCollector(
  prefix: string,
  options: Partial<CollectorOptions> & Pick<CollectorOptions, 'writeKeys'>,
  seen?: SeenRequest[],
): Promise<CompatCollector> {
  const dir = tempDir(prefix);
  let engine: Engine | undefined;
  let collector: Collector | undefined;
  let server: Server | undefined;
  try {
    engine = await createEngine({ embedded: { path: dir.path } });
    collector = createCollector({ engine: { clickhouse: engine.client }, ack: 'clickhouse', cors: '*', writer: { batchMaxDelayMs: 20 }, ...options, limits: { dedupeWindow: 0, ...options.limits } });
    await collector.ready();
    const target = collector;
    const recording = {
      fetch: async (request: Request, info?: Parameters<Collector['fetch']>[1]) => {
        if (seen && !request.headers.get('content-encoding')) {
          seen.push({ method: request.method, path: new URL(request.url).pathname, body: request.method === 'POST' ? await request.clone().text() : '' });
        }
        return target.fetch(request, info);
      },
    };
    server = createServer(createRequestListener(seen ? recording : collector));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  } catch (error) {
    await collector?.close().catch(() => {});
    await engine?.close().catch(() => {});
    dir.remove();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const live = { server, collector, engine };
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    client: engine.client,
    collector,
    async close() {
      live.server.closeAllConnections();
      await new Promise((resolve) => live.server.close(resolve));
      await live.collector.close(10_000);
      await live.engine.close();
      dir.remove();
    },
  };
}

export interface LandedRow {
  message_id: string;
  type: string;
  event: string;
  user_id: string;
  anonymous_id: string;
  group_id: string;
  previous_id: string;
  properties: string;
  traits: string;
  context: string;
  page_path: string;
  library_name: string;
  library_version: string;
}

/** Every row of the project, oldest first, JSON columns as JSON text. */
export function landed(client: ClickHouseClient, project: string): Promise<LandedRow[]> {
  return query<LandedRow>(
    client,
    `SELECT message_id, type, event, user_id, anonymous_id, group_id, previous_id,
       toJSONString(properties) AS properties, toJSONString(traits) AS traits, toJSONString(context) AS context,
       page_path, library_name, library_version
     FROM sluice.events WHERE project = {p:String} ORDER BY original_timestamp, received_at`,
    { p: project },
  );
}

/** Rows per type, e.g. `{ track: 3, page: 2 }`. */
export function countByType(rows: readonly LandedRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.type] = (counts[row.type] ?? 0) + 1;
  return counts;
}

export async function quarantined(client: ClickHouseClient, project: string): Promise<{ reason: string; raw: string }[]> {
  return query(client, 'SELECT reason, raw FROM sluice.events_quarantine WHERE project = {p:String}', { p: project });
}

/** The value of one sample of the collector's /metrics, 0 when absent. */
export async function metric(collector: Collector, sample: string): Promise<number> {
  const text = await collector.metrics.text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

