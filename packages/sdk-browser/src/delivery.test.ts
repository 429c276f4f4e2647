import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createWorld, queueKeys } from '../test/fake-browser';
import { DEFAULTS } from './defaults';

describe('batching', () => {
  it('sends when flushAt events are queued, and otherwise on the flush interval', async () => {
    const world = createWorld();
    const { analytics } = world.tab({ flushAt: 3, flushIntervalMs: 5_000 });
    analytics.track('1');
    analytics.track('2');
    await world.advance(100);
    expect(world.sent).toHaveLength(0);
    analytics.track('3');
    await world.advance(0); // the send runs in a task of its own, right after the tracking one
    expect(world.sent.map((s) => s.body.batch.length)).toEqual([3]);
    analytics.track('4');
    await world.advance(4_000);
    expect(world.sent).toHaveLength(1);
    await world.advance(2_000);
    expect(world.sent.map((s) => s.body.batch.length)).toEqual([3, 1]);
  });

  it('splits batches at maxBatchBytes, in order', async () => {
    const world = createWorld();
    const { analytics } = world.tab({ maxBatchBytes: 3_000, compression: false });
    for (let i = 0; i < 10; i++) analytics.track('e' + i, { pad: 'x'.repeat(500) });
    await analytics.flush();
    expect(world.sent.length).toBeGreaterThan(2);
    for (const s of world.sent) expect(s.rawBytes).toBeLessThanOrEqual(3_000);
    expect(world.events().map((e) => e.event)).toEqual(Array.from({ length: 10 }, (_, i) => 'e' + i));
  });

  it('gzips large bodies with CompressionStream, and not small ones', async () => {
    const world = createWorld();
    const { analytics } = world.tab({ flushAt: 100, compression: true });
    analytics.track('small');
    await analytics.flush();
    for (let i = 0; i < 30; i++) analytics.track('big', { i, text: 'the same words again and again' });
    await analytics.flush();
    const [small, big] = world.sent;
    expect(small!.headers['content-encoding']).toBeUndefined();
    expect(big!.headers['content-encoding']).toBe('gzip');
    expect(big!.body.batch).toHaveLength(30);
    expect(big!.rawBytes).toBeLessThan(JSON.stringify(big!.body).length / 3);
    expect(gunzipSync).toBeTypeOf('function');
  });

  it('never gzips with compression: false', async () => {
    const world = createWorld();
    const { analytics } = world.tab({ compression: false });
    for (let i = 0; i < 30; i++) analytics.track('big', { i, text: 'the same words again and again' });
    await analytics.flush();
    expect(world.sent.every((s) => !s.headers['content-encoding'])).toBe(true);
  });
});

