import { open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CollectorError } from '../errors';

/** Directories this process holds, so a second open in the same process is refused too. */
const held = new Set<string>();

/**
 * `<dir>/LOCK` holds the PID of the process that owns the log: two writers on one log would
 * interleave records and corrupt it. A lock left by a killed process names a dead PID and is taken
 * over. Returns the release function.
 */
export async function lockLogDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'LOCK');
  const key = resolve(dir);
  if (held.has(key)) throw inUse(key, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      held.add(key);
      return async () => {
        held.delete(key);
        await unlink(path).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw inUse(key, pid);
      await unlink(path).catch(() => {});
    }
  }
  throw inUse(key, Number.NaN);
}

/** The PID of a live process holding `<dir>/LOCK`, if any (a stale lock names a dead PID). */
export async function logDirHolder(dir: string): Promise<number | undefined> {
  const pid = Number((await readFile(join(dir, 'LOCK'), 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
}

function inUse(dir: string, pid: number): CollectorError {
  return new CollectorError(
    'config',
    `the write-ahead log ${dir} is in use by process ${Number.isNaN(pid) ? '(unknown)' : pid}: stop that process or pass another --wal DIR (if nothing runs there, delete ${join(dir, 'LOCK')})`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
