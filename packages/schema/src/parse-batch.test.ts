import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LIMITS } from './limits';
import { parseBatch, parseEvent } from './parse-batch';
import { defineTaxonomy, type AnyTaxonomy } from './taxonomy';

const base = { messageId: 'm-1', anonymousId: 'a-1', timestamp: '2026-01-02T03:04:05.678Z' };
const one = (event: Record<string, unknown>, extra: Record<string, unknown> = {}) => parseBatch({ batch: [event], ...extra });

function accepted(event: Record<string, unknown>) {
  const result = one(event);
  if (!result.success) throw new Error(`batch failed: ${result.message}`);
  expect(result.rejected).toEqual([]);
  return result.events[0]!.event;
}

function rejection(event: unknown) {
  const result = parseBatch({ batch: [event] });
  if (!result.success) throw new Error(`batch failed: ${result.message}`);
  expect(result.events).toEqual([]);
  return result.rejected[0]!;
}

describe('envelope of each Segment Spec type', () => {
  it('track needs an event name and keeps properties', () => {
    const event = accepted({ ...base, type: 'track', event: 'Order Placed', properties: { total: 12.5 } });
    expect(event).toMatchObject({ type: 'track', event: 'Order Placed', properties: { total: 12.5 }, messageId: 'm-1' });
    expect(rejection({ ...base, type: 'track' })).toMatchObject({ path: 'event', messageId: 'm-1' });
    expect(rejection({ ...base, type: 'track', event: '' }).path).toBe('event');
    expect(rejection({ ...base, type: 'track', event: 'x'.repeat(LIMITS.maxNameLength + 1) }).path).toBe('event');
  });

  it('page and screen take an optional name and category', () => {
    expect(accepted({ ...base, type: 'page', name: 'Home', category: 'Docs', properties: { path: '/' } })).toMatchObject({ name: 'Home', category: 'Docs' });
    expect(accepted({ ...base, type: 'page' }).type).toBe('page');
    expect(accepted({ ...base, type: 'screen', name: 'Settings' }).name).toBe('Settings');
  });

  it('identify keeps traits, group needs groupId, alias needs previousId and userId', () => {
    expect(accepted({ ...base, type: 'identify', userId: 'u-1', traits: { plan: 'pro' } }).traits).toEqual({ plan: 'pro' });
    expect(accepted({ ...base, type: 'group', groupId: 'g-1', traits: { size: 5 } }).groupId).toBe('g-1');
    expect(rejection({ ...base, type: 'group' }).path).toBe('groupId');
    expect(accepted({ ...base, type: 'alias', userId: 'u-2', previousId: 'a-1' }).previousId).toBe('a-1');
    expect(rejection({ ...base, type: 'alias', userId: 'u-2' }).path).toBe('previousId');
    expect(rejection({ type: 'alias', anonymousId: 'a', previousId: 'p' }).path).toBe('userId');
  });

  it('needs a userId or an anonymousId, and a known type', () => {
    expect(rejection({ type: 'track', event: 'x' })).toMatchObject({ path: 'userId', reason: expect.stringContaining('anonymousId') });
    expect(rejection({ ...base, type: 'pageview' })).toMatchObject({ path: 'type', reason: expect.stringContaining('track, page') });
    expect(rejection({ ...base }).path).toBe('type');
  });

  it('turns numeric user ids into strings, keeps unknown top-level fields', () => {
    const event = accepted({ ...base, type: 'track', event: 'x', userId: 42, channel: 'server' });
    expect(event.userId).toBe('42');
    expect(event.channel).toBe('server');
  });

  it('normalises timestamps from ISO strings and epoch milliseconds', () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    expect(accepted({ ...base, type: 'track', event: 'x' }).timestamp).toBe(ms);
    expect(accepted({ ...base, type: 'track', event: 'x', timestamp: ms }).timestamp).toBe(ms);
    expect(accepted({ ...base, type: 'track', event: 'x', timestamp: '2026-01-02T04:04:05.678+01:00' }).timestamp).toBe(ms);
    expect(rejection({ ...base, type: 'track', event: 'x', timestamp: 'yesterday' }).path).toBe('timestamp');
    expect(rejection({ ...base, type: 'track', event: 'x', timestamp: 1 }).path).toBe('timestamp');
  });

  it('validates the context object and keeps unknown context keys', () => {
    const context = {
      library: { name: 'analytics.js', version: '5.0.0' },
      page: { url: 'https://x.test/a?b', path: '/a', title: 'A', referrer: '', search: '?b' },
      campaign: { source: 'news', medium: 'email', name: 'launch' },
      userAgent: 'UA', locale: 'en-GB', timezone: 'Europe/Paris', ip: '203.0.113.9',
      screen: { width: 1280, height: 800, density: 2 }, sessionId: 1735000000000, custom: { a: 1 },
    };
    expect(accepted({ ...base, type: 'track', event: 'x', context }).context).toEqual(context);
    // The Spec makes no context field required and clients differ, so odd shapes are kept, not rejected.
    const odd = { page: null, library: { name: 'x', version: 3 }, sessionId: '', traits: null, screen: { width: '1280' } };
    expect(accepted({ ...base, type: 'track', event: 'x', context: odd }).context).toEqual(odd);
  });
});

