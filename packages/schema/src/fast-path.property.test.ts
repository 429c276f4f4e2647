/**
 * Property: `parseBatch` and `parseEvent` (the fast path of fast-path.ts, falling back to zod) give
 * exactly what zod alone gives, for valid and near-valid events alike: the same events (values, keys
 * present as `undefined`, key order) and the same rejections (code, reason, path, messageId). The
 * generators lean on the edges where a hand-written reader could differ from zod: nulls, `""`,
 * numeric ids, wrong types, lengths at and past each limit, odd timestamps, extra fields, nested
 * and non-plain `context`, and every event type (plus unknown, missing and `null` types).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastEventData } from './fast-path';
import { LIMITS } from './limits';
import { parseBatch, parseEvent, zodOnly } from './parse-batch';
import { EVENT_TYPES, type EventType } from './types';

const RUNS = 2_000;
/** Generous: 2,000 generated batches take a few seconds, longer on a shared machine. */
const TIMEOUT_MS = 120_000;

/** Ordinary text, and strings at and past each length limit. */
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a.b', 'é\u0301', '💧', '0', '-1', 'null') },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(LIMITS.maxNameLength, LIMITS.maxIdLength, LIMITS.maxStringLength)
      .chain((limit) => fc.constantFrom(limit - 1, limit, limit + 1))
      .map((length) => 'x'.repeat(length)),
  },
);

const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, -1, 2 ** 53, 946_684_800_000, 946_684_799_999, 4_102_444_800_000, 4_102_444_799_999.5),
);

/** JSON values a client may well send. */
const clean: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, text, number, fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
})).value;
const cleanObject = fc.dictionary(fc.string({ maxLength: 6 }), clean, { maxKeys: 5 });

/** Anything at all, including what the guard refuses: NaN, lone surrogates, forbidden keys. */
const anything: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    clean,
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, '\ud800', [], {}),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('constructor', '__proto__', 'prototype', 'page', 'traits')), tie('value'), { maxKeys: 4 }),
})).value;

/** A JSON object the way JSON.parse builds it: an own `__proto__` key stays a key. */
const parsedObject = fc.dictionary(fc.oneof({ weight: 9, arbitrary: fc.string({ maxLength: 6 }) }, { weight: 1, arbitrary: fc.constant('__proto__') }), clean, { maxKeys: 3 }).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

const timestamp = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 946_684_800_000, max: 4_102_444_799_999 }).map((ms) => new Date(ms).toISOString()) },
  { weight: 2, arbitrary: fc.integer({ min: 946_684_800_000, max: 4_102_444_799_999 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '2026-01-02T03:04:05.678Z',
      '2026-01-02T03:04:05.678123Z',
      '2026-01-02T03:04:05+02:00',
      '2026-01-02',
      '2026-13-02T00:00:00Z',
      '1999-12-31T23:59:59.999Z',
      '2100-01-01T00:00:00Z',
      'yesterday',
      '1767225600000',
      '',
      ` 2026-01-02T03:04:05Z${' '.repeat(60)}`,
      1_767_225_600_000.75,
      -1,
    ),
  },
);

const sub = (keys: string[]) => fc.oneof(fc.dictionary(fc.constantFrom(...keys, 'extra'), fc.oneof(text, number, fc.constant(null)), { maxKeys: 4 }), fc.constant(null), text);
const context = fc.oneof(
  { weight: 8, arbitrary: fc.record(
    {
      page: sub(['url', 'path', 'referrer', 'title']),
      campaign: sub(['source', 'medium', 'name']),
      library: sub(['name', 'version']),
      traits: fc.oneof(cleanObject, fc.constant({})),
      locale: text,
      sessionId: fc.oneof(text, number),
      ip: text,
      nested: cleanObject,
    },
    { requiredKeys: [] },
  ) },
  { weight: 1, arbitrary: parsedObject },
  { weight: 1, arbitrary: clean },
);

/** `null` and a value of the field's own kind, mostly. */
const orNull = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: right }, { weight: 1, arbitrary: fc.constant(null) });
const id = orNull(fc.oneof(fc.string({ minLength: 1, maxLength: 36 }), fc.integer({ min: 0 }), fc.double({ noNaN: true, noDefaultInfinity: true }), text, fc.constant('')));
const record = orNull(fc.oneof({ weight: 9, arbitrary: cleanObject }, { weight: 1, arbitrary: parsedObject }));

const typeField = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...EVENT_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom('Track', 'batch', '', undefined, null, 7) },
);

const FIELDS = ['type', 'messageId', 'userId', 'anonymousId', 'timestamp', 'originalTimestamp', 'sentAt', 'context', 'integrations', 'properties', 'traits', 'event', 'name', 'category', 'groupId', 'previousId', 'channel', 'writeKey'];

