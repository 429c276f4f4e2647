import { describe, expect, it } from 'vitest';
import { parseBatch } from '@sluice/schema';
import { createWorld } from '../test/fake-browser';
import { SESSION_TOUCH_MS } from './identity';
import { LIBRARY } from './version';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('events on the wire', () => {
  it('sends a track event with the full context to /v1/batch as text/plain with the write key in the body', async () => {
    const world = createWorld();
    const { analytics } = world.tab();
    analytics.track('Order Placed', { total: 42 });
    await analytics.flush();
    expect(world.sent).toHaveLength(1);
    const [req] = world.sent;
    expect(req!.url).toBe('https://collect.example/v1/batch');
    expect(req!.headers['content-type']).toBe('text/plain');
    expect(req!.headers.authorization).toBeUndefined();
    expect(req!.keepalive).toBe(true);
    expect(req!.body.writeKey).toBe('wk_test');
    expect(req!.body.sentAt).toBe(new Date(world.now).toISOString());
    const [e] = world.events();
    expect(e).toMatchObject({
      type: 'track',
      event: 'Order Placed',
      properties: { total: 42 },
      timestamp: '2025-06-01T12:00:00.000Z',
      context: {
        library: LIBRARY,
        page: { url: 'https://shop.example/cart?utm_source=news&utm_medium=email&utm_campaign=spring&x=1', path: '/cart', title: 'Cart', referrer: 'https://ref.example/', search: '?utm_source=news&utm_medium=email&utm_campaign=spring&x=1' },
        campaign: { source: 'news', medium: 'email', name: 'spring' },
        userAgent: 'FakeBrowser/1.0',
        locale: 'de-DE',
        screen: { width: 1440, height: 900, density: 2 },
      },
    });
    expect(e!.messageId).toMatch(UUID7);
    expect(e!.anonymousId).toMatch(UUID7);
    expect(e!.userId).toBeUndefined();
    expect(typeof e!.context!.timezone).toBe('string');
    expect(e!.context!.sessionId).toMatch(UUID7);
  });

  it('sends the context its events share once per batch, and an event whose context differs with its own', async () => {
    const world = createWorld();
    const { analytics, win } = world.tab();
    analytics.track('a');
    analytics.track('b');
    Object.assign(win.location, { href: 'https://shop.example/checkout', pathname: '/checkout', search: '' }); // history.pushState
    analytics.track('c');
    await analytics.flush();
    expect(world.sent).toHaveLength(1);
    const { body } = world.sent[0]!;
    expect(body.context).toMatchObject({ page: { path: '/cart' }, userAgent: 'FakeBrowser/1.0' });
    expect(body.batch.map((e) => e.context?.page)).toEqual([undefined, undefined, expect.objectContaining({ path: '/checkout' })]);
    // What the collector reads: the batch's context merged under each event's own.
    const parsed = parseBatch(body);
    if (!parsed.success) throw new Error(parsed.message);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.events.map(({ event }) => [event.event, (event.context!.page as { url: string }).url])).toEqual([
      ['a', 'https://shop.example/cart?utm_source=news&utm_medium=email&utm_campaign=spring&x=1'],
      ['b', 'https://shop.example/cart?utm_source=news&utm_medium=email&utm_campaign=spring&x=1'],
      ['c', 'https://shop.example/checkout'],
    ]);
    expect(parsed.events[2]!.event.context!.campaign).toEqual({});
  });

  it('never sends a batch-level context with events beforeSend edited, so what it removed stays removed', async () => {
    const world = createWorld();
    const { analytics } = world.tab({ beforeSend: (e) => ({ ...e, context: { ...e.context, userAgent: undefined } }) });
    analytics.track('a');
    analytics.track('b');
    await analytics.flush();
    const { body } = world.sent[0]!;
    expect(body.context).toBeUndefined();
    const parsed = parseBatch(body);
    if (!parsed.success) throw new Error(parsed.message);
    expect(parsed.events).toHaveLength(2);
    for (const { event } of parsed.events) {
      expect(event.context).toMatchObject({ page: { path: '/cart' } });
      expect(event.context!.userAgent).toBeUndefined();
    }
  });

  it('parses every utm_* parameter and leaves campaign empty without them', async () => {
    const world = createWorld();
    world.tab({}, 'https://a.example/?utm_source=s&utm_medium=m&utm_campaign=c&utm_term=t&utm_content=x').analytics.track('a');
    world.tab({}, 'https://a.example/plain').analytics.track('b');
    await world.advance(10_000);
    const [a, b] = world.events();
    expect(a!.context!.campaign).toEqual({ source: 's', medium: 'm', name: 'c', term: 't', content: 'x' });
    expect(b!.context!.campaign).toEqual({});
  });

  it('sends page, identify, group and alias in Segment shape', async () => {
    const world = createWorld();
    const { analytics } = world.tab();
    analytics.page('Cart', { step: 2 });
    analytics.identify('user-1', { plan: 'pro' });
    analytics.group('org-9', { seats: 5 });
    analytics.alias('user-2');
    await analytics.flush();
    const [page, identify, group, alias] = world.events();
    expect(page).toMatchObject({ type: 'page', name: 'Cart', properties: { path: '/cart', title: 'Cart', step: 2 } });
    expect(page!.userId).toBeUndefined();
    expect(identify).toMatchObject({ type: 'identify', userId: 'user-1', traits: { plan: 'pro' } });
    expect(group).toMatchObject({ type: 'group', groupId: 'org-9', traits: { seats: 5 }, userId: 'user-1' });
    expect(alias).toMatchObject({ type: 'alias', userId: 'user-2', previousId: 'user-1' });
    expect(new Set(world.events().map((e) => e.anonymousId)).size).toBe(1);
  });

  it('sends a page event on start with autoPage', async () => {
    const world = createWorld();
    world.tab({ autoPage: true });
    await world.advance(6_000);
    expect(world.events()).toMatchObject([{ type: 'page', properties: { path: '/cart' } }]);
  });

  it('lets beforeSend redact, enrich, sample and drop', async () => {
    const world = createWorld();
    const { analytics } = world.tab({
      beforeSend: (e) => (e.event == 'drop me' ? null : { ...e, properties: { ...e.properties, email: undefined, app: 'web' } }),
    });
    analytics.track('keep', { email: 'a@b.c', n: 1 });
    analytics.track('drop me');
    await analytics.flush();
    expect(world.events()).toHaveLength(1);
    expect(world.events()[0]!.properties).toEqual({ n: 1, app: 'web' });
  });

  it('drops (and counts) an event larger than maxEventBytes or one that cannot be serialized', async () => {
    const world = createWorld();
    const { analytics } = world.tab();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    analytics.track('big', { s: 'x'.repeat(40_000) });
    analytics.track('circular', circular);
    analytics.track('ok');
    await analytics.flush();
    expect(world.events().map((e) => e.event)).toEqual(['ok']);
    expect(analytics.stats.dropped).toBe(2);
  });
});

