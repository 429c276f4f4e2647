import { afterEach, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/index';
import type { DropReport, SluiceSdkError } from '../../src/index';
import type { FakeCollector } from './fake-collector';
import { refusedUrl, startFakeCollector } from './fake-collector';

let server: FakeCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('shutdown({ timeoutMs: 3000 }) with the collector down', () => {
  it('returns in about 3 s when connections are refused, and reports what was lost', async () => {
    const errors: SluiceSdkError[] = [];
    const drops: DropReport[] = [];
    const analytics = createAnalytics({
      writeKey: 'k',
      endpoint: await refusedUrl(),
      flushAt: 100,
      concurrency: 2,
      onError: (e) => errors.push(e),
      onDrop: (d) => drops.push(d),
    });
    for (let i = 0; i < 1_000; i++) analytics.track({ event: 'Lost', userId: `u${i}` });
    const started = performance.now();
    const result = await analytics.shutdown({ timeoutMs: 3_000 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThan(4_000);
    expect(result).toMatchObject({ timedOut: true, undelivered: 1_000 });
    expect(result.stats).toMatchObject({ sent: 0, queued: 0, inFlight: 0, failed: 200, dropped: 800 });
    expect(errors.at(-1)).toMatchObject({ code: 'shutdown_timeout', count: 1_000 });
    await Promise.resolve();
    expect(drops).toContainEqual({ reason: 'shutdown_timeout', count: 800 });
    // Nothing is accepted afterwards.
    analytics.track({ event: 'Late', userId: 'u' });
    expect(analytics.stats().queued).toBe(0);
  });

  it('returns in about 3 s when the collector accepts connections but never answers', async () => {
    server = await startFakeCollector(() => 'stall');
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, timeoutMs: 10_000 });
    for (let i = 0; i < 10; i++) analytics.track({ event: 'Stuck', userId: `u${i}` });
    const started = performance.now();
    const result = await analytics.shutdown({ timeoutMs: 3_000 });
    const elapsed = performance.now() - started;
    expect(server.requests.length).toBeGreaterThanOrEqual(1);
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThan(4_000);
    expect(result).toMatchObject({ timedOut: true, undelivered: 10 });
  });

  it('resolves as soon as everything is delivered when the collector is up', async () => {
    server = await startFakeCollector();
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url });
    for (let i = 0; i < 10; i++) analytics.track({ event: 'Fine', userId: `u${i}` });
    const started = performance.now();
    const result = await analytics.shutdown({ timeoutMs: 3_000 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result).toMatchObject({ timedOut: false, undelivered: 0, stats: { sent: 10 } });
    expect(server.acceptedIds()).toHaveLength(10);
    // A second call returns the same result.
    await expect(analytics.shutdown()).resolves.toBe(result);
  });
});
