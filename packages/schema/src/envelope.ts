import { z } from 'zod';
import { LIMITS } from './limits';
import { toEpochMillis } from './timestamp';
import type { EventType } from './types';

/**
 * `null` is how many clients say "not set": analytics.js sends `"userId": null` until `identify`,
 * others send `"context": null` or `"properties": null`. Wherever the Segment Spec makes a field
 * optional, `null` reads as absent, so it never rejects an event.
 */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value): z.output<T> | undefined => value ?? undefined);

const text = z.string().max(LIMITS.maxStringLength);
const properties = z.record(z.string(), z.unknown());
/** Some Segment clients send numeric ids; they are stored as strings. */
const anyId = z.union([z.string().max(LIMITS.maxIdLength), z.number()]);
/** An optional id: `null`, `""` and absent all mean "not set". */
const optionalId = anyId.nullish().transform((value) => (value === null || value === undefined || value === '' ? undefined : String(value)));
/** An id the Spec requires for the type (`groupId`, `previousId`). */
const requiredId = z.union([z.string().min(1).max(LIMITS.maxIdLength), z.number()]).transform(String);

const timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = toEpochMillis(value);
  if (ms === undefined) {
    ctx.issues.push({ code: 'custom', input: value, message: 'expected an ISO-8601 string or epoch milliseconds between 2000 and 2100' });
    return z.NEVER;
  }
  return ms;
});

/**
 * The Spec's `context`: any JSON object. Its fields are not type-checked, because the Spec does not
 * make any of them required and clients differ (`sessionId` as a number, `library` with extra keys,
 * `null` sub-objects); the collector reads the ones it puts in typed columns defensively.
 */
export const contextSchema = z.record(z.string(), z.unknown());

const common = {
  messageId: optionalId,
  userId: optionalId,
  anonymousId: optionalId,
  timestamp: optional(timestamp),
  originalTimestamp: optional(timestamp),
  sentAt: optional(timestamp),
  context: optional(contextSchema),
  integrations: optional(properties),
  properties: optional(properties),
  traits: optional(properties),
};

const name = z.string().min(1).max(LIMITS.maxNameLength);
/** A page or screen name: optional, and `""` means none. */
const optionalName = z
  .string()
  .max(LIMITS.maxNameLength)
  .nullish()
  .transform((value) => (value === null || value === undefined || value === '' ? undefined : value));

/** The envelope of each event type. Unknown top-level fields (`channel`, `_metadata`, `rudderId`, …) are kept. */
export const eventSchemas = {
  track: z.looseObject({ ...common, type: z.literal('track'), event: name }),
  page: z.looseObject({ ...common, type: z.literal('page'), name: optionalName, category: optional(text) }),
  screen: z.looseObject({ ...common, type: z.literal('screen'), name: optionalName, category: optional(text) }),
  identify: z.looseObject({ ...common, type: z.literal('identify') }),
  group: z.looseObject({ ...common, type: z.literal('group'), groupId: requiredId }),
  alias: z.looseObject({ ...common, type: z.literal('alias'), previousId: requiredId }),
} satisfies Record<EventType, z.ZodType>;

/** The top level of a `POST /v1/batch` body (events are checked one by one, so one bad event cannot sink the rest). */
export const batchSchema = z.looseObject({
  batch: z.array(z.unknown()),
  sentAt: optional(timestamp),
  context: optional(contextSchema),
  writeKey: optional(z.string().max(LIMITS.maxIdLength)),
  integrations: optional(properties),
});
