import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CollectorError } from '../errors';

/**
 * chDB (like clickhouse-server) writes `<dir>/status` with its PID while a process holds the data
 * directory, and removes it on a clean close. Checking it first lets the CLI say which process
 * holds the directory in one line, before chDB prints its own exception to stderr. A stale file
 * from a killed process names a dead PID and is ignored; chDB then takes the lock as usual.
 */
export function assertDataDirFree(dir: string): void {
  let status: string;
  try {
    status = readFileSync(join(dir, 'status'), 'utf8');
  } catch {
    return;
  }
  const pid = Number(/^PID:\s*(\d+)/m.exec(status)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return;
  const path = resolve(dir);
  throw new CollectorError(
    'config',
    `the data directory ${path} is in use by process ${pid}: stop that process or pass another --embedded DIR (if nothing runs there, delete ${join(path, 'status')})`,
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