describe('identity and sessions', () => {
  it('keeps the anonymous id and user id across reloads', async () => {
    const world = createWorld();
    const first = world.tab();
    first.analytics.identify('u1');
    first.analytics.track('a');
    world.tab().analytics.track('b'); // a reload: a new SDK instance over the same storage
    await world.advance(10_000);
    const [, a, b] = world.events();
    expect(b!.anonymousId).toBe(a!.anonymousId);
    expect(b!.userId).toBe('u1');
  });

  it('reset() forgets the user, and starts a new anonymous id and session', async () => {
    const world = createWorld();
    const { analytics } = world.tab();
    analytics.identify('u1');
    analytics.reset();
    analytics.track('after');
    await analytics.flush();
    const [before, after] = world.events();
    expect(after!.userId).toBeUndefined();
    expect(after!.anonymousId).not.toBe(before!.anonymousId);
    expect(after!.context!.sessionId).not.toBe(before!.context!.sessionId);
  });

  it('rotates the session after 30 minutes idle and after 24 hours of activity', async () => {
    const world = createWorld();
    const { analytics } = world.tab({ flushIntervalMs: 60 * 60_000 });
    const sessions: unknown[] = [];
    const track = async () => {
      analytics.track('x');
      await analytics.flush();
      sessions.push(world.events().at(-1)!.context!.sessionId);
    };
    await track();
    await world.advance(29 * 60_000);
    await track(); // 29 min idle: same session
    await world.advance(31 * 60_000);
    await track(); // 31 min idle: new session
    expect(sessions[1]).toBe(sessions[0]);
    expect(sessions[2]).not.toBe(sessions[1]);
    for (let i = 0; i < 24 * 4 + 1; i++) {
      await world.advance(15 * 60_000);
      await track();
    }
    const active = sessions.slice(2);
    expect(new Set(active).size).toBe(2); // rotated once after 24 h despite activity
    expect(active.indexOf(active.at(-1))).toBe(24 * 4 + 1); // the first event past 24 h started it
  });

  it('writes the last activity of the session at most once per SESSION_TOUCH_MS, and keeps the session across a reload', async () => {
    const world = createWorld();
    const tab = world.tab({ flushAt: 1000 });
    const sessionWrites = () => world.storage.writes.filter((k) => /^sluice:[^:]+:s$/.test(k)).length;
    for (let i = 0; i < 5; i++) {
      tab.analytics.track('x' + i);
      await world.advance(SESSION_TOUCH_MS / 5);
    }
    expect(sessionWrites()).toBe(1);
    tab.analytics.track('x5');
    await world.settle();
    expect(sessionWrites()).toBe(2);
    world.tab().analytics.track('reloaded');
    await world.advance(10_000);
    expect(new Set(world.events().map((e) => e.context!.sessionId)).size).toBe(1);
  });

  it('keeps the anonymous id in a first-party cookie with persistence: cookie', async () => {
    const world = createWorld();
    const tab = world.tab({ persistence: 'cookie', cookieDomain: 'shop.example' });
    tab.analytics.track('a');
    await tab.analytics.flush();
    const id = world.events()[0]!.anonymousId!;
    expect(tab.doc.cookie).toBe(`sluice_aid=${id};path=/;max-age=31536000;samesite=lax;domain=shop.example`);
    expect([...world.storage.map.keys()].some((k) => k.endsWith(':a'))).toBe(false);
  });
});

