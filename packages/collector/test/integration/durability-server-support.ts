import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventLineValues } from '../../src/clickhouse/ndjson';
import { createCollector, type Collector } from '../../src/collector';
import { createRequestListener } from '../../src/node';
import type { WalBatch, WalInsert } from '../../src/wal';
import type { ClickHouseServer } from './clickhouse-server-fixture';

/**
 * The WAL's path to a clickhouse-server 18.16, which cannot hold the production schema: each event
 * row of the batch becomes `{message_id, project}` in a small ReplacingMergeTree table. 18.16 has no
 * `insert_deduplication_token` (and no block dedup outside Replicated tables), so a batch re-sent
 * after an ambiguous failure (the server stored it, the answer was lost) is stored twice physically;
 * these suites count such re-sends and check duplicates never exceed them, and that `FINAL` (what
 * queries use, "dedupe in storage") counts each messageId once.
 */
export const TABLE = 'wal_events';

export async function createTestTable(server: ClickHouseServer): Promise<void> {
  await server.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (message_id String, project String, inserted DateTime DEFAULT now()) ENGINE = ReplacingMergeTree ORDER BY message_id`);
}

export interface InsertLedger {
  /** Rows of batches that were sent again after an attempt failed: the most that can be doubled. */
  resentRows: number;
  failures: number;
  /** Tokens that had at least one failed attempt. */
  failedTokens: Set<string>;
  inserts: number;
}

/** A `WalInsert` for the test table over HTTP, each attempt bounded by `timeoutMs`. */
export function insertInto18(url: () => string, timeoutMs: number, ledger: InsertLedger): WalInsert {
  return async (batch: WalBatch, signal: AbortSignal) => {
    if (batch.eventRows === 0) return;
    const rows = batch.events
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const row = eventLineValues(line);
        return JSON.stringify({ message_id: row.message_id, project: row.project });
      });
    if (ledger.failedTokens.has(batch.token)) ledger.resentRows += rows.length;
    try {
      // A plain timer, not AbortSignal.timeout() inside AbortSignal.any(): on Node 20 that pair can be
      // garbage-collected before it fires, leaving a stalled request hanging forever.
      const attempt = new AbortController();
      const timer = setTimeout(() => attempt.abort(new Error(`insert timed out after ${timeoutMs} ms`)), timeoutMs);
      const onAbort = (): void => attempt.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const { status, text } = await post(`${url()}/?query=${encodeURIComponent(`INSERT INTO ${TABLE} FORMAT JSONEachRow`)}`, `${rows.join('\n')}\n`, attempt.signal).finally(() => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      });
      if (status !== 200) throw new Error(`clickhouse-server ${status}: ${text.slice(0, 500)}`);
      ledger.inserts++;
    } catch (error) {
      ledger.failures++;
      ledger.failedTokens.add(batch.token);
      throw error;
    }
  };
}

/** One POST on a fresh connection (no keep-alive), so a proxy in between decides each request's fate. */
function post(url: string, body: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false, signal, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function newLedger(): InsertLedger {
  return { resentRows: 0, failures: 0, failedTokens: new Set(), inserts: 0 };
}

/** A collector (the real HTTP core) over a ready-made sink, served by node:http on a free port. */
export async function serveCollector(options: Parameters<typeof createCollector>[0]): Promise<{ collector: Collector; server: Server; url: string; close(): Promise<void> }> {
  const collector = createCollector(options);
  await collector.ready();
  const server = createServer(createRequestListener(collector));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    collector,
    server,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await collector.close(5_000);
    },
  };
}

export interface Stored {
  rows: number;
  unique: number;
  final: number;
  ids: Set<string>;
}

export async function stored(server: ClickHouseServer): Promise<Stored> {
  const [rows, unique] = (await server.query(`SELECT count(), uniqExact(message_id) FROM ${TABLE} FORMAT TSV`)).trim().split('\t').map(Number);
  const final = Number((await server.query(`SELECT count() FROM ${TABLE} FINAL FORMAT TSV`)).trim());
  const ids = new Set((await server.query(`SELECT message_id FROM ${TABLE} FORMAT TSV`)).split('\n').filter(Boolean));
  return { rows: rows as number, unique: unique as number, final, ids };
}