describe('the batch', () => {
  it('accepts valid events and reports invalid ones by index, messageId, reason and path', () => {
    const result = parseBatch({
      batch: [
        { ...base, type: 'track', event: 'ok' },
        { ...base, messageId: 'bad-1', type: 'track' },
        'not an object',
        { ...base, messageId: 'ok-2', type: 'identify', userId: 'u' },
      ],
      sentAt: '2026-01-02T03:05:00.000Z',
      writeKey: 'wk',
    });
    if (!result.success) throw new Error(result.message);
    expect(result.events.map((e) => e.index)).toEqual([0, 3]);
    expect(result.rejected).toEqual([
      { index: 1, messageId: 'bad-1', reason: expect.any(String), path: 'event', code: 'missing_field' },
      { index: 2, messageId: null, reason: 'event must be a JSON object', path: '', code: 'invalid_event' },
    ]);
    expect(result.sentAt).toBe(Date.UTC(2026, 0, 2, 3, 5));
    expect(result.writeKey).toBe('wk');
  });

  it('merges the batch context under each event context', () => {
    const result = parseBatch({ batch: [{ ...base, type: 'track', event: 'x', context: { locale: 'fr' } }], context: { locale: 'en', ip: '1.2.3.4' } });
    if (!result.success) throw new Error(result.message);
    expect(result.events[0]!.event.context).toEqual({ locale: 'fr', ip: '1.2.3.4' });
  });

  it('refuses bodies that are not a batch, with a message that says what to send', () => {
    for (const body of [null, [], 'x', 5, {}, { batch: {} }]) {
      const result = parseBatch(body);
      expect(result.success).toBe(false);
      if (!result.success) expect(result.message).toMatch(/batch/);
    }
    const bad = parseBatch({ batch: [], sentAt: 'nope' });
    expect(bad).toMatchObject({ success: false, code: 'invalid_body', path: 'sentAt' });
  });

  it('refuses more events than the limit as too_many_events', () => {
    const result = parseBatch({ batch: Array.from({ length: LIMITS.maxBatchEvents + 1 }, () => ({})) });
    expect(result).toMatchObject({ success: false, code: 'too_many_events' });
  });

  it('parses single events for the single-event endpoints, taking the type from the route', () => {
    expect(parseEvent({ ...base, event: 'x' }, { type: 'track' })).toMatchObject({ success: true, event: { type: 'track', event: 'x' } });
    const wrong = parseEvent({ ...base, type: 'page' }, { type: 'track' });
    expect(wrong).toMatchObject({ success: false, rejection: { path: 'type', reason: expect.stringContaining('/v1/page') } });
  });
});

