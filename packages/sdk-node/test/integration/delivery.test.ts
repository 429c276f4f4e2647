import { afterEach, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/index';
import type { DropReport } from '../../src/index';
import type { FakeCollector } from './fake-collector';
import { ids, startFakeCollector } from './fake-collector';

let server: FakeCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('delivery on the wire', () => {
  it.each([
    ['msgpack', 'gzip'],
    ['msgpack', 'none'],
    ['json', 'gzip'],
    ['json', 'none'],
  ] as const)('sends %s bodies with compression %s that the server decodes', async (encoding, compression) => {
    server = await startFakeCollector();
    const analytics = createAnalytics({ writeKey: 'secret', endpoint: `${server.url}/`, encoding, compression, context: { app: { name: 'test' } } });
    const at = new Date('2025-06-01T12:00:00.000Z');
    const trackId = analytics.track({ event: 'Order Placed', userId: 'u1', properties: { total: 42.5, items: [{ sku: 'a' }], note: 'héllo ✓' }, timestamp: at });
    analytics.identify({ userId: 'u1', traits: { plan: 'pro' } });
    analytics.page({ anonymousId: 'a1', name: 'Home', properties: { path: '/' } });
    analytics.screen({ userId: 'u1', name: 'Settings', context: { screen: { width: 390 } } });
    analytics.group({ userId: 'u1', groupId: 'g1', traits: { seats: 3 } });
    analytics.alias({ userId: 'u1', previousId: 'a1' });
    await analytics.flush();
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/batch');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('secret:').toString('base64')}`);
    expect(request.headers['content-type']).toBe(encoding === 'msgpack' ? 'application/msgpack' : 'application/json');
    expect(request.headers['content-encoding']).toBe(compression === 'gzip' ? 'gzip' : undefined);
    if (compression === 'gzip') expect(request.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const body = request.body;
    expect(typeof body.sentAt).toBe('string');
    expect(Date.parse(body.sentAt)).toBeGreaterThan(Date.now() - 10_000);
    const library = { name: '@sluice/sdk-node', version: '0.0.0' };
    // The context shared by every event travels once, as the batch's context (the collector merges
    // it into each event); an event with a context of its own carries all of it.
    expect(body.context).toEqual({ app: { name: 'test' }, library });
    expect(body.batch).toEqual([
      { type: 'track', messageId: trackId, timestamp: '2025-06-01T12:00:00.000Z', event: 'Order Placed', userId: 'u1', properties: { total: 42.5, items: [{ sku: 'a' }], note: 'héllo ✓' } },
      expect.objectContaining({ type: 'identify', userId: 'u1', traits: { plan: 'pro' } }),
      expect.objectContaining({ type: 'page', anonymousId: 'a1', name: 'Home', properties: { path: '/' } }),
      expect.objectContaining({ type: 'screen', userId: 'u1', name: 'Settings', context: { app: { name: 'test' }, screen: { width: 390 }, library } }),
      expect.objectContaining({ type: 'group', userId: 'u1', groupId: 'g1', traits: { seats: 3 } }),
      expect.objectContaining({ type: 'alias', userId: 'u1', previousId: 'a1' }),
    ]);
    expect(body.batch.filter((event: { context?: unknown }) => event.context !== undefined)).toHaveLength(1);
    for (const event of body.batch) {
      expect(event.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.isNaN(Date.parse(event.timestamp))).toBe(false);
    }
    await analytics.shutdown();
  });

  it('batches by count: flushAt events go out without waiting for the timer', async () => {
    server = await startFakeCollector();
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, flushAt: 10, flushIntervalMs: 60_000 });
    for (let i = 0; i < 25; i++) analytics.track({ event: 'E', userId: `u${i}` });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests.map((r) => r.body.batch.length)).toEqual([10, 10]);
    await analytics.flush();
    expect(server.requests.map((r) => r.body.batch.length)).toEqual([10, 10, 5]);
    await analytics.shutdown();
  });

  it('batches by bytes: no request body exceeds maxBatchBytes', async () => {
    server = await startFakeCollector();
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, encoding: 'json', compression: 'none', maxBatchBytes: 64 * 1024, flushIntervalMs: 60_000 });
    const blob = 'x'.repeat(4_000);
    for (let i = 0; i < 100; i++) analytics.track({ event: 'Big', userId: `u${i}`, properties: { blob } });
    await analytics.flush();
    expect(server.requests.length).toBeGreaterThanOrEqual(7);
    for (const request of server.requests) expect(request.raw.byteLength).toBeLessThanOrEqual(64 * 1024 + 1024);
    expect(ids(server.requests)).toHaveLength(100);
    await analytics.shutdown();
  });

  it('batches by time: a lone event leaves after flushIntervalMs', async () => {
    server = await startFakeCollector();
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, flushIntervalMs: 200 });
    const started = performance.now();
    analytics.track({ event: 'Lonely', userId: 'u' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requests).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.at - started).toBeGreaterThanOrEqual(195);
    await analytics.shutdown();
  });

  it('loses nothing while the queue has room, across an outage, in order of arrival per batch', async () => {
    let down = true;
    server = await startFakeCollector(() => (down ? { status: 503 } : { status: 200 }));
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, flushAt: 50, concurrency: 3, maxQueueSize: 10_000, retry: { attempts: 100, baseMs: 10, capMs: 50 } });
    const sent: string[] = [];
    for (let i = 0; i < 2_000; i++) sent.push(analytics.track({ event: 'E', userId: `u${i % 7}`, properties: { i } }));
    setTimeout(() => (down = false), 500);
    await analytics.flush();
    const accepted = server.acceptedIds();
    expect(accepted).toHaveLength(2_000);
    expect(new Set(accepted)).toEqual(new Set(sent));
    expect(analytics.stats()).toMatchObject({ sent: 2_000, dropped: 0, failed: 0 });
    await analytics.shutdown();
  });

  it('drops the oldest events past maxQueueSize and counts them', async () => {
    server = await startFakeCollector(() => 'stall');
    const drops: DropReport[] = [];
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, flushAt: 10, concurrency: 1, maxQueueSize: 100, onDrop: (d) => drops.push(d) });
    const sent: string[] = [];
    for (let i = 0; i < 1_000; i++) sent.push(analytics.track({ event: 'E', userId: `u${i}` }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The loop never yielded: the queue kept the newest 100, and the first batch took the oldest 10 of them.
    expect(ids(server.requests)).toEqual(sent.slice(900, 910));
    expect(analytics.stats()).toMatchObject({ queued: 90, inFlight: 10, dropped: 900 });
    expect(drops.reduce((sum, d) => sum + d.count, 0)).toBe(900);
    expect(drops.every((d) => d.reason === 'queue_full')).toBe(true);
    await server.close();
    server = await startFakeCollector();
    const result = await analytics.shutdown({ timeoutMs: 200 });
    expect(result.undelivered).toBe(100);
  });

  it('counts batches in flight against maxQueueSize: what is held never exceeds it, and only that crosses the wire', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server = await startFakeCollector();
    const heldFetch: typeof fetch = async (input, init) => {
      await gate;
      return fetch(input, init);
    };
    const drops: DropReport[] = [];
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, fetch: heldFetch, flushAt: 10, concurrency: 2, maxQueueSize: 20, onDrop: (d) => drops.push(d) });
    const first: string[] = [];
    for (let i = 0; i < 20; i++) first.push(analytics.track({ event: 'E', userId: `u${i}` }));
    await new Promise((resolve) => setImmediate(resolve));
    // Both batches are out (held by the gate): the queue is empty, but 20 events are held.
    expect(analytics.stats()).toMatchObject({ queued: 0, inFlight: 20, dropped: 0 });
    for (let i = 0; i < 5; i++) analytics.track({ event: 'Late', userId: `late${i}` });
    expect(analytics.stats()).toMatchObject({ queued: 0, inFlight: 20, dropped: 5 });
    release();
    await analytics.flush();
    expect(new Set(server.acceptedIds())).toEqual(new Set(first));
    expect(drops).toEqual([{ reason: 'queue_full', count: 5 }]);
    // Room again: new events queue and go out.
    const late = analytics.track({ event: 'Later', userId: 'u' });
    await analytics.flush();
    expect(server.acceptedIds()).toContain(late);
    await analytics.shutdown();
  });

  it('flush() waits for events queued before it, not after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server = await startFakeCollector();
    const fetchWithGate: typeof fetch = async (input, init) => {
      const body = init?.body as Uint8Array;
      if (body.byteLength > 0 && server!.requests.length === 1) await gate;
      return fetch(input, init);
    };
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, fetch: fetchWithGate, concurrency: 2 });
    analytics.track({ event: 'First', userId: 'u' });
    await analytics.flush();
    analytics.track({ event: 'Second', userId: 'u' });
    let flushed = false;
    const flushing = analytics.flush().then(() => (flushed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(server.requests.map((r) => r.body.batch[0]!.event)).toEqual(['First', 'Second']);
    await analytics.shutdown();
  });
});
