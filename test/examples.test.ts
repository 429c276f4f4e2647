// Smoke test of the runnable examples: each server example is started as a user would start it,
// sent events with the SDK (and a raw fetch), stopped with SIGTERM, and then its chDB data
// directory is opened here to check that every event landed exactly once.
// chDB allows one data directory per process, so each example gets its own directory and this
// process opens it only after the example has exited.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEngine } from '@sluice/collector';
import { createAnalytics } from '@sluice/sdk-node';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const WRITE_KEY = 'smoke-write-key';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

interface Running {
  child: ChildProcess;
  url: string;
  dataDir: string;
  output: () => string;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts `node examples/<name>/server.mjs` on a free port with its own data directory; resolves with the URL it prints. */
function start(name: string): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-example-${name}-`));
  dirs.push(dir);
  const dataDir = join(dir, 'data');
  const child = spawn(process.execPath, [join('examples', name, 'server.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', SLUICE_DATA: dataDir, SLUICE_WAL: join(dir, 'wal'), SLUICE_WRITE_KEY: WRITE_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const output = () => out;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not print "listening on" within ${START_TIMEOUT_MS} ms:\n${out}`));
    }, START_TIMEOUT_MS);
    const onData = () => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolvePromise({ child, url: match[1]!, dataDir, output });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited early (code ${code}, signal ${signal}):\n${out}`));
    });
  });
}

/** Waits until the example has printed a line matching `pattern`; returns its first group. */
async function printed(running: Running, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const match = pattern.exec(running.output());
    if (match) return match[1]!;
    if (Date.now() > deadline) throw new Error(`the example did not print ${pattern}:\n${running.output()}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
}

/** SIGTERM, then the exit code (the example drains its collector before exiting). */
function stop(running: Running): Promise<number | null> {
  const { child } = running;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM:\n${running.output()}`));
    }, STOP_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolvePromise(code);
    });
    child.kill('SIGTERM');
  });
}

/** How many rows each messageId has in sluice.events (raw rows, no FINAL: a duplicate would show). */
async function landed(dataDir: string, ids: string[]): Promise<Record<string, number>> {
  const engine = await createEngine({ embedded: { path: dataDir } });
  try {
    const result = await engine.client.query({
      query: 'SELECT message_id, toUInt32(count()) AS n FROM sluice.events WHERE message_id IN {ids:Array(String)} GROUP BY message_id',
      query_params: { ids },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ message_id: string; n: number }>();
    return Object.fromEntries(rows.map((row) => [row.message_id, Number(row.n)]));
  } finally {
    await engine.close();
  }
}

async function countEvent(dataDir: string, event: string): Promise<number> {
  const engine = await createEngine({ embedded: { path: dataDir } });
  try {
    const result = await engine.client.query({
      query: 'SELECT toUInt32(count()) AS n FROM sluice.events WHERE event = {event:String}',
      query_params: { event },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: number }>();
    return Number(row?.n ?? 0);
  } finally {
    await engine.close();
  }
}

/** Sends a few events with the Node SDK and waits until the collector has acknowledged them. */
async function sendWithSdk(endpoint: string, tag: string): Promise<string[]> {
  const analytics = createAnalytics({ writeKey: WRITE_KEY, endpoint, flushIntervalMs: 20, retry: { attempts: 3 } });
  const ids = [
    analytics.identify({ userId: `${tag}-user`, traits: { plan: 'pro' } }),
    analytics.track({ event: 'Smoke Tested', userId: `${tag}-user`, properties: { example: tag, n: 1 } }),
    analytics.track({ event: 'Smoke Tested', anonymousId: `${tag}-anon`, properties: { example: tag, n: 2 } }),
    analytics.page({ anonymousId: `${tag}-anon`, name: 'Home', properties: { path: '/' } }),
  ];
  const { undelivered, stats } = await analytics.shutdown({ timeoutMs: 10_000 });
  expect({ undelivered, sent: stats.sent, failed: stats.failed, rejected: stats.rejected }).toEqual({ undelivered: 0, sent: ids.length, failed: 0, rejected: 0 });
  return ids;
}

function expectOnce(counts: Record<string, number>, ids: string[]): void {
  expect(counts).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
}

describe.each(['express', 'fastify', 'hono'])('examples/%s', (name) => {
  it('accepts SDK events and its own route, drains on SIGTERM, and stores each event once', async () => {
    const running = await start(name);
    const ids = await sendWithSdk(`${running.url}/collect`, name);

    // The example's own route tracks with the Node SDK inside the example.
    const signup = await fetch(`${running.url}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: `${name}-signup`, plan: 'pro' }),
    });
    expect(signup.status).toBe(200);
    const { messageId } = (await signup.json()) as { messageId: string };
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);

    expect(await stop(running)).toBe(0);
    expect(running.output()).toContain('stopped');
    expectOnce(await landed(running.dataDir, [...ids, messageId]), [...ids, messageId]);
    expect(await countEvent(running.dataDir, 'Server Started')).toBe(1);
  });
});