describe('limits and hostile input', () => {
  const track = (properties: unknown) => ({ ...base, type: 'track', event: 'x', properties });

  it('rejects strings over maxStringLength, events over maxEventBytes', () => {
    expect(rejection(track({ s: 'x'.repeat(LIMITS.maxStringLength + 1) }))).toMatchObject({ path: 'properties.s', reason: expect.stringContaining('truncate') });
    expect(accepted(track({ s: 'x'.repeat(LIMITS.maxStringLength) })).properties!.s).toHaveLength(LIMITS.maxStringLength);
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'y'.repeat(LIMITS.maxStringLength)]));
    expect(rejection(track(many))).toMatchObject({ path: '', reason: expect.stringContaining(String(LIMITS.maxEventBytes)) });
  });

  it('rejects a 10 MB string without trouble', () => {
    expect(rejection(track({ big: 'x'.repeat(10 * 1024 * 1024) })).path).toBe('properties.big');
  });

  it('rejects nesting deeper than maxDepth and accepts it at the limit', () => {
    const nest = (levels: number) => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = { a: value };
      return value;
    };
    // The event is depth 1 and `properties` depth 2, so properties can be maxDepth - 1 objects deep.
    expect(accepted(track(nest(LIMITS.maxDepth - 1))).type).toBe('track');
    expect(rejection(track(nest(LIMITS.maxDepth))).reason).toMatch(/nesting/);
    expect(rejection(track(nest(100_000))).reason).toMatch(/nesting/);
  });

  it('rejects deeply nested JSON text parsed from the wire without overflowing the stack', () => {
    const text = `{"batch":[{"type":"track","event":"x","anonymousId":"a","properties":${'['.repeat(5000)}${']'.repeat(5000)}}]}`;
    expect(rejection(JSON.parse(text).batch[0]).reason).toMatch(/nesting/);
  });

  it('rejects objects with more than maxProperties keys and long arrays', () => {
    const wide = Object.fromEntries(Array.from({ length: LIMITS.maxProperties + 1 }, (_, i) => [`k${i}`, i]));
    expect(rejection(track(wide)).reason).toMatch(/keys/);
    expect(rejection(track({ list: Array.from({ length: LIMITS.maxProperties + 1 }, () => 1) })).reason).toMatch(/items/);
    const huge = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(rejection(track(huge)).reason).toMatch(/keys/);
  });

  it('rejects __proto__, constructor and prototype keys and never pollutes prototypes', () => {
    const fromWire = JSON.parse('{"type":"track","event":"x","anonymousId":"a","properties":{"__proto__":{"polluted":true}}}');
    expect(rejection(fromWire)).toMatchObject({ path: 'properties.__proto__' });
    expect(rejection(JSON.parse('{"type":"track","event":"x","anonymousId":"a","context":{"constructor":{"prototype":{"p":1}}}}')).path).toBe('context.constructor');
    const batch = parseBatch(JSON.parse('{"batch":[],"__proto__":{"polluted":true}}'));
    expect(batch.success).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('rejects non-plain objects and non-JSON values', () => {
    expect(rejection(track({ when: new Date() })).reason).toMatch(/plain objects/);
    expect(rejection(track({ m: new Map() })).reason).toMatch(/plain objects/);
    expect(rejection(track({ f: () => 1 })).reason).toMatch(/function/);
    expect(rejection(track({ n: Number.NaN })).reason).toMatch(/finite/);
    expect(rejection(track({ b: 10n })).reason).toMatch(/bigint/);
    class Custom {
      a = 1;
    }
    expect(rejection(new Custom()).reason).toMatch(/JSON object/);
  });

  it('accepts objects without a prototype, as msgpack decoders may create', () => {
    const props = Object.create(null) as Record<string, unknown>;
    props.total = 3;
    expect(accepted(track(props)).properties).toEqual({ total: 3 });
  });

  it('rejects ids over maxIdLength and keeps messageId null when it is unusable', () => {
    expect(rejection({ ...base, type: 'track', event: 'x', userId: 'u'.repeat(LIMITS.maxIdLength + 1) }).path).toBe('userId');
    expect(rejection({ ...base, type: 'track', event: 'x', messageId: 'm'.repeat(LIMITS.maxIdLength + 1) }).messageId).toBeNull();
  });
});

describe('taxonomy validation', () => {
  const taxonomy = defineTaxonomy({
    events: {
      'Order Placed': z.object({ total: z.number(), currency: z.enum(['EUR', 'USD']) }),
      'Signed Up': z.object({ plan: z.string().optional() }),
    },
    traits: z.object({ email: z.email().optional() }),
  });
  const strict = defineTaxonomy({ events: taxonomy.events, unknownEvents: 'reject' });
  const run = (event: Record<string, unknown>, t: AnyTaxonomy = taxonomy) => parseBatch({ batch: [{ ...base, ...event }] }, { taxonomy: t });

  it('checks properties of known events and reports the property path', () => {
    const good = run({ type: 'track', event: 'Order Placed', properties: { total: 3, currency: 'EUR' } });
    expect(good).toMatchObject({ success: true, rejected: [] });
    const bad = run({ type: 'track', event: 'Order Placed', properties: { total: '3', currency: 'EUR' } });
    expect(bad).toMatchObject({ success: true, events: [], rejected: [{ path: 'properties.total' }] });
    const missing = run({ type: 'track', event: 'Order Placed', properties: { total: 3 } });
    expect(missing).toMatchObject({ rejected: [{ path: 'properties.currency' }] });
  });

  it('allows unknown events by default and rejects them with unknownEvents: reject', () => {
    expect(run({ type: 'track', event: 'Other' })).toMatchObject({ rejected: [] });
    expect(run({ type: 'track', event: 'Other' }, strict)).toMatchObject({ rejected: [{ path: 'event', reason: expect.stringContaining('not in the taxonomy') }] });
    expect(run({ type: 'track', event: 'toString' }, strict)).toMatchObject({ rejected: [{ path: 'event' }] });
  });

  it('checks identify traits when the taxonomy has traits', () => {
    expect(run({ type: 'identify', userId: 'u', traits: { email: 'a@b.co' } })).toMatchObject({ rejected: [] });
    expect(run({ type: 'identify', userId: 'u', traits: { email: 'nope' } })).toMatchObject({ rejected: [{ path: 'traits.email' }] });
  });

  it('refuses event names that do not fit the limits', () => {
    expect(() => defineTaxonomy({ events: { '': z.object({}) } })).toThrow(/1 to/);
  });
});

