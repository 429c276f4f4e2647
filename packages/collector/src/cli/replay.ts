import { resolve } from 'node:path';
import { createEngine, migrate } from '../clickhouse';
import { createInsertChain } from '../clickhouse/insert-chain';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { logDirHolder } from '../wal/dir-lock';
import { formatBytes, renderProgressBar } from './progress-bar';
import { replayLog, type ReplayProgress } from '../wal/replay';
import type { CliConfig } from './config';

export interface ReplayIo {
  out: (line: string) => void;
  logger: Logger;
  /** Where the progress bar goes (stderr); redrawn with `\r` on a TTY, a line per step otherwise. */
  progress: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * `sluice replay DIR`: re-loads every segment of a write-ahead log directory into ClickHouse with
 * the log's own dedup tokens, so running it again (or after it stopped halfway) stores nothing twice.
 */
export async function runReplay(dir: string, config: CliConfig, io: ReplayIo): Promise<ReplayProgress> {
  const holder = await logDirHolder(dir);
  if (holder !== undefined) {
    throw new CollectorError('config', `the write-ahead log ${resolve(dir)} is in use by process ${holder}: a running collector sends it itself; stop it first, or replay a copy of the directory`);
  }
  const engine = await createEngine(config.engine);
  try {
    await migrate(engine.client, { database: engine.database, logger: io.logger });
    const started = Date.now();
    let nextStep = 0;
    const progress = (p: ReplayProgress, final = false): void => {
      const line = renderProgressBar({
        label: 'replay',
        done: p.bytes,
        total: p.totalBytes,
        detail: `${formatBytes(p.bytes)}/${formatBytes(p.totalBytes)}  ${p.records}/${p.totalRecords} records  ${p.rows} rows`,
        elapsedMs: Date.now() - started,
      });
      if (io.progress.isTTY) {
        io.progress.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
        return;
      }
      const ratio = p.totalBytes > 0 ? p.bytes / p.totalBytes : 1;
      if ((final && nextStep <= 1) || ratio >= nextStep) {
        io.progress.write(`${line}\n`);
        while (nextStep <= ratio) nextStep += DEFAULTS.replayProgressStep;
      }
    };
    const result = await replayLog({
      dir,
      insert: createInsertChain({ client: engine.client, database: engine.database, logger: io.logger }),
      onProgress: (p) => progress(p),
      logger: io.logger,
    });
    progress(result, true);
    io.out(`replayed ${result.records} records (${result.rows} rows) in ${result.batches} batches from ${dir} into ${config.where}; batches already stored were not stored twice`);
    return result;
  } finally {
    await engine.close();
  }
}
