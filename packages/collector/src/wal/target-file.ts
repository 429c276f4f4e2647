import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CollectorError } from '../errors';
import { writeFileDurably } from './cursor-file';

/** `<dir>/target`: the ClickHouse the log drains into (clickhouse/engine-target.ts), one line. */
export const TARGET_FILE = 'target';

/**
 * Records `target` in the log directory, or checks it against the one recorded. A log that still
 * holds records for another target is refused: draining it here would put one ClickHouse's events
 * into another. A drained log simply takes the new target.
 */
export async function checkTarget(dir: string, target: string | undefined, undrainedRecords: number): Promise<void> {
  if (target === undefined) return;
  const path = join(dir, TARGET_FILE);
  const recorded = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (recorded === target) return;
  if (recorded !== '' && undrainedRecords > 0) {
    throw new CollectorError(
      'config',
      `the write-ahead log ${dir} holds ${undrainedRecords} records for ${recorded}, not ${target}: start the collector with that engine to drain them, or load them with \`sluice replay ${dir}\` and the new engine's flags and then delete ${dir}, or pass another --wal DIR`,
    );
  }
  await writeFileDurably(dir, TARGET_FILE, `${target}\n`);
}