describe('what Segment Spec clients send', () => {
  it('reads null as absent wherever the Spec field is optional (analytics.js sends "userId": null until identify)', () => {
    const event = accepted({
      ...base,
      type: 'page',
      userId: null,
      name: null,
      category: null,
      properties: null,
      traits: null,
      context: null,
      integrations: null,
      originalTimestamp: null,
      sentAt: null,
    });
    expect(event).toMatchObject({ type: 'page', anonymousId: 'a-1' });
    for (const key of ['userId', 'name', 'category', 'properties', 'traits', 'context', 'integrations', 'originalTimestamp', 'sentAt']) {
      expect(event[key], key).toBeUndefined();
    }
    expect(accepted({ ...base, type: 'track', event: 'x', timestamp: null, messageId: null }).timestamp).toBeUndefined();
    const batch = parseBatch({ batch: [{ ...base, type: 'track', event: 'x' }], context: null, sentAt: null, writeKey: null, integrations: null });
    expect(batch.success && batch.events).toHaveLength(1);
  });

  it('reads "" ids as absent, so only an event with neither id is rejected', () => {
    expect(accepted({ ...base, type: 'track', event: 'x', userId: '' }).userId).toBeUndefined();
    expect(rejection({ type: 'track', event: 'x', userId: '', anonymousId: null })).toMatchObject({ code: 'missing_id', path: 'userId' });
  });

  it('rejects only what the Spec calls invalid, each with a stable code', () => {
    expect(rejection({ ...base, type: 'track', event: null })).toMatchObject({ code: 'missing_field', path: 'event' });
    expect(rejection({ ...base, type: 'group', groupId: '' })).toMatchObject({ code: 'missing_field', path: 'groupId' });
    expect(rejection({ ...base, type: 'alias', userId: 'u', previousId: null })).toMatchObject({ code: 'missing_field', path: 'previousId' });
    expect(rejection({ ...base, type: 'track', event: 'x', timestamp: 'yesterday' })).toMatchObject({ code: 'invalid_field', path: 'timestamp' });
    expect(rejection({ ...base, type: 'nope' }).code).toBe('invalid_type');
    expect(rejection(7).code).toBe('invalid_event');
    expect(rejection({ ...base, type: 'track', event: 'x', properties: { s: 'x'.repeat(LIMITS.maxStringLength + 1) } }).code).toBe('limit');
  });

  it('keeps unknown top-level fields (_metadata, channel, rudderId) for the collector to store', () => {
    const event = accepted({ ...base, type: 'track', event: 'x', channel: 'server', rudderId: 'r-1', _metadata: { nodeVersion: '20' } });
    expect(event).toMatchObject({ channel: 'server', rudderId: 'r-1', _metadata: { nodeVersion: '20' } });
  });

  it('fills identify traits from context.traits when the client put them only there', () => {
    expect(accepted({ ...base, type: 'identify', context: { traits: { email: 'a@x.test' } } }).traits).toEqual({ email: 'a@x.test' });
    expect(accepted({ ...base, type: 'identify', traits: { plan: 'pro' }, context: { traits: { email: 'a@x.test' } } }).traits).toEqual({ plan: 'pro' });
    expect(accepted({ ...base, type: 'track', event: 'x', context: { traits: { email: 'a@x.test' } } }).traits).toBeUndefined();
  });

  it('checks the taxonomy against the traits taken from context.traits', () => {
    const taxonomy = defineTaxonomy({ events: {}, traits: z.object({ email: z.string().email() }) });
    const result = parseBatch({ batch: [{ ...base, type: 'identify', context: { traits: { email: 'nope' } } }] }, { taxonomy });
    expect(result.success && result.rejected[0]).toMatchObject({ code: 'taxonomy', path: 'traits.email' });
  });
});

describe('text that is not Unicode', () => {
  it('rejects a lone surrogate in a value or a key, which ClickHouse would refuse at insert', () => {
    expect(rejection({ ...base, type: 'track', event: 'x', properties: { k: '\ud800' } })).toMatchObject({ code: 'limit', path: 'properties.k', reason: expect.stringMatching(/not valid Unicode/) });
    expect(rejection({ ...base, type: 'track', event: 'x', properties: { ['a\udc00']: 1 } })).toMatchObject({ code: 'limit', reason: expect.stringMatching(/surrogate/) });
    expect(accepted({ ...base, type: 'track', event: '🚀 naïve', properties: { '日本': '\u0000 ok 👍🏽' } }).event).toBe('🚀 naïve');
  });
});