/** Mostly well-formed events, each with up to two fields set to anything at all. */
const event = fc
  .record(
    {
      type: typeField,
      messageId: id,
      userId: id,
      anonymousId: id,
      timestamp: orNull(timestamp),
      originalTimestamp: orNull(timestamp),
      sentAt: orNull(timestamp),
      context: orNull(context),
      integrations: record,
      properties: record,
      traits: record,
      event: orNull(fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), text)),
      name: orNull(text),
      category: orNull(text),
      groupId: id,
      previousId: id,
      channel: clean,
      _metadata: clean,
      writeKey: text,
      [`x-${'extra'}`]: clean,
    },
    { requiredKeys: ['type'] },
  )
  .chain((fields) =>
    fc.record({
      fields: fc.constant(fields as Record<string, unknown>),
      order: fc.shuffledSubarray(Object.keys(fields), { minLength: Object.keys(fields).length }),
      wrong: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(fc.tuple(fc.constantFrom(...FIELDS), anything), { minLength: 1, maxLength: 2 }) }),
    }),
  )
  // Keys in a shuffled order, as clients send them; `undefined` dropped, as JSON would.
  .map(({ fields, order, wrong }) => {
    const out: Record<string, unknown> = {};
    for (const key of order) if (fields[key] !== undefined) out[key] = fields[key];
    for (const [key, value] of wrong) out[key] = value;
    return out;
  });

const anyEvent = fc.oneof({ weight: 20, arbitrary: event }, { weight: 1, arbitrary: anything });

const batchBody = fc.record(
  {
    batch: fc.array(anyEvent, { maxLength: 5 }),
    sentAt: orNull(fc.oneof({ weight: 12, arbitrary: timestamp }, { weight: 1, arbitrary: anything })),
    context: orNull(fc.oneof({ weight: 12, arbitrary: context }, { weight: 1, arbitrary: anything })),
    writeKey: orNull(fc.oneof({ weight: 12, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: anything })),
    integrations: record,
    extra: fc.string(),
  },
  { requiredKeys: ['batch'] },
);

/** Keys of every object, in order, so equal values with a different key order still differ. */
function keyOrder(input: unknown): unknown {
  if (Array.isArray(input)) return input.map(keyOrder);
  if (typeof input !== 'object' || input === null) return typeof input;
  return Object.keys(input).map((key) => [key, keyOrder((input as Record<string, unknown>)[key])]);
}

function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  expect(keyOrder(actual)).toEqual(keyOrder(expected));
}

describe('the fast path, against zod alone', () => {
  it('parseBatch gives the same events and rejections', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(batchBody, (body) => {
        expectSame(parseBatch(body), zodOnly.parseBatch(body));
      }),
      { numRuns: RUNS },
    );
  });

  it('parseEvent gives the same, with and without the endpoint type', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(anyEvent, fc.constantFrom<EventType | undefined>(undefined, ...EVENT_TYPES), (raw, type) => {
        expectSame(parseEvent(raw, { type }), zodOnly.parseEvent(raw, { type }));
      }),
      { numRuns: RUNS },
    );
  });

  it('parseBatch gives the same for a body that is not a usable batch', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.oneof(anything, fc.record({ batch: anything, sentAt: anything, context: anything, writeKey: anything }, { requiredKeys: [] })), (body) => {
        expectSame(parseBatch(body), zodOnly.parseBatch(body));
      }),
      { numRuns: RUNS / 4 },
    );
  });
});

describe('the fast path reads well-formed events itself', () => {
  const base = { messageId: 'm-1', anonymousId: 'a-1', userId: null, timestamp: '2026-01-02T03:04:05.678Z', context: { page: { path: '/' }, library: { name: 'x' } } };
  const required: Record<EventType, Record<string, unknown>> = {
    track: { event: 'Order Placed', properties: { total: 1 } },
    page: { name: 'Home', properties: { path: '/' } },
    screen: { name: 'Settings', category: '' },
    identify: { traits: { plan: 'pro' } },
    group: { groupId: 42 },
    alias: { previousId: 'a-0', userId: 'u-1' },
  };

  it.each(EVENT_TYPES)('%s, with nulls, numeric ids and extra fields, without asking zod', (type) => {
    const raw = { type, channel: 'web', ...base, ...required[type] };
    const fast = fastEventData(raw, type);
    expect(fast).toBeDefined();
    expectSame(parseEvent(raw), zodOnly.parseEvent(raw));
  });

  it('is not sure of what zod would reject, so the rejection is zod\'s own', () => {
    expect(fastEventData({ type: 'track', event: 'E', anonymousId: 'a', timestamp: 'yesterday' }, 'track')).toBeUndefined();
    expect(fastEventData({ type: 'track', anonymousId: 'a' }, 'track')).toBeUndefined();
    expect(fastEventData({ type: 'group', groupId: '', anonymousId: 'a' }, 'group')).toBeUndefined();
    expect(fastEventData({ type: 'page', anonymousId: 'a', properties: [] }, 'page')).toBeUndefined();
    expect(parseEvent({ type: 'track', event: 'E', anonymousId: 'a', timestamp: 'yesterday' })).toEqual({
      success: false,
      rejection: { index: 0, messageId: null, code: 'invalid_field', path: 'timestamp', reason: 'timestamp: expected an ISO-8601 string or epoch milliseconds between 2000 and 2100' },
    });
  });
});
