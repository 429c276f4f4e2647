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
});