describe('responses and retries', () => {
  it('drops rejected events without retrying and counts them', async () => {
    const world = createWorld();
    const { analytics } = world.tab();
    analytics.track('good');
    analytics.track('bad');
    world.reply({ status: 200, body: { success: true, accepted: 1, rejected: [{ index: 1, messageId: 'x', reason: 'invalid', path: 'event' }] } });
    await analytics.flush();
    await world.advance(120_000);
    expect(world.sent).toHaveLength(1);
    expect(analytics.stats).toEqual({ sent: 1, rejected: 1, dropped: 0, failed: 0 });
  });

  it.each([400, 401, 403, 413, 415])('gives up a batch answered %i, counts it as failed, and sends the next one', async (status) => {
    const world = createWorld();
    const { analytics } = world.tab();
    analytics.track('a');
    world.reply({ status, body: { success: false } });
    await analytics.flush();
    analytics.track('b');
    await analytics.flush();
    await world.advance(120_000);
    expect(world.sent.map((s) => s.body.batch.map((e) => e.event))).toEqual([['a'], ['b']]);
    expect(analytics.stats).toMatchObject({ sent: 1, failed: 1, dropped: 0 });
  });

  it('splits a batch answered 413 into halves until they go through', async () => {
    const world = createWorld();
    const { analytics } = world.tab({ flushIntervalMs: 3_600_000 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) analytics.track(name);
    world.reply({ status: 413 }, { status: 413 });
    await analytics.flush();
    expect(world.sent.map((s) => s.body.batch.map((e) => e.event))).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['a', 'b', 'c'],
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    expect(analytics.stats).toMatchObject({ sent: 5, failed: 0, dropped: 0 });
  });

  it('retries 5xx, network errors and 408 with growing, jittered backoff, then succeeds with the same messageIds', async () => {
    const world = createWorld();
    const { analytics } = world.tab({ flushIntervalMs: 3_600_000, platform: { random: () => 0.5 } });
    analytics.track('a');
    world.reply({ status: 500 }, 'network-error', { status: 408 });
    const t0 = world.now;
    await analytics.flush();
    const times: number[] = [];
    for (let i = 0; i < 40 && world.sent.length < 3; i++) {
      const before = world.sent.length;
      await world.advance(250);
      if (world.sent.length > before) times.push(world.now - t0);
    }
    // full jitter, drawn at 0.5: attempts at 0, then after 1000·0.5 (the network error, not recorded), +2000·0.5, +4000·0.5
    expect(world.sent.map((s) => s.body.batch[0]!.messageId)).toEqual(Array(3).fill(world.sent[0]!.body.batch[0]!.messageId));
    expect(times).toEqual([500 + 1000, 500 + 1000 + 2000]);
    expect(analytics.stats.sent).toBe(1);
  });

  it('gives up after retryAttempts and counts the batch as failed', async () => {
    const world = createWorld();
    const { analytics } = world.tab({ retryAttempts: 3, flushIntervalMs: 3_600_000 });
    world.setDefaultReply({ status: 500 });
    analytics.track('a');
    await analytics.flush();
    await world.advance(10 * 60_000);
    expect(world.sent).toHaveLength(3);
    expect(analytics.stats).toMatchObject({ failed: 1, dropped: 0 });
  });

  it.each([
    ['seconds', '120', 120_000],
    ['an HTTP date', new Date(Date.parse('2025-06-01T12:00:00Z') + 90_000).toUTCString(), 90_000],
  ])('waits at least Retry-After given in %s on 429/503 before sending anything', async (_, header, wait) => {
    const world = createWorld();
    const { analytics } = world.tab({ flushAt: 1, platform: { random: () => 0 } });
    world.reply({ status: 429, headers: { 'Retry-After': header } }, { status: 503, headers: { 'Retry-After': '5' } });
    analytics.track('a');
    await world.advance(0);
    expect(world.sent).toHaveLength(1);
    analytics.track('b'); // would trigger a send at flushAt: 1, but the collector asked us to wait
    await world.advance(wait - 1_000);
    expect(world.sent).toHaveLength(1);
    await world.advance(1_000);
    expect(world.sent).toHaveLength(2);
    expect(world.sent[1]!.body.batch.map((e) => e.event)).toEqual(['a', 'b']);
    await world.advance(4_999);
    expect(world.sent).toHaveLength(2); // 503 with Retry-After: 5 → at least 5 s (backoff drawn at 0 would be 0 s)
    await world.advance(1);
    expect(world.sent).toHaveLength(3);
  });
});

describe('offline', () => {
  it('pauses while offline and sends everything on the online event', async () => {
    const world = createWorld();
    const tab = world.tab({ flushAt: 1 });
    tab.setOnline(false);
    tab.analytics.track('offline 1');
    tab.analytics.track('offline 2');
    await world.advance(10 * 60_000);
    tab.close(); // no beacon while offline either
    expect(world.sent).toHaveLength(0);
    const again = world.tab({ flushAt: 1 }); // the next page load adopts the queue once the closed tab's heartbeat is stale
    await world.advance(DEFAULTS.tabStaleMs + 2 * DEFAULTS.flushIntervalMs);
    expect(world.events().map((e) => e.event)).toEqual(['offline 1', 'offline 2']);
  });

  it('does not count attempts made while the connection drops', async () => {
    const world = createWorld();
    const tab = world.tab({ retryAttempts: 1 });
    tab.analytics.track('a');
    tab.nav.onLine = false;
    await tab.analytics.flush();
    await world.advance(60_000);
    tab.setOnline(true);
    await world.settle();
    expect(world.events().map((e) => e.event)).toEqual(['a']);
    expect(tab.analytics.stats.dropped).toBe(0);
  });
});

describe('unload', () => {
  it.each(['pagehide', 'visibilitychange'])('sends the queue with sendBeacon on %s, text/plain with the write key, and not again later', async (how) => {
    const world = createWorld();
    const tab = world.tab();
    tab.analytics.track('a');
    tab.analytics.track('b');
    if (how == 'pagehide') tab.close();
    else tab.hide();
    expect(world.sent).toHaveLength(1);
    const [beacon] = world.sent;
    expect(beacon!.via).toBe('beacon');
    expect(beacon!.url).toBe('https://collect.example/v1/batch');
    expect(beacon!.body.writeKey).toBe('wk_test');
    expect(beacon!.body.batch.map((e) => e.event)).toEqual(['a', 'b']);
    await world.advance(60_000);
    world.tab();
    await world.advance(120_000);
    expect(world.sent).toHaveLength(1);
    expect(queueKeys(world.storage)).toEqual([]);
  });

  it('does not beacon events that a fetch is already sending', async () => {
    const world = createWorld();
    const tab = world.tab({ flushAt: 1 });
    const release = world.hold();
    tab.analytics.track('in flight');
    await world.advance(0); // the fetch has started; its response has not come
    tab.analytics.track('queued');
    tab.close();
    release();
    await world.settle();
    expect(world.sent.map((s) => [s.via, s.body.batch.map((e) => e.event)])).toEqual([
      ['fetch', ['in flight']],
      ['beacon', ['queued']],
    ]);
    expect(world.storage.map.size).toBeGreaterThan(0);
    expect(queueKeys(world.storage)).toEqual([]); // both settled
  });

  it('beacons a batch that was still being compressed when the page went away, and does not fetch it too', async () => {
    const world = createWorld();
    const tab = world.tab({ flushAt: 30, compression: true });
    for (let i = 0; i < 30; i++) tab.analytics.track('burst', { i, text: 'the same words again and again' });
    world.fire(); // the send that flushAt asked for starts…
    await Promise.resolve(); // … chooses the batch, and is gzipping it
    tab.close();
    await new Promise((r) => setTimeout(r, 50)); // CompressionStream settles on the thread pool
    await world.settle();
    expect(world.sent.map((s) => s.via)).toEqual(['beacon']);
    expect(world.events().map((e) => e.properties?.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('keeps events the browser refuses to beacon, for the next page to send', async () => {
    const world = createWorld();
    const tab = world.tab();
    tab.nav.acceptBeacons = false;
    tab.analytics.track('a');
    tab.close();
    expect(world.sent).toHaveLength(0);
    world.tab();
    await world.advance(DEFAULTS.tabStaleMs + 2 * DEFAULTS.flushIntervalMs);
    expect(world.events().map((e) => e.event)).toEqual(['a']);
  });
});
