import { afterEach, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/index';
import type { Analytics, SluiceSdkError } from '../../src/index';
import type { FakeCollector } from './fake-collector';
import { ids, startFakeCollector } from './fake-collector';

let server: FakeCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fast = { retry: { attempts: 6, baseMs: 20, capMs: 100 }, timeoutMs: 2_000 };

function trackN(analytics: Analytics, n: number, prefix = 'u'): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(analytics.track({ event: 'Tested', userId: `${prefix}${i}`, properties: { i } }));
  return out;
}

describe('retries against a misbehaving collector', () => {
  it('waits out Retry-After in seconds on 503, then delivers each event once', async () => {
    server = await startFakeCollector((_req, index) => (index === 0 ? { status: 503, headers: { 'retry-after': '1' }, body: { success: false, code: 'overloaded', message: 'busy' } } : { status: 200 }));
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, ...fast });
    const sent = trackN(analytics, 10);
    await analytics.flush();
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000 - 5);
    expect(server.acceptedIds().sort()).toEqual([...sent].sort());
    expect(analytics.stats()).toMatchObject({ sent: 10, retried: 1, failed: 0, queued: 0, inFlight: 0 });
    await analytics.shutdown();
  });

  it('waits out Retry-After as an HTTP date on 429, and holds back other batches too', async () => {
    let until = 0;
    server = await startFakeCollector((_req, index) => {
      if (index === 0) {
        // An HTTP date has second resolution: pick the next whole second at least 1 s away.
        until = Math.ceil((Date.now() + 1_000) / 1000) * 1000;
        return { status: 429, headers: { 'retry-after': new Date(until).toUTCString() } };
      }
      return { status: 200 };
    });
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, flushAt: 5, concurrency: 1, ...fast });
    trackN(analytics, 5, 'a');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const later = trackN(analytics, 5, 'b');
    await analytics.flush();
    expect(server.requests.length).toBe(3);
    for (const request of server.requests.slice(1)) expect(request.wallAt).toBeGreaterThanOrEqual(until);
    expect(ids(server.requests.slice(1))).toEqual(expect.arrayContaining(later));
    await analytics.shutdown();
  });

  it('retries connection resets and never re-delivers an acknowledged batch', async () => {
    server = await startFakeCollector((_req, index) => (index % 2 === 0 ? 'reset' : { status: 200 }));
    const errors: SluiceSdkError[] = [];
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, flushAt: 10, concurrency: 1, onError: (e) => errors.push(e), ...fast });
    const sent = trackN(analytics, 50);
    await analytics.flush();
    const accepted = server.acceptedIds();
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(accepted.sort()).toEqual([...sent].sort());
    expect(errors).toEqual([]);
    expect(analytics.stats()).toMatchObject({ sent: 50, retried: 5, failed: 0 });
    await analytics.shutdown();
  });

  it('aborts a request that stalls past timeoutMs and retries it', async () => {
    server = await startFakeCollector((_req, index) => (index === 0 ? 'stall' : { status: 200 }));
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, ...fast, timeoutMs: 300 });
    const sent = trackN(analytics, 3);
    await analytics.flush();
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(300 - 5);
    // The stalled request carried the same events: the retry is idempotent by messageId.
    expect(ids([server.requests[0]!])).toEqual(ids([server.requests[1]!]));
    expect(server.acceptedIds()).toEqual(sent);
    await analytics.shutdown();
  });

  it('splits a batch on 413 and the halves arrive', async () => {
    server = await startFakeCollector((request) => (request.body.batch.length > 4 ? { status: 413, body: { success: false, code: 'too_large', message: 'too large' } } : { status: 200 }));
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, flushAt: 16, ...fast });
    const sent = trackN(analytics, 16);
    await analytics.flush();
    expect(server.requests.map((r) => r.body.batch.length)).toEqual([16, 8, 4, 4, 8, 4, 4]);
    expect(server.acceptedIds()).toEqual(sent);
    expect(analytics.stats()).toMatchObject({ sent: 16, failed: 0 });
    await analytics.shutdown();
  });

  it('reports partial rejections through onError and does not retry them', async () => {
    server = await startFakeCollector((request) => {
      const bad = request.body.batch[1]!;
      return { status: 200, body: { success: true, accepted: request.body.batch.length - 1, rejected: [{ index: 1, messageId: bad.messageId, reason: 'properties.total: expected number', path: 'properties.total' }] } };
    });
    const errors: SluiceSdkError[] = [];
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, onError: (e) => errors.push(e), ...fast });
    const sent = trackN(analytics, 5);
    await analytics.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.requests).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'rejected', count: 1, messageIds: [sent[1]] });
    expect(analytics.stats()).toMatchObject({ sent: 4, rejected: 1, retried: 0 });
    await analytics.shutdown();
  });

  it.each([400, 401, 415])('does not retry a %i and reports it', async (status) => {
    server = await startFakeCollector(() => ({ status, body: { success: false, code: 'nope', message: 'write key "k" is unknown' } }));
    const errors: SluiceSdkError[] = [];
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, onError: (e) => errors.push(e), ...fast });
    trackN(analytics, 3);
    await analytics.flush();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.requests).toHaveLength(1);
    expect(errors.map((e) => [e.code, e.status, e.count])).toEqual([['refused', status, 3]]);
    expect(errors[0]!.message).toContain('write key "k" is unknown');
    expect(analytics.stats()).toMatchObject({ failed: 3, retried: 0, sent: 0 });
    await analytics.shutdown();
  });

  it('gives up after retry.attempts tries with jittered, growing waits', async () => {
    server = await startFakeCollector(() => ({ status: 500 }));
    const errors: SluiceSdkError[] = [];
    const analytics = createAnalytics({ writeKey: 'k', endpoint: server.url, onError: (e) => errors.push(e), retry: { attempts: 4, baseMs: 50, capMs: 1000 }, random: () => 0.999 });
    trackN(analytics, 2);
    await analytics.flush();
    expect(server.requests).toHaveLength(4);
    const gaps = server.requests.slice(1).map((r, i) => r.at - server!.requests[i]!.at);
    // random() ≈ 1: the full ceilings 50, 100, 200 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
    expect(errors.map((e) => e.code)).toEqual(['retries_exhausted']);
    expect(analytics.stats()).toMatchObject({ failed: 2, retried: 3 });
    await analytics.shutdown();
  });
});
