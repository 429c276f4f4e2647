import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeCollector } from './fake-collector';
import { startFakeCollector } from './fake-collector';

let server: FakeCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs an ES module script in a child Node; it imports `@sluice/sdk-node` from the built dist, as a user would. */
function runChild(script: string) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

describe('opt-in process hooks (built dist)', () => {
  it('handleProcessSignals: SIGTERM flushes queued events, then the process ends by the signal', async () => {
    server = await startFakeCollector();
    const { child, output } = runChild(`
      import { createAnalytics } from '@sluice/sdk-node';
      const analytics = createAnalytics({ writeKey: 'k', endpoint: '${server.url}', flushIntervalMs: 60000, handleProcessSignals: true });
      for (let i = 0; i < 5; i++) analytics.track({ event: 'Before SIGTERM', userId: 'u' + i });
      setInterval(() => {}, 1000); // a server that would run forever
      console.log('ready');
    `);
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    expect(server.requests).toHaveLength(0);
    child.kill('SIGTERM');
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect(output()).not.toContain('Error');
    expect(signal).toBe('SIGTERM');
    expect(code).toBeNull();
    expect(server.acceptedIds()).toHaveLength(5);
  });

  it('without the option, nothing is installed: a script exits at once and its timers do not hold it', async () => {
    const { child } = runChild(`
      import { createAnalytics } from '@sluice/sdk-node';
      const analytics = createAnalytics({ writeKey: 'k', endpoint: 'http://127.0.0.1:9', flushIntervalMs: 60000 });
      analytics.track({ event: 'E', userId: 'u' });
      console.log(process.listenerCount('SIGTERM'), process.listenerCount('beforeExit'));
    `);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const started = performance.now();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(out.trim()).toBe('0 0');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
