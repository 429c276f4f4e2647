import { describe, expect, it } from 'vitest';
import { createWorld, queueKeys } from '../test/fake-browser';
import { DEFAULTS } from './defaults';

const noDuplicates = (ids: string[]) => expect(ids.length).toBe(new Set(ids).size);

describe('several tabs over one localStorage', () => {
  it('never send the same event twice, through fetch, retries, beacons and adoption', async () => {
    const world = createWorld();
    const tabs = [world.tab({ flushAt: 3 }), world.tab({ flushAt: 5 }), world.tab({ flushAt: 2 })];
    world.reply({ status: 503, headers: { 'Retry-After': '2' } }, 'network-error');
    for (let round = 0; round < 20; round++) {
      for (const [i, t] of tabs.entries()) t.analytics.track(`tab${i} #${round}`);
      await world.advance(700);
    }
    tabs[1]!.close();
    tabs[2]!.nav.acceptBeacons = false;
    tabs[2]!.close(); // its queue is left behind for tab 0
    await world.advance(DEFAULTS.tabStaleMs + 3 * DEFAULTS.flushIntervalMs);
    expect(world.sent.filter((s) => s.status == 503)).toHaveLength(1); // that batch was sent again
    const ids = world.delivered().map((e) => e.messageId);
    noDuplicates(ids);
    expect(ids).toHaveLength(60);
    expect(queueKeys(world.storage)).toEqual([]);
  });

  it('adopt the queue of a crashed tab, once, after its heartbeat is stale', async () => {
    const world = createWorld();
    const a = world.tab();
    const b = world.tab();
    const c = world.tab();
    a.nav.onLine = false;
    a.analytics.track('left behind');
    a.crash();
    await world.advance(DEFAULTS.tabStaleMs - 1_000);
    expect(world.events()).toHaveLength(0); // not stale yet: a might be alive
    await world.advance(3 * DEFAULTS.flushIntervalMs);
    expect(world.events().map((e) => e.event)).toEqual(['left behind']);
    await world.advance(10 * 60_000);
    expect(world.events()).toHaveLength(1);
    expect(b.analytics.stats.sent + c.analytics.stats.sent).toBe(1);
  });

  it('do not adopt the queue of a live tab that is only slow (throttled timers)', async () => {
    const world = createWorld();
    const a = world.tab({ flushIntervalMs: 60_000 }); // a background tab ticking once a minute
    world.tab();
    a.nav.onLine = false;
    a.analytics.track('mine');
    await world.advance(DEFAULTS.tabStaleMs + 2_000); // b claims a's queue…
    await world.advance(1_000); // … then a ticks before b adopts? no: a's next tick is at 60 s
    a.nav.onLine = true;
    await world.advance(5 * 60_000);
    const ids = world.events().map((e) => e.messageId);
    noDuplicates(ids);
    expect(world.events().map((e) => e.event)).toEqual(['mine']);
  });

  it('a returning owner (back from bfcache) wins back its queue from a claimer', async () => {
    const world = createWorld();
    const a = world.tab({ flushIntervalMs: 3_600_000 });
    world.tab();
    a.nav.onLine = false;
    a.analytics.track('mine');
    await world.advance(DEFAULTS.tabStaleMs + DEFAULTS.flushIntervalMs + 1); // b has claimed, not yet adopted
    a.nav.onLine = true;
    a.analytics.track('more'); // a writes its heartbeat with the queue
    await a.analytics.flush();
    await world.advance(10 * 60_000);
    const ids = world.events().map((e) => e.messageId);
    noDuplicates(ids);
    expect(world.events().map((e) => e.event).sort()).toEqual(['mine', 'more']);
    expect(a.analytics.stats.sent).toBe(2);
  });

  it('a task that tracks after a send stores its events in one write: the heartbeat stays until a tick finds the queue empty', async () => {
    const world = createWorld();
    const tab = world.tab({ flushAt: 1 });
    const heartbeats = () => [...world.storage.map.keys()].filter((k) => /^sluice:[^:]+:h/.test(k));
    tab.analytics.track('first');
    await world.advance(100); // sent: the queue is empty
    expect(queueKeys(world.storage)).toEqual([]);
    expect(heartbeats()).toHaveLength(1);
    world.storage.writes.length = 0;
    tab.analytics.track('second');
    await world.settle(); // the end of the task that tracked
    expect(world.storage.writes.filter((k) => /^sluice:[^:]+:[ch]/.test(k))).toEqual(queueKeys(world.storage));
    await world.advance(DEFAULTS.flushIntervalMs); // sent, then a tick with nothing queued
    expect(world.events().map((e) => e.event)).toEqual(['first', 'second']);
    expect(heartbeats()).toEqual([]);
    world.storage.writes.length = 0;
    world.storage.removals.length = 0;
    await world.advance(5 * DEFAULTS.flushIntervalMs); // idle ticks
    expect([...world.storage.writes, ...world.storage.removals].filter((k) => k.startsWith('sluice:'))).toEqual([]);
  });

  it('a heartbeat that outlived its queue is written anew with the next events once it is half stale (throttled timers)', async () => {
    const world = createWorld();
    const a = world.tab({ flushAt: 1, flushIntervalMs: 3_600_000 }); // a background tab whose timers hardly run
    world.tab();
    a.analytics.track('sent');
    await world.advance(100); // sent: a's heartbeat stays, and no tick of a renews or removes it
    await world.advance(DEFAULTS.tabStaleMs + 10_000);
    a.nav.onLine = false;
    a.analytics.track('kept');
    await world.settle();
    const [heartbeat] = [...world.storage.map].filter(([k]) => /^sluice:[^:]+:h/.test(k)).map(([, v]) => v);
    expect(Number(heartbeat!.split(':')[1])).toBe(world.now);
    await world.advance(DEFAULTS.tabStaleMs - 1_000); // the other tab sees a live queue and leaves it
    expect(world.events().map((e) => e.event)).toEqual(['sent']);
    a.nav.onLine = true;
    await a.analytics.flush();
    expect(world.events().map((e) => e.event)).toEqual(['sent', 'kept']);
    expect(a.analytics.stats.sent).toBe(2);
  });
});
