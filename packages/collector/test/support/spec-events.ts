/**
 * fast-check arbitraries of Segment-Spec-valid events, as any client may send them: `null` or a
 * missing field wherever the Spec makes it optional, `""` ids next to a usable one, numeric ids,
 * extra top-level fields, ISO (with `Z` or an offset) and epoch-millisecond timestamps, and unicode
 * everywhere (emoji, combining marks, control characters). Each event comes with what the collector
 * must store for it, so a suite can compare the row with what was sent.
 */
import fc from 'fast-check';
import { LIMITS } from '@sluice/schema';

const TYPES = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const;
type SpecType = (typeof TYPES)[number];

/** Any well-formed unicode text (a lone surrogate is not Unicode, and is rejected visibly). */
const text = (maxLength: number, minLength = 0) =>
  fc.string({ unit: 'binary', minLength, maxLength }).filter((value) => (value as string & { isWellFormed(): boolean }).isWellFormed());

/**
 * Property and context keys: unicode, but without a dot, because ClickHouse's JSON type reads
 * `"a.b"` as the path a → b (docs/migrating.md says so), and not a name the guard forbids.
 */
const key = text(24, 1).filter((value) => !value.includes('.') && !['__proto__', 'constructor', 'prototype'].includes(value));

const scalar = fc.oneof(
  text(40),
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).filter((value) => !Object.is(value, -0)),
  fc.boolean(),
  fc.constant(null),
);

/**
 * Arrays of one type: ClickHouse's JSON type stores an array of mixed types (`["a", false]`) as an
 * array of their common type (`["a", "false"]`), which docs/migrating.md states.
 */
const homogeneousArray = fc.oneof(
  fc.array(text(20), { maxLength: 4 }),
  fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { maxLength: 4 }),
  fc.array(fc.boolean(), { maxLength: 4 }),
);

/** JSON objects as properties and traits hold them: scalars, arrays of scalars, nested objects. */
const jsonObject: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ object: Record<string, unknown>; value: unknown }>((tie) => ({
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  value: fc.oneof({ depthSize: 'small', maxDepth: 3 }, scalar, homogeneousArray, tie('object')),
})).object;

/** A usable id: unicode text or a number (some clients send numeric ids; they are stored as strings). */
const usableId = fc.oneof({ weight: 4, arbitrary: text(64, 1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }) });
/** An optional id that is not there: absent, `null` or `""`. */
const noId = fc.constantFrom(undefined, null, '');

/** Between 300 days and a minute ago: inside the events TTL, and never in the future. */
const instant = (now: number) => fc.integer({ min: now - 300 * 86_400_000, max: now - 60_000 });
const timestampOf = (ms: number) =>
  fc.oneof(
    fc.constant(new Date(ms).toISOString()),
    fc.constant(ms),
    fc.integer({ min: -12, max: 14 }).map((hours) => isoWithOffset(ms, hours)),
  );