describe('privacy', () => {
  it('optOut() stops tracking, drops the queue and is remembered; optIn() resumes', async () => {
    const world = createWorld();
    const { analytics } = world.tab();
    analytics.track('queued');
    analytics.optOut();
    analytics.track('after opt-out');
    await analytics.flush();
    world.tab().analytics.track('next visit');
    await world.advance(10_000);
    expect(world.sent).toHaveLength(0);
    analytics.optIn();
    analytics.track('after opt-in');
    await analytics.flush();
    expect(world.events().map((e) => e.event)).toEqual(['after opt-in']);
  });

  it.each([
    ['Do Not Track', { doNotTrack: '1' }],
    ['Global Privacy Control', { globalPrivacyControl: true }],
  ])('sends nothing under %s unless the user opts in', async (_, signal) => {
    const world = createWorld();
    const tab = world.tab();
    Object.assign(tab.nav, signal);
    tab.analytics.track('no');
    await tab.analytics.flush();
    expect(world.sent).toHaveLength(0);
    tab.analytics.optIn();
    tab.analytics.track('yes');
    await tab.analytics.flush();
    expect(world.events().map((e) => e.event)).toEqual(['yes']);
  });

  it('reads Do Not Track and Global Privacy Control anew in each task', async () => {
    const world = createWorld();
    const tab = world.tab();
    tab.analytics.track('before');
    await world.settle();
    tab.nav.globalPrivacyControl = true;
    tab.analytics.track('after');
    await tab.analytics.flush();
    expect(world.events().map((e) => e.event)).toEqual(['before']);
  });

  it('tracks under DNT when respectDoNotTrack is false', async () => {
    const world = createWorld();
    const tab = world.tab({ respectDoNotTrack: false });
    tab.nav.doNotTrack = '1';
    tab.analytics.track('yes');
    await tab.analytics.flush();
    expect(world.events()).toHaveLength(1);
  });
});
