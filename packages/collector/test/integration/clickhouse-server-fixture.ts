import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private `clickhouse-server` (Debian's 18.16) for transport and fault tests: its own copy of the
 * config, its own free ports, data directory and logs, started and stopped by pid. 18.16 has no
 * JSON, DateTime64, TTL, query parameters, insert dedup tokens or error codes in its HTTP errors,
 * so tests give it a small table of their own.
 */
export { CLICKHOUSE_SERVER, hasClickHouseServer } from '../../../../test/support/requirements';
import { CLICKHOUSE_SERVER } from '../../../../test/support/requirements';

export interface ClickHouseServer {
  /** `http://127.0.0.1:<http port>` */
  url: string;
  httpPort: number;
  dir: string;
  pid(): number | undefined;
  start(): Promise<void>;
  /** SIGKILL (default) or SIGTERM, and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** One SQL statement over HTTP; rejects with the server's text on an error status. */
  query(sql: string, body?: string): Promise<string>;
  /** Stops the server and removes its directory. */
  remove(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function createClickHouseServer(prefix: string): Promise<ClickHouseServer> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${prefix}-`));
  const [httpPort, tcpPort, interserverPort] = [await freePort(), await freePort(), await freePort()];
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  let config = readFileSync('/etc/clickhouse-server/config.xml', 'utf8');
  const set = (tag: string, value: string | number) => {
    config = config.replace(new RegExp(`<${tag}>[^<]*</${tag}>`, 'g'), `<${tag}>${value}</${tag}>`);
  };
  set('http_port', httpPort);
  set('tcp_port', tcpPort);
  set('interserver_http_port', interserverPort);
  set('path', `${join(dir, 'data')}/`);
  set('tmp_path', `${join(dir, 'tmp')}/`);
  set('user_files_path', `${join(dir, 'user_files')}/`);
  set('format_schema_path', `${join(dir, 'format_schemas')}/`);
  set('log', join(dir, 'log', 'server.log'));
  set('errorlog', join(dir, 'log', 'server.err.log'));
  // Only IPv4 loopback, and none of the other listeners (https, secure tcp, mysql) on shared ports.
  config = config.replace(/<listen_host>::1<\/listen_host>/g, '');
  config = config.replace(/<(https_port|tcp_port_secure|mysql_port|postgresql_port)>[^<]*<\/\1>/g, '');
  // The distributed DDL queue lives in ZooKeeper paths; keep it but it is unused without ZooKeeper.
  writeFileSync(join(dir, 'config.xml'), config);
  writeFileSync(join(dir, 'users.xml'), readFileSync('/etc/clickhouse-server/users.xml', 'utf8'));

  let child: ChildProcess | undefined;
  let exited: Promise<void> | undefined;
  const url = `http://127.0.0.1:${httpPort}`;

  async function ping(): Promise<boolean> {
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(500) });
      return res.ok;
    } catch {
      return false;
    }
  }

  const server: ClickHouseServer = {
    url,
    httpPort,
    dir,
    pid: () => child?.pid,
    async start() {
      if (child) throw new Error('clickhouse-server is already running');
      let stderr = '';
      const proc = spawn(CLICKHOUSE_SERVER, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      proc.on('error', (error) => (stderr += String(error)));
      proc.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      child = proc;
      exited = new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.once('error', () => resolve());
      });
      void exited.then(() => {
        if (child === proc) child = undefined;
      });
      const deadline = Date.now() + 30_000;
      while (!(await ping())) {
        if (child !== proc) throw new Error(`clickhouse-server exited at start: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`clickhouse-server did not answer /ping within 30 s: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop(signal = 'SIGKILL') {
      const proc = child;
      if (!proc) return;
      proc.kill(signal);
      await exited;
      child = undefined;
    },
    async query(sql, body) {
      const res = await fetch(`${url}/?query=${encodeURIComponent(sql)}`, { method: 'POST', body: body ?? '' });
      const text = await res.text();
      if (!res.ok) throw new Error(`clickhouse-server ${res.status}: ${text.slice(0, 500)}`);
      return text;
    },
    async remove() {
      await server.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
