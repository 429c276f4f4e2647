import { tempDir } from './clickhouse-fixtures';
import { runCli, type Spawned } from './cli-support';
// The durability suites' shared parts: concurrent posters that remember what was acknowledged, and
// a spawned collector that can be killed and restarted on the same directories.

export interface Load {
  /** messageIds of events in requests answered 200. */
  acked: Set<string>;
  /** Responses by status (`error` for a failed connection). */
  statuses: Map<string, number>;
  /** The last non-200 answer: status, Retry-After and JSON body. */
  lastRefusal?: { status: number; retryAfter: string | null; body: unknown };
  /** Stops the posters and waits for their requests in flight. */
  stop(): Promise<void>;
}

export interface LoadOptions {
  url: () => string;
  writeKey: string;
  workers?: number;
  eventsPerRequest?: number;
  /** Prefix of every messageId, so runs never collide. */
  prefix: string;
  /** Pause between a worker's requests after a non-200 (the collector is down or full). */
  backoffMs?: number;
}

/**
 * `workers` loops, each POSTing `/v1/batch` with fresh messageIds as fast as it is answered. An
 * id counts as acknowledged only when its request got a 200 whose body accepted every event.
 */
export function startLoad(options: LoadOptions): Load {
  const acked = new Set<string>();
  const statuses = new Map<string, number>();
  const load = { acked, statuses } as Load;
  const workers = options.workers ?? 6;
  const perRequest = options.eventsPerRequest ?? 20;
  const auth = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
  let running = true;
  let seq = 0;
  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);

  async function worker(w: number): Promise<void> {
    while (running) {
      const n = seq++;
      const ids = Array.from({ length: perRequest }, (_, i) => `${options.prefix}-${w}-${n}-${i}`);
      const body = JSON.stringify({
        sentAt: new Date().toISOString(),
        batch: ids.map((messageId, i) => ({ type: 'track', event: 'Load', userId: `u${w}`, messageId, properties: { i, worker: w } })),
      });
      try {
        const res = await fetch(`${options.url()}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const answer = (await res.json()) as { accepted?: number };
        count(String(res.status));
        if (res.status === 200 && answer.accepted === perRequest) for (const id of ids) acked.add(id);
        else {
          load.lastRefusal = { status: res.status, retryAfter: res.headers.get('retry-after'), body: answer };
          await pause(options.backoffMs ?? 50);
        }
      } catch {
        count('error');
        await pause(options.backoffMs ?? 50);
      }
    }
  }

  const all = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  load.stop = async () => {
    running = false;
    await all;
  };
  return load;
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await pause(everyMs);
  }
}

/**
 * A `sluice serve` (default ack: wal) on its own data and log directories, which `start` can run
 * again after a kill, as a restart on the same directories; `dispose` kills what is left and
 * removes both directories.
 */
export function servedCollector(prefix: string) {
  const data = tempDir(`${prefix}-data`);
  const wal = tempDir(`${prefix}-wal`);
  const spawned: Spawned[] = [];
  return {
    data,
    wal,
    async start(): Promise<{ cli: Spawned; url: string }> {
      const cli = runCli(['serve', '--embedded', data.path, '--wal', wal.path, '--write-key', 'k=p', '--port', '0']);
      spawned.push(cli);
      const [, url] = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+) \(.*ack wal/, 30_000);
      return { cli, url: url as string };
    },
    dispose(): void {
      for (const cli of spawned) cli.kill();
      data.remove();
      wal.remove();
    },
  };
}
