import type { z } from 'zod';
import { batchSchema, eventSchemas } from './envelope';
import { fastBatchData, fastEventData } from './fast-path';
import { guardEvent } from './json-guard';
import { LIMITS } from './limits';
import type { AnyTaxonomy } from './taxonomy';
import { EVENT_TYPES, type Context, type EventType, type Rejection, type RejectionCode, type SluiceEvent } from './types';

export interface ParseOptions {
  /** When given, track events are checked against it and identify traits against its `traits`. */
  taxonomy?: AnyTaxonomy;
}

export interface ParsedEvent {
  /** Position of the event in the batch. */
  index: number;
  event: SluiceEvent;
}

export type BatchErrorCode = 'invalid_body' | 'too_many_events';

export type ParseBatchResult =
  | {
      success: true;
      events: ParsedEvent[];
      rejected: Rejection[];
      /** When the client sent the batch, by its clock, in epoch milliseconds. */
      sentAt: number | undefined;
      writeKey: string | undefined;
    }
  | { success: false; code: BatchErrorCode; message: string; path: string };

export type ParseEventResult = { success: true; event: SluiceEvent } | { success: false; rejection: Rejection };

const TYPES = new Set<string>(EVENT_TYPES);

/**
 * Validates a decoded `POST /v1/batch` body. Never throws: the batch as a whole is either unusable
 * (`success: false`, answered with a 4xx) or usable, with each event either valid and normalised or
 * listed in `rejected` with the reason and the path of the offending field.
 */
export function parseBatch(input: unknown, options: ParseOptions = {}): ParseBatchResult {
  return parseBatchWith(input, options, true);
}

/**
 * Validates one event, as sent to the single-event endpoints (`POST /v1/track`, …). The `type` of
 * the endpoint is used when the body has none.
 */
export function parseEvent(input: unknown, options: ParseOptions & { type?: EventType } = {}): ParseEventResult {
  return validateEvent(input, 0, options.type, undefined, options, true);
}

/**
 * `parseBatch` and `parseEvent` with zod reading every event, without the fast path (fast-path.ts).
 * Internal (not in index.ts): the property test compares the two paths.
 */
export const zodOnly = {
  parseBatch: (input: unknown, options: ParseOptions = {}): ParseBatchResult => parseBatchWith(input, options, false),
  parseEvent: (input: unknown, options: ParseOptions & { type?: EventType } = {}): ParseEventResult =>
    validateEvent(input, 0, options.type, undefined, options, false),
};

function parseBatchWith(input: unknown, options: ParseOptions, fast: boolean): ParseBatchResult {
  if (!isPlainObject(input)) {
    return { success: false, code: 'invalid_body', message: 'body must be a JSON object such as {"batch":[{"type":"track",...}]}', path: '' };
  }
  if (!Array.isArray(input.batch)) {
    return { success: false, code: 'invalid_body', message: 'body must have a "batch" array of events', path: 'batch' };
  }
  if (input.batch.length > LIMITS.maxBatchEvents) {
    return {
      success: false,
      code: 'too_many_events',
      message: `batch has ${input.batch.length} events, over the limit of ${LIMITS.maxBatchEvents}; send smaller batches`,
      path: 'batch',
    };
  }
  const { batch, ...envelope } = input;
  const guard = guardEvent(envelope);
  if (guard) return { success: false, code: 'invalid_body', message: guard.reason, path: guard.path };
  let top = fast ? (fastBatchData(input) as z.output<typeof batchSchema> | undefined) : undefined;
  if (top === undefined) {
    const parsed = batchSchema.safeParse(input);
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      return { success: false, code: 'invalid_body', message: `${issue.path || 'body'}: ${issue.reason}`, path: issue.path };
    }
    top = parsed.data;
  }

  const events: ParsedEvent[] = [];
  const rejected: Rejection[] = [];
  const shared = top.context as Context | undefined;
  for (let index = 0; index < batch.length; index++) {
    const result = validateEvent(batch[index], index, undefined, shared, options, fast);
    if (result.success) events.push({ index, event: result.event });
    else rejected.push(result.rejection);
  }
  return { success: true, events, rejected, sentAt: top.sentAt, writeKey: top.writeKey };
}