function isoWithOffset(ms: number, hours: number): string {
  const local = new Date(ms + hours * 3_600_000).toISOString().slice(0, -1);
  const sign = hours < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.abs(hours)).padStart(2, '0')}:00`;
}

/** Top-level fields the collector stores or drops by name; extra fields never use them. */
const RESERVED = new Set(['type', 'messageId', 'userId', 'anonymousId', 'event', 'name', 'category', 'groupId', 'previousId', 'properties', 'traits', 'context', 'integrations', 'timestamp', 'originalTimestamp', 'sentAt', 'receivedAt', '_metadata', 'writeKey']);
/** Context keys with typed columns; custom context keys never use them. */
const TYPED_CONTEXT = new Set(['page', 'campaign', 'library', 'locale', 'sessionId', 'ip', 'traits']);

export interface SpecEvent {
  /** The event as sent. */
  event: Record<string, unknown>;
  /** What the row must hold. */
  expected: {
    messageId: string;
    type: SpecType;
    event: string;
    userId: string;
    anonymousId: string;
    groupId: string;
    previousId: string;
    /** Epoch ms of the client's event time, or undefined when the event carried none. */
    originalTimestamp: number | undefined;
    properties: Record<string, unknown>;
    traits: Record<string, unknown>;
    /** `context` as stored, before the collector adds `ip`: extra top-level fields, then the custom context keys. */
    context: Record<string, unknown>;
    libraryName: string;
    libraryVersion: string;
    pagePath: string;
  };
}

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(fc.constant(undefined), fc.constant(null), arbitrary);

/** One Spec-valid event; `messageId` makes it findable (unique per run when the caller makes `prefix` unique). */
export function specEvent(prefix: string, now: number): fc.Arbitrary<SpecEvent> {
  return fc
    .record({
      type: fc.constantFrom(...TYPES),
      messageId: text(40, 1),
      ids: fc.oneof(
        fc.record({ userId: usableId, anonymousId: fc.oneof(noId, usableId) }),
        fc.record({ userId: noId, anonymousId: usableId }),
      ),
      name: text(LIMITS.maxNameLength, 1),
      optionalName: optional(fc.oneof(fc.constant(''), text(60, 1))),
      category: optional(text(30, 1)),
      targetId: usableId,
      properties: optional(jsonObject),
      traits: optional(jsonObject),
      time: instant(now).chain((ms) => fc.record({ ms: fc.constant(ms), value: timestampOf(ms), field: fc.constantFrom('timestamp', 'originalTimestamp', 'both', 'none') })),
      library: optional(fc.record({ name: text(30, 1), version: text(12, 1) })),
      pagePath: optional(text(40, 1)),
      customContext: fc.dictionary(key.filter((k) => !TYPED_CONTEXT.has(k)), fc.oneof(scalar, jsonObject), { maxKeys: 3 }),
      contextTraits: optional(jsonObject),
      contextNull: fc.boolean(),
      extras: fc.dictionary(key.filter((k) => !RESERVED.has(k) && !TYPED_CONTEXT.has(k)), fc.oneof(scalar, jsonObject), { maxKeys: 3 }),
      integrations: optional(fc.constant({ All: true, Mixpanel: false })),
      metadata: optional(fc.constant({ bundled: ['Segment.io'], unbundled: [] })),
    })
    .map((g): SpecEvent => {
      const type = g.type;
      // An alias needs the new userId (the Spec requires it), whatever the other ids are.
      const ids = type === 'alias' ? { userId: g.targetId, anonymousId: g.ids.anonymousId } : g.ids;
      const messageId = `${prefix}${g.messageId}`.slice(0, LIMITS.maxIdLength);
      const event: Record<string, unknown> = { type, messageId, ...g.extras };
      setMaybe(event, 'userId', ids.userId);
      setMaybe(event, 'anonymousId', ids.anonymousId);
      let eventName = '';
      if (type === 'track') event.event = eventName = g.name;
      if (type === 'page' || type === 'screen') {
        setMaybe(event, 'name', g.optionalName);
        eventName = typeof g.optionalName === 'string' ? g.optionalName : '';
        setMaybe(event, 'category', g.category);
      }
      if (type === 'group') event.groupId = g.targetId;
      if (type === 'alias') event.previousId = typeof g.ids.userId === 'string' && g.ids.userId !== '' ? g.ids.userId : 'previous-anonymous';
      setMaybe(event, 'properties', g.properties);
      setMaybe(event, 'traits', g.traits);
      setMaybe(event, 'integrations', g.integrations);
      setMaybe(event, '_metadata', g.metadata);
      if (g.time.field === 'timestamp' || g.time.field === 'both') event.timestamp = g.time.value;
      if (g.time.field === 'originalTimestamp' || g.time.field === 'both') event.originalTimestamp = g.time.value;

      const context: Record<string, unknown> = { ...g.customContext };
      if (g.library !== undefined) context.library = g.library;
      if (g.pagePath !== undefined) context.page = g.pagePath === null ? null : { path: g.pagePath };
      if (g.contextTraits !== undefined) context.traits = g.contextTraits;
      const noContext = Object.keys(context).length === 0;
      if (!noContext) event.context = context;
      else if (g.contextNull) event.context = null;

      const storedContext: Record<string, unknown> = { ...g.extras, ...g.customContext };
      if ((type === 'page' || type === 'screen') && typeof g.category === 'string') storedContext.category = g.category;
      if (g.library === null) storedContext.library = null;
      if (g.pagePath === null) storedContext.page = null;
      if (g.contextTraits !== undefined) storedContext.traits = g.contextTraits;

      const traits = g.traits ?? {};
      const contextTraits = g.contextTraits ?? {};
      const identifyFromContext = type === 'identify' && Object.keys(traits).length === 0 && Object.keys(contextTraits).length > 0;

      const userId = ids.userId === undefined || ids.userId === null || ids.userId === '' ? '' : String(ids.userId);
      const anonymousId = ids.anonymousId === undefined || ids.anonymousId === null || ids.anonymousId === '' ? '' : String(ids.anonymousId);
      return {
        event,
        expected: {
          messageId,
          type,
          event: eventName,
          userId,
          anonymousId,
          groupId: type === 'group' ? String(g.targetId) : '',
          previousId: type === 'alias' ? String(event.previousId) : '',
          originalTimestamp: g.time.field === 'none' ? undefined : g.time.ms,
          properties: g.properties ?? {},
          traits: identifyFromContext ? contextTraits : traits,
          context: storedContext,
          libraryName: g.library?.name ?? '',
          libraryVersion: g.library?.version ?? '',
          // analytics.js page events carry the path in properties too; it fills page_path when context.page has none.
          pagePath: typeof g.pagePath === 'string' ? g.pagePath : type === 'page' ? columnText(g.properties?.path) : '',
        },
      };
    });
}

function columnText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function setMaybe(target: Record<string, unknown>, field: string, value: unknown): void {
  if (value !== undefined) target[field] = value;
}

/** A batch of events whose messageIds are unique within the batch. */
export function specBatch(prefix: string, now: number, maxLength = 20): fc.Arbitrary<SpecEvent[]> {
  return fc.uniqueArray(specEvent(prefix, now), { minLength: 1, maxLength, selector: (e) => e.expected.messageId });
}

/**
 * What ClickHouse's JSON type keeps of an object: a `null` value and an empty object are not
 * stored (a missing path and a null path read the same), recursively; arrays are kept as they are.
 */
export function asClickHouseJson(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      const inner = asClickHouseJson(v as Record<string, unknown>);
      if (Object.keys(inner).length > 0) out[k] = inner;
      continue;
    }
    out[k] = v;
  }
  return out;
}
