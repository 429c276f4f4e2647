import { z } from 'zod';
import { LIMITS } from './limits';
import { toEpochMillis } from './timestamp';
import type { EventType } from './types';

const text = z.string().max(LIMITS.maxStringLength);
const optionalText = text.nullish();
const id = z.string().min(1).max(LIMITS.maxIdLength);
/** Some Segment clients send numeric user ids; they are stored as strings. */
const userId = z.union([id, z.number().finite()]).transform(String);
const properties = z.record(z.string(), z.unknown());

const timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = toEpochMillis(value);
  if (ms === undefined) {
    ctx.issues.push({ code: 'custom', input: value, message: 'expected an ISO-8601 string or epoch milliseconds between 2000 and 2100' });
    return z.NEVER;
  }
  return ms;
});

export const contextSchema = z.looseObject({
  ip: optionalText,
  library: z.looseObject({ name: optionalText, version: optionalText }).optional(),
  page: z
    .looseObject({ url: optionalText, path: optionalText, title: optionalText, referrer: optionalText, search: optionalText })
    .optional(),
  campaign: z
    .looseObject({ name: optionalText, source: optionalText, medium: optionalText, term: optionalText, content: optionalText })
    .optional(),
  userAgent: optionalText,
  locale: optionalText,
  timezone: optionalText,
  screen: z.looseObject({ width: z.number().nullish(), height: z.number().nullish(), density: z.number().nullish() }).optional(),
  sessionId: z.union([id, z.number().finite()]).nullish(),
  traits: properties.optional(),
});

const common = {
  messageId: id.optional(),
  userId: userId.optional(),
  anonymousId: userId.optional(),
  timestamp: timestamp.optional(),
  originalTimestamp: timestamp.optional(),
  sentAt: timestamp.optional(),
  context: contextSchema.optional(),
  integrations: properties.optional(),
};

const name = z.string().min(1).max(LIMITS.maxNameLength);

/** The envelope of each event type. Unknown top-level fields (`channel`, `version`, …) are kept. */
export const eventSchemas = {
  track: z.looseObject({ ...common, type: z.literal('track'), event: name, properties: properties.optional() }),
  page: z.looseObject({ ...common, type: z.literal('page'), name: name.nullish(), category: optionalText, properties: properties.optional() }),
  screen: z.looseObject({ ...common, type: z.literal('screen'), name: name.nullish(), category: optionalText, properties: properties.optional() }),
  identify: z.looseObject({ ...common, type: z.literal('identify'), traits: properties.optional() }),
  group: z.looseObject({ ...common, type: z.literal('group'), groupId: userId, traits: properties.optional() }),
  alias: z.looseObject({ ...common, type: z.literal('alias'), previousId: userId }),
} satisfies Record<EventType, z.ZodType>;

/** The top level of a `POST /v1/batch` body (events are checked one by one, so one bad event cannot sink the rest). */
export const batchSchema = z.looseObject({
  batch: z.array(z.unknown()),
  sentAt: timestamp.optional(),
  context: contextSchema.optional(),
  writeKey: z.string().max(LIMITS.maxIdLength).optional(),
  integrations: properties.optional(),
});
