import { describe, expect, it } from 'vitest';
import { createWorld, queueKeys as storedQueues } from '../test/fake-browser';
import { DEFAULTS } from './defaults';
import { CHUNK_CHARS } from './tab-queue';

const queueKeys = (world: ReturnType<typeof createWorld>) => storedQueues(world.storage);

describe('persistence', () => {
  it('keeps the queue in localStorage across a crash and sends it from the next page load', async () => {
    const world = createWorld();
    world.setDefaultReply('network-error');
    const tab = world.tab();
    tab.analytics.track('a');
    tab.analytics.track('b');
    await tab.analytics.flush(); // fails: still queued
    tab.crash();
    expect(queueKeys(world)).toHaveLength(1);
    world.setDefaultReply({ status: 200 });
    world.tab();
    await world.advance(DEFAULTS.tabStaleMs + 2 * DEFAULTS.flushIntervalMs);
    expect(world.events().filter((_, i) => world.sent[0]).map((e) => e.event)).toEqual(['a', 'b']);
    expect(queueKeys(world)).toEqual([]);
  });

  it('bounds the stored queue by maxStoredEvents, dropping and counting the oldest', async () => {
    const world = createWorld();
    const tab = world.tab({ maxStoredEvents: 5, flushAt: 1000 });
    tab.nav.onLine = false;
    for (let i = 0; i < 8; i++) tab.analytics.track('e' + i);
    await Promise.resolve(); // a task's events are stored together at its end
    expect(tab.analytics.stats.dropped).toBe(3);
    tab.setOnline(true);
    await tab.analytics.flush();
    expect(world.events().map((e) => e.event)).toEqual(['e3', 'e4', 'e5', 'e6', 'e7']);
  });

  it('bounds the stored queue by maxStoredBytes', async () => {
    const world = createWorld();
    const tab = world.tab({ maxStoredBytes: 6_000, flushAt: 1000 });
    tab.nav.onLine = false;
    for (let i = 0; i < 20; i++) tab.analytics.track('e' + i, { pad: 'x'.repeat(400) });
    await Promise.resolve(); // a task's events are stored together at its end
    const stored = queueKeys(world).reduce((total, k) => total + world.storage.map.get(k)!.length, 0);
    expect(stored).toBeLessThanOrEqual(6_000);
    tab.setOnline(true);
    await tab.analytics.flush();
    const sent = world.events().map((e) => e.event);
    expect(sent.at(-1)).toBe('e19');
    expect(sent.length + tab.analytics.stats.dropped).toBe(20);
    expect(tab.analytics.stats.dropped).toBeGreaterThan(5);
  });

  it('degrades to memory when every write throws QuotaExceededError (Safari private mode), without throwing', async () => {
    const world = createWorld();
    world.storage.full = true;
    const tab = world.tab();
    expect(() => {
      tab.analytics.identify('u1');
      tab.analytics.track('a');
      tab.analytics.track('b');
    }).not.toThrow();
    await tab.analytics.flush();
    const [identify, a, b] = world.events();
    expect(a!.event).toBe('a');
    expect(b!.userId).toBe('u1');
    expect(b!.anonymousId).toBe(identify!.anonymousId);
    expect(b!.context!.sessionId).toBe(a!.context!.sessionId);
    expect(world.storage.map.size).toBe(0);
  });

  it('keeps working when storage fills up midway, and leaves no stale queue for other tabs', async () => {
    const world = createWorld();
    world.storage.quota = 3_000;
    const tab = world.tab({ flushAt: 1000 });
    for (let i = 0; i < 10; i++) tab.analytics.track('e' + i, { pad: 'x'.repeat(300) });
    expect(queueKeys(world)).toEqual([]); // the queue moved to memory; storage holds no stale copy
    const other = world.tab();
    await world.advance(DEFAULTS.tabStaleMs + 2 * DEFAULTS.flushIntervalMs);
    expect(world.events().map((e) => e.event)).toEqual(Array.from({ length: 10 }, (_, i) => 'e' + i));
    expect(other.analytics.stats.sent).toBe(0);
  });

  it('works without any storage (cookies disabled: localStorage is null)', async () => {
    const world = createWorld();
    const tab = world.tab({ platform: { storage: null } });
    tab.analytics.track('a');
    tab.analytics.track('b');
    await tab.analytics.flush();
    const [a, b] = world.events();
    expect(b!.anonymousId).toBe(a!.anonymousId);
    expect(world.storage.map.size).toBe(0);
  });

  it('survives a storage whose every call throws (SecurityError)', async () => {
    const world = createWorld();
    const hostile = new Proxy({} as Storage, {
      get: () => {
        throw new DOMException('denied', 'SecurityError');
      },
    });
    const tab = world.tab({ platform: { storage: hostile } });
    tab.analytics.track('a');
    await tab.analytics.flush();
    expect(world.events()).toHaveLength(1);
  });

  it('ignores garbage in storage', async () => {
    const world = createWorld();
    world.storage.setItem('sluice:wk_test:s', 'garbage');
    world.storage.setItem('sluice:wk_test:qdead', '{not json');
    world.storage.setItem('sluice:wk_test:hdead', 'x:y');
    const tab = world.tab();
    tab.analytics.track('a');
    await world.advance(120_000);
    expect(world.events().map((e) => e.event)).toEqual(['a']);
  });
});

