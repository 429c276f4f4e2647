import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/clickhouse/index';
import { CollectorError } from '../../src/errors';
import { rows, tempDir } from './clickhouse-fixtures';

const dir = tempDir('engine');
let holder: ChildProcess | undefined;

afterAll(() => {
  if (holder?.pid !== undefined && holder.exitCode === null) holder.kill('SIGKILL');
  dir.remove();
});

/** Another process that opens chdb on `path` and keeps it open until killed. */
async function holdDirectory(path: string): Promise<ChildProcess> {
  const script = `
    const { createChdbConnection } = require('chdb/connection');
    const { createClient } = require('@clickhouse/client');
    const client = createClient({ connection: createChdbConnection({ path: ${JSON.stringify(path)} }) });
    client.exec({ query: 'CREATE DATABASE IF NOT EXISTS held' }).then(() => console.log('ready'));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  expect(chunk.toString()).toContain('ready');
  return child;
}

describe('createEngine', () => {
  it('says the data directory is in use when another process holds it', async () => {
    holder = await holdDirectory(`${dir.path}/locked`);
    const error = await createEngine({ embedded: { path: `${dir.path}/locked` } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectorError);
    expect(error).toMatchObject({ code: 'config' });
    expect((error as Error).message).toBe(
      `the data directory ${dir.path}/locked is in use by another process: stop that process or pass another --embedded DIR`,
    );
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    // Once the other process is gone, the same directory opens, with what it wrote.
    const engine = await createEngine({ embedded: { path: `${dir.path}/locked` } });
    expect(engine).toMatchObject({ kind: 'embedded', database: 'sluice' });
    expect(await rows(engine.client, "SELECT name FROM system.databases WHERE name = 'held'")).toEqual([{ name: 'held' }]);
    await engine.close();
  });

  it('says to check the URL when no server answers', async () => {
    const error = await createEngine({ clickhouse: { url: 'http://127.0.0.1:1' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect((error as Error).message).toMatch(/^cannot reach ClickHouse at http:\/\/127\.0\.0\.1:1\/ .*check the URL .*ClickHouse is running$/);
  });

  it('refuses a URL that is not one', async () => {
    await expect(createEngine({ clickhouse: { url: 'not a url' } })).rejects.toMatchObject({ code: 'config' });
  });
});