describe('examples/node-http', () => {
  it('accepts SDK events and a raw POST /v1/track, and stores each once (the startup events too)', async () => {
    const running = await start('node-http');
    const ids = await sendWithSdk(running.url, 'node-http');

    const rawId = `smoke-raw-${Date.now()}`;
    const raw = await fetch(`${running.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` },
      body: JSON.stringify({ messageId: rawId, event: 'Button Clicked', userId: 'ada' }),
    });
    expect(raw.status).toBe(200);
    // The same messageId again (a client retry) is dropped by the collector.
    const retry = await fetch(`${running.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` },
      body: JSON.stringify({ messageId: rawId, event: 'Button Clicked', userId: 'ada' }),
    });
    expect(retry.status).toBe(200);

    expect(await stop(running)).toBe(0);
    expectOnce(await landed(running.dataDir, [...ids, rawId]), [...ids, rawId]);
    expect(await countEvent(running.dataDir, 'Order Placed')).toBe(1);
  });
});

describe('examples/browser', () => {
  it('serves the page and the bundle, and its collector accepts the browser SDK wire format from the page origin only', async () => {
    execFileSync(process.execPath, [join('examples', 'browser', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    const running = await start('browser');
    const collectorUrl = await printed(running, /collector on (http:\/\/[\d.]+:\d+)/);
    const origin = new URL(running.url).origin;

    const html = await (await fetch(running.url)).text();
    expect(html).toContain(`content="${collectorUrl}"`);
    expect(html).toContain(`content="${WRITE_KEY}"`);
    const bundle = await fetch(`${running.url}/sluice.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');

    // What @sluice/sdk-browser sends: text/plain JSON with the write key in the body (no preflight).
    const messageIds = [`smoke-browser-${Date.now()}-1`, `smoke-browser-${Date.now()}-2`];
    const body = {
      writeKey: WRITE_KEY,
      sentAt: new Date().toISOString(),
      batch: messageIds.map((messageId, i) => ({ type: 'track', messageId, anonymousId: 'browser-anon', event: 'Signup Clicked', properties: { button: `b${i}` }, timestamp: new Date().toISOString() })),
    };
    const accepted = await fetch(`${collectorUrl}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin },
      body: JSON.stringify(body),
    });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('access-control-allow-origin')).toBe(origin);

    const foreign = await fetch(`${collectorUrl}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://elsewhere.example' },
      body: JSON.stringify({ ...body, batch: [{ ...body.batch[0], messageId: 'smoke-browser-foreign' }] }),
    });
    expect(foreign.status).toBe(403);

    expect(await stop(running)).toBe(0);
    expectOnce(await landed(running.dataDir, [...messageIds, 'smoke-browser-foreign']), messageIds);
  });
});

describe('examples/typed-taxonomy', () => {
  it('runs: typed events are stored, a misspelt name and a wrong type from an untyped producer are quarantined', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-example-typed-taxonomy-'));
    dirs.push(dir);
    const cwd = join(ROOT, 'examples', 'typed-taxonomy');
    execFileSync(process.execPath, ['build.mjs'], { cwd, stdio: 'pipe' });
    const out = execFileSync(process.execPath, ['dist/main.js'], {
      cwd,
      env: { ...process.env, SLUICE_DATA: join(dir, 'data') },
      encoding: 'utf8',
      timeout: START_TIMEOUT_MS,
    });
    expect(out).toContain('untyped producer: 1 accepted, 2 rejected');
    expect(out).toMatch(/'Signup Completed'\s*│\s*'ada'/);
    expect(out).toMatch(/'Order Placed'\s*│\s*'ada'/);
    expect(out).toMatch(/'event'\s*│\s*'event "Order Plcaed" is not in the taxonomy/);
    expect(out).toMatch(/'properties\.total'/);
  });
});
