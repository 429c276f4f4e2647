import { afterEach, describe, expect, it } from 'vitest';
import { createWorker, createVercelHandler } from '../../../../examples/serverless/src/edge';
import { createLambdaHandler } from '../../../../examples/serverless/src/lambda';
import type { FakeCollector } from './fake-collector';
import { startFakeCollector } from './fake-collector';

let server: FakeCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const invocationIds = (s: FakeCollector) => s.requests.flatMap((r) => r.body.batch.map((e) => e.properties?.path));

describe('examples/serverless', () => {
  it('Lambda: every invocation has delivered its events when the handler resolves', async () => {
    server = await startFakeCollector();
    const handler = createLambdaHandler({ writeKey: 'k', endpoint: server.url });
    for (let i = 0; i < 3; i++) {
      const response = await handler({ rawPath: `/call/${i}`, headers: { 'x-user-id': `u${i}` } });
      expect(response.statusCode).toBe(200);
      // Nothing waits on a timer: the events are already at the collector.
      expect(invocationIds(server)).toEqual(Array.from({ length: i + 1 }, (_, j) => `/call/${j}`));
    }
    expect(server.requests.every((r) => r.body.batch[0]?.type === 'track')).toBe(true);
    await handler.analytics.shutdown({ timeoutMs: 1_000 });
  });

  it('Lambda: an invocation with the collector down still returns within the retry budget', async () => {
    server = await startFakeCollector(() => ({ status: 503 }));
    const handler = createLambdaHandler({ writeKey: 'k', endpoint: server.url, onError: () => undefined });
    const started = performance.now();
    await handler({ rawPath: '/down' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(2);
    expect(handler.analytics.stats()).toMatchObject({ failed: 1 });
  });

  it('Cloudflare: the flush handed to ctx.waitUntil delivers the events of the request', async () => {
    server = await startFakeCollector();
    const worker = createWorker({ writeKey: 'k', endpoint: server.url });
    for (let i = 0; i < 3; i++) {
      const pending: Promise<unknown>[] = [];
      const response = await worker.fetch(new Request(`https://app.test/page/${i}`, { headers: { 'x-anonymous-id': 'a1' } }), {}, { waitUntil: (p) => pending.push(p) });
      expect(await response.text()).toBe('ok');
      expect(pending).toHaveLength(1);
      await Promise.all(pending);
      expect(invocationIds(server)).toEqual(Array.from({ length: i + 1 }, (_, j) => `/page/${j}`));
    }
    await worker.analytics.shutdown({ timeoutMs: 1_000 });
  });

  it('Vercel: the SDK hands each flush to the waitUntil option', async () => {
    server = await startFakeCollector();
    let pending: Promise<unknown>[] = [];
    const { GET, analytics } = createVercelHandler({ writeKey: 'k', endpoint: server.url, waitUntil: (p) => pending.push(p) });
    for (let i = 0; i < 3; i++) {
      pending = [];
      GET(new Request(`https://app.test/v/${i}`));
      await Promise.resolve();
      expect(pending).toHaveLength(1);
      await Promise.all(pending);
      expect(invocationIds(server)).toEqual(Array.from({ length: i + 1 }, (_, j) => `/v/${j}`));
    }
    await analytics.shutdown({ timeoutMs: 1_000 });
  });
});
