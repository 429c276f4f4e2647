import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { engineTarget } from '../../src/clickhouse/engine-target';
import { createWriteAheadLog } from '../../src/wal';
import { tempDir } from './clickhouse-fixtures';
import { runCli, type Spawned } from './cli-support';

const dirs = [tempDir('cli-lock'), tempDir('cli-port'), tempDir('cli-migrate'), tempDir('cli-wal'), tempDir('cli-lock-2')];
/** Every serve gets its own write-ahead log (the default, .sluice/wal, would be shared by parallel test files). */
const wal = (name: string) => ['--wal', `${dirs[3]!.path}/${name}`];
const spawned: Spawned[] = [];
const run = (args: string[], env: Record<string, string> = {}) => {
  const cli = runCli(args, env);
  spawned.push(cli);
  return cli;
};

afterAll(() => {
  for (const cli of spawned) cli.kill();
  for (const dir of dirs) dir.remove();
});

/** Exits non-zero with exactly one line on stderr that matches `says`. */
async function expectOneLineError(cli: Spawned, says: RegExp) {
  const code = await cli.exited;
  expect(code).not.toBe(0);
  const lines = cli.stderr().trimEnd().split('\n');
  expect(lines, cli.stderr()).toHaveLength(1);
  expect(lines[0]).toMatch(/^sluice: /);
  expect(lines[0]).toMatch(says);
}

describe('sluice errors: one line that says what to do, non-zero exit', () => {
  it.each([
    [['serve', '--bogus'], /unknown flag '--bogus'.*sluice --help/],
    [['serve', '--port', 'eighty', '--write-key', 'k'], /--port must be a number from 0 to 65535/],
    [['serve', '--write-key', 'k', '--ack', 'disk'], /--ack must be wal \(durable, the default\), memory .* or clickhouse/],
    [['serve', '--write-key', 'k', '--keep-raw', 'forever'], /--keep-raw takes a duration like 7d, 12h or 0/],
    [['replay'], /sluice replay needs the log directory/],
    [['serve', '--write-key', 'k', '--clickhouse', 'http://a', '--embedded', '/tmp/x'], /either --clickhouse URL or --embedded DIR/],
    [['serve', '--clickhouse', 'ftp://x', '--write-key', 'k'], /http\(s\) URL such as http:\/\/localhost:8123/],
    [['serve', '--config', '/nonexistent/sluice.json'], /cannot read --config .*ENOENT/],
    [['launch'], /unknown command "launch": use sluice serve, .*migrate.*replay/],
  ])('%j', async (args, says) => {
    await expectOneLineError(run(args), says);
  });

  it('refuses a leftover log that holds events for another engine', async () => {
    const logDir = `${dirs[3]!.path}/other-engine`;
    const before = `${dirs[0]!.path}/before`;
    const log = await createWriteAheadLog({ dir: logDir, target: engineTarget({ embedded: { path: before } }) });
    await log.append('not yet in ClickHouse');
    await log.close();
    await expectOneLineError(
      run(['serve', '--embedded', `${dirs[0]!.path}/after`, '--wal', logDir, '--write-key', 'k']),
      new RegExp(`holds 1 records for embedded ${before}, database sluice, not embedded ${dirs[0]!.path}/after, database sluice: .*sluice replay ${logDir}.*or pass another --wal DIR`),
    );
  });

  it('refuses to serve without write keys', async () => {
    await expectOneLineError(run(['serve', '--embedded', dirs[0]!.path]), /no write keys: pass --write-key KEY=PROJECT/);
  });

  it('reports an unreachable ClickHouse server', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    blocker.close();
    await expectOneLineError(run(['serve', '--clickhouse', `http://127.0.0.1:${port}`, '--write-key', 'k', ...wal('unreachable')]), /cannot reach ClickHouse .*check the URL/);
    await expectOneLineError(run(['migrate', '--clickhouse', `http://127.0.0.1:${port}`]), /cannot reach ClickHouse/);
  });

  it('reports a port in use', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      await expectOneLineError(run(['serve', '--embedded', dirs[1]!.path, '--port', String(port), '--write-key', 'k', ...wal('port')]), new RegExp(`port ${port} on 127.0.0.1 is already in use: .*--port N`));
    } finally {
      blocker.close();
    }
  });

  it('reports a data directory locked by another sluice', async () => {
    const first = run(['serve', '--embedded', dirs[0]!.path, '--port', '0', '--write-key', 'k', ...wal('lock')]);
    await first.waitFor(/listening on/);
    await expectOneLineError(run(['serve', '--embedded', dirs[0]!.path, '--port', '0', '--write-key', 'k', ...wal('lock')]), /in use by (another )?process( \d+)?: stop that process or pass another --embedded DIR/);
    // Another data directory, the same log: the log is refused, before anything touches ClickHouse.
    await expectOneLineError(
      run(['serve', '--embedded', dirs[4]!.path, '--port', '0', '--write-key', 'k', ...wal('lock')]),
      new RegExp(`the write-ahead log .*lock is in use by process ${first.child.pid}: stop that process or pass another --wal DIR`),
    );
    await expectOneLineError(run(['replay', `${dirs[3]!.path}/lock`, '--embedded', dirs[4]!.path]), new RegExp(`in use by process ${first.child.pid}: a running collector sends it itself`));
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
  });
});

describe('sluice migrate and --help', () => {
  it('prints the migrations it applied, then nothing to do', async () => {
    const first = run(['migrate', '--embedded', dirs[2]!.path]);
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toMatch(/^applied 0001_events$/m);
    expect(first.stdout()).toMatch(/applied \d+ migration\(s\) to database sluice/);
    const second = run(['migrate', '--embedded', dirs[2]!.path]);
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toMatch(/database sluice is up to date/);
  });

  it('prints help with every DESIGN flag', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    for (const flag of ['--port', '--host', '--clickhouse', '--embedded', '--write-key', 'SLUICE_WRITE_KEYS', '--wal', '--ack', '--cors', '--config']) {
      expect(help.stdout()).toContain(flag);
    }
  });
});