function validateEvent(
  raw: unknown,
  index: number,
  impliedType: EventType | undefined,
  sharedContext: Context | undefined,
  options: ParseOptions,
  fast: boolean,
): ParseEventResult {
  const reject = (code: RejectionCode, reason: string, path: string): ParseEventResult => ({
    success: false,
    rejection: { index, messageId: messageIdOf(raw), reason, path, code },
  });
  if (!isPlainObject(raw)) return reject('invalid_event', 'event must be a JSON object', '');
  const guard = guardEvent(raw);
  if (guard) return reject('limit', guard.reason, guard.path);

  const type = raw.type ?? impliedType;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    return reject('invalid_type', `type must be one of ${EVENT_TYPES.join(', ')}`, 'type');
  }
  if (impliedType && type !== impliedType) {
    return reject('invalid_type', `type "${type}" was sent to the /v1/${impliedType} endpoint; send it to /v1/${type} or /v1/batch`, 'type');
  }
  const required = REQUIRED_FIELDS[type as EventType];
  if (required && (raw[required.field] === undefined || raw[required.field] === null || raw[required.field] === '')) {
    return reject('missing_field', required.message, required.field);
  }
  // Well-formed events skip zod (fast-path.ts); anything it is not sure of, zod reads and explains.
  let event = fast ? (fastEventData(raw, type as EventType) as SluiceEvent | undefined) : undefined;
  if (event === undefined) {
    const parsed = eventSchemas[type as EventType].safeParse(raw.type === undefined ? { ...raw, type } : raw);
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      return reject('invalid_field', `${issue.path || 'event'}: ${issue.reason}`, issue.path);
    }
    event = parsed.data as SluiceEvent;
  }

  if (type === 'alias') {
    if (event.userId === undefined) return reject('missing_id', 'alias needs the new "userId" as well as "previousId"', 'userId');
  } else if (event.userId === undefined && event.anonymousId === undefined) {
    return reject('missing_id', 'event needs a "userId" or an "anonymousId"', 'userId');
  }
  if (sharedContext) event.context = mergeContexts(sharedContext, event.context);
  if (type === 'identify') identifyTraitsFromContext(event);

  const taxonomy = options.taxonomy;
  if (taxonomy) {
    const issue = checkTaxonomy(event, taxonomy);
    if (issue) return reject('taxonomy', issue.reason, issue.path);
  }
  return { success: true, event };
}

function checkTaxonomy(event: SluiceEvent, taxonomy: AnyTaxonomy): { reason: string; path: string } | undefined {
  let schema: z.ZodType | undefined;
  let field: 'properties' | 'traits';
  if (event.type === 'track') {
    const name = event.event as string;
    schema = Object.hasOwn(taxonomy.events, name) ? taxonomy.events[name] : undefined;
    field = 'properties';
    if (!schema) {
      if (taxonomy.unknownEvents === 'reject') {
        return { reason: `event "${name}" is not in the taxonomy; add it to defineTaxonomy({ events }) or use unknownEvents: 'allow'`, path: 'event' };
      }
      return undefined;
    }
  } else if (event.type === 'identify' && taxonomy.traits) {
    schema = taxonomy.traits;
    field = 'traits';
  } else {
    return undefined;
  }
  const result = schema.safeParse(event[field] ?? {});
  if (!result.success) {
    const issue = firstIssue(result.error);
    const path = issue.path ? `${field}.${issue.path}` : field;
    return { reason: `${path}: ${issue.reason}`, path };
  }
  event[field] = result.data as Record<string, unknown>;
  return undefined;
}

/** The one field the Spec requires for some types, beyond an id; absent (or `null`, or `""`), the event is `missing_field`. */
const REQUIRED_FIELDS: Partial<Record<EventType, { field: string; message: string }>> = {
  track: { field: 'event', message: 'a track needs an "event" name, such as "Order Completed"' },
  group: { field: 'groupId', message: 'a group call needs the "groupId" of the group' },
  alias: { field: 'previousId', message: 'an alias needs the "previousId" it links to the new "userId"' },
};

/**
 * Some clients (RudderStack's, and analytics.js plugins) send identify traits only in
 * `context.traits`; the Spec's place for them is `traits`, which is where SQL users look. When
 * `traits` is absent or empty, it is filled from `context.traits`, which stays as sent.
 */
function identifyTraitsFromContext(event: SluiceEvent): void {
  const fromContext = event.context?.traits;
  if (!isPlainObject(fromContext) || Object.keys(fromContext).length === 0) return;
  if (event.traits !== undefined && Object.keys(event.traits).length > 0) return;
  event.traits = { ...fromContext };
}

function firstIssue(error: z.ZodError): { reason: string; path: string } {
  const issue = error.issues[0];
  if (!issue) return { reason: 'invalid', path: '' };
  return { reason: issue.message, path: issue.path.map(String).join('.') };
}

function messageIdOf(raw: unknown): string | null {
  if (!isPlainObject(raw)) return null;
  const id = raw.messageId;
  return typeof id === 'string' && id.length <= LIMITS.maxIdLength ? id : null;
}

/** The one merge rule of a batch's shared `context`: under the event's own keys. */
function mergeContexts(shared: Record<string, unknown>, own: Record<string, unknown> | undefined): Record<string, unknown> {
  return { ...shared, ...own };
}

/**
 * A raw event of a batch as its client meant it, with the batch's `context` merged by the rule
 * parseBatch applies to accepted events; for what a collector keeps of a rejected one. An event or a
 * context that is not a plain object, or an event whose own `context` is not, is returned as sent.
 */
export function withBatchContext(raw: unknown, batchContext: unknown): unknown {
  if (!isPlainObject(batchContext) || !isPlainObject(raw)) return raw;
  if (raw.context !== undefined && !isPlainObject(raw.context)) return raw;
  return { ...raw, context: mergeContexts(batchContext, raw.context) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