describe('a burst of tracks', () => {
  it('stores a task\'s events together at its end, in one write, not once per event', async () => {
    const world = createWorld();
    const tab = world.tab({ flushAt: 1000 });
    tab.nav.onLine = false;
    let sets = 0;
    const set = world.storage.setItem.bind(world.storage);
    world.storage.setItem = (k: string, v: string) => {
      if (/:[cq]/.test(k)) sets++;
      set(k, v);
    };
    for (let i = 0; i < 200; i++) tab.analytics.track('burst', { i });
    expect(sets).toBe(0);
    await Promise.resolve();
    const keys = queueKeys(world);
    const stored = keys.map((k) => world.storage.map.get(k)!);
    // One chunk, however long: in Chromium each localStorage write costs about as much as tens of KB more in the same write.
    expect(sets).toBe(1);
    expect(keys).toHaveLength(1);
    expect(stored[0]!.length).toBeGreaterThan(CHUNK_CHARS);
    // Each chunk: the context its events share, then the events without it.
    const chunks = stored.map((text) => JSON.parse(text) as [{ page: { path: string } }, ...{ properties: { i: number }; context?: unknown }[]]);
    expect(chunks.every(([context]) => context.page.path == '/cart')).toBe(true);
    const events = chunks.flatMap(([, ...events]) => events);
    expect(events.map((e) => e.properties.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(events.every((e) => e.context === undefined)).toBe(true);
  });

  it('appends the next task\'s events without rewriting full chunks, and deletes the chunks a sent batch empties', async () => {
    const world = createWorld();
    const tab = world.tab({ flushAt: 1000 });
    tab.nav.onLine = false;
    for (let i = 0; i < 200; i++) tab.analytics.track('first', { i });
    await Promise.resolve();
    const before = new Map(queueKeys(world).map((k) => [k, world.storage.map.get(k)]));
    const written: string[] = [];
    const set = world.storage.setItem.bind(world.storage);
    world.storage.setItem = (k: string, v: string) => {
      if (/:[cq]/.test(k)) written.push(k);
      set(k, v);
    };
    tab.analytics.track('second');
    await Promise.resolve();
    expect(written).toHaveLength(1); // the last chunk, or a new one: never the whole queue
    for (const [k, v] of before) if (k != written[0]) expect(world.storage.map.get(k)).toBe(v);
    written.length = 0;
    tab.setOnline(true);
    await tab.analytics.flush();
    expect(world.events()).toHaveLength(201);
    expect(queueKeys(world)).toEqual([]);
    expect(written.length).toBeLessThanOrEqual(world.sent.length); // at most one chunk cut per batch
  });
});

describe('upgrading from the single-key queue of earlier versions', () => {
  it('sends a queue that an earlier version stored (`<prefix>q<tab>`), once, and removes it', async () => {
    const world = createWorld();
    const old = (name: string, i: number) => ({
      type: 'track',
      event: name,
      messageId: `0190a1b2-c3d4-7e5f-8a6b-00000000000${i}`,
      anonymousId: 'anon-before-upgrade',
      timestamp: '2025-06-01T11:59:00.000Z',
      properties: { i },
      context: { library: { name: '@sluice/sdk-browser', version: '0.0.0' } },
    });
    world.storage.setItem('sluice:wk_test:q0190a1b2-0000-7000-8000-000000000001', JSON.stringify([old('queued before upgrade', 1), old('queued before upgrade', 2)]));
    world.storage.setItem('sluice:wk_test:h0190a1b2-0000-7000-8000-000000000001', `0190a1b2-0000-7000-8000-000000000001:${world.now - 60_000}`);
    const tab = world.tab();
    tab.analytics.track('after upgrade');
    await world.advance(3 * DEFAULTS.flushIntervalMs);
    expect(world.events().map((e) => e.messageId).filter((id) => id.startsWith('0190a1b2'))).toEqual([
      '0190a1b2-c3d4-7e5f-8a6b-000000000001',
      '0190a1b2-c3d4-7e5f-8a6b-000000000002',
    ]);
    expect(world.events().map((e) => e.event)).toContain('after upgrade');
    // Each keeps the context it was stored with: none of this page's context is merged into it.
    const adopted = world.events().filter((e) => e.messageId!.startsWith('0190a1b2'));
    expect(adopted.map((e) => e.context)).toEqual([old('', 1).context, old('', 2).context]);
    expect(queueKeys(world)).toEqual([]);
    await world.advance(10 * 60_000);
    expect(world.events()).toHaveLength(3);
  });
});
