import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { scanRecords } from './record-codec';
import { SEGMENT_HEADER_BYTES, decodeSegmentHeader, parseSegmentFileName } from './segment-format';
import { createRetryPolicy } from '../clickhouse/retry-policy';
import type { RetryOptions, RetryPolicy } from '../clickhouse/retry-policy';
import { assembleBatch, recordRows } from './wal-batch';
import type { WalInsert } from './wal-sink';
import type { WalRecord } from './wal-types';

export interface ReplayProgress {
  records: number;
  totalRecords: number;
  bytes: number;
  totalBytes: number;
  batches: number;
  rows: number;
}

export interface ReplayOptions {
  dir: string;
  /** One try per call (the insert chain without retry); replay retries with `retry`. */
  insert: WalInsert;
  onProgress?: (progress: ReplayProgress) => void;
  logger?: Logger;
  batchMaxRows?: number;
  batchMaxBytes?: number;
  /** `attempts`: tries per batch before replay stops with an error (re-running it resumes safely). */
  retry?: RetryOptions;
  signal?: AbortSignal;
  /** Injected for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * Re-loads every record of every segment in `dir` (committed or not; the cursor is ignored and
 * nothing in `dir` is modified) into ClickHouse. Batches are packed greedily from the start of
 * each segment, so the same segments with the same batch limits always give the same ranges and
 * tokens (`wal-<logId>-<first>-<last>`): re-running a replay, even after it failed halfway, stores
 * nothing twice. A torn tail is reported and skipped.
 */
export async function replayLog(options: ReplayOptions): Promise<ReplayProgress> {
  const logger = options.logger ?? silentLogger;
  const batchMaxRows = options.batchMaxRows ?? DEFAULTS.batchMaxRows;
  const batchMaxBytes = options.batchMaxBytes ?? DEFAULTS.batchMaxBytes;
  const policy = createRetryPolicy(options.retry, { sleep: options.sleep, random: options.random });
  const segments = (await readdir(options.dir))
    .map((name) => ({ name, start: parseSegmentFileName(name) }))
    .filter((entry): entry is { name: string; start: number } => entry.start !== undefined)
    .sort((a, b) => a.start - b.start);
  if (segments.length === 0) {
    throw new CollectorError('config', `no write-ahead log segments (*.wal) in ${options.dir}; pass the directory given to --wal`);
  }

  const progress: ReplayProgress = { records: 0, totalRecords: 0, bytes: 0, totalBytes: 0, batches: 0, rows: 0 };
  for (const segment of segments) progress.totalBytes += (await stat(join(options.dir, segment.name))).size;
  const lastSegment = segments[segments.length - 1] as { name: string; start: number };
  for (let i = 0; i + 1 < segments.length; i++) progress.totalRecords += (segments[i + 1] as { start: number }).start - (segments[i] as { start: number }).start;
  const lastScan = await readSegment(options.dir, lastSegment.name, lastSegment.start, logger);
  progress.totalRecords += lastScan.records.length;
  options.onProgress?.({ ...progress });

  for (const segment of segments) {
    const scan = segment === lastSegment ? lastScan : await readSegment(options.dir, segment.name, segment.start, logger);
    let batch: WalRecord[] = [];
    let rows = 0;
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const assembled = assembleBatch(scan.logId, batch, logger);
      await insertWithRetry(options, assembled, policy, logger);
      progress.batches++;
      progress.rows += assembled.eventRows + assembled.quarantineRows;
      progress.records += batch.length;
      progress.bytes += bytes;
      options.onProgress?.({ ...progress });
      batch = [];
      rows = 0;
      bytes = 0;
    };
    for (const record of scan.records) {
      const size = recordRows(record, logger);
      if (batch.length > 0 && (rows + size.rows > batchMaxRows || bytes + size.bytes > batchMaxBytes)) await flush();
      batch.push(record);
      rows += size.rows;
      bytes += size.bytes;
      if (rows >= batchMaxRows || bytes >= batchMaxBytes) await flush();
    }
    await flush();
    progress.bytes += scan.overheadBytes;
    options.onProgress?.({ ...progress });
  }
  return progress;
}

interface SegmentScan {
  logId: string;
  records: WalRecord[];
  /** Segment bytes that are not payload (headers, torn tail), counted once the segment is done. */
  overheadBytes: number;
}

async function readSegment(dir: string, name: string, start: number, logger: Logger): Promise<SegmentScan> {
  const path = join(dir, name);
  const buf = await readFile(path);
  const header = decodeSegmentHeader(buf);
  if (!header.ok || header.header.startSeq !== start) {
    throw new CollectorError('config', `${path} is not a readable write-ahead log segment (${header.ok ? `it starts at ${header.header.startSeq}` : header.reason})`);
  }
  const scan = scanRecords(buf, SEGMENT_HEADER_BYTES, start);
  if (scan.problem !== undefined) {
    logger.warn({ segment: path, problem: scan.problem, at: scan.validEnd, lastRecord: start + scan.records.length - 1 }, `${path} ends with a ${scan.problem === 'truncated' ? 'torn' : 'corrupt'} record at byte ${scan.validEnd}; replaying the ${scan.records.length} records before it`);
  }
  const payloadBytes = scan.records.reduce((sum, record) => sum + record.payload.length, 0);
  return {
    logId: header.header.logId,
    records: scan.records.map((record) => ({ position: record.seq, appendedAt: record.appendedAt, payload: record.payload })),
    overheadBytes: buf.length - payloadBytes,
  };
}

async function insertWithRetry(options: ReplayOptions, batch: ReturnType<typeof assembleBatch>, policy: RetryPolicy, logger: Logger): Promise<void> {
  let tries = 0;
  try {
    await policy.run(
      () => {
        tries++;
        return options.insert(batch, options.signal ?? new AbortController().signal);
      },
      {
        signal: options.signal,
        retryable: () => true,
        onRetry: (error, attempt, retryInMs) => logger.warn({ err: error, token: batch.token, attempt, retryInMs }, 'replay insert failed, retrying'),
      },
    );
  } catch (error) {
    throw new CollectorError('engine', `replay of records ${batch.first}…${batch.last} failed after ${tries} tries (${(error as Error).message}); fix ClickHouse and run the replay again: batches already stored are not stored twice`, { cause: error });
  }
}
