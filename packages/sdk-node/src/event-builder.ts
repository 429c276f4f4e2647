import type { AnyTaxonomy, Context, Properties, WireEvent } from '@sluice/schema';
import type { AliasMessage, CommonFields, GroupMessage, IdentifyMessage, PageMessage, Timestamp, TrackMessage } from './messages';
import { estimateJsonBytes } from './size-estimate';
import { createUuidV7 } from '@sluice/schema/wire';
import { SDK_NAME, SDK_VERSION } from './version';

/** An event ready for the queue with its estimated JSON size, or the reason it cannot be sent. */
export interface BuiltEvent {
  event: WireEvent;
  bytes: number;
  error?: string;
}

export interface EventBuilderOptions {
  now: () => number;
  /** Context merged into every event. */
  context?: Context | undefined;
  /** When given, track properties and identify traits are validated against it (development aid). */
  taxonomy?: AnyTaxonomy | undefined;
}

const LIBRARY = Object.freeze({ name: SDK_NAME, version: SDK_VERSION });
/** Bytes of the envelope around the variable parts: keys, quotes, a UUID and an ISO timestamp. */
const ENVELOPE_BYTES = 160;

/**
 * Turns the calls' objects into wire events. Kept cheap for `track()`: one clock read, one UUIDv7
 * from a pooled buffer, an ISO timestamp cached per millisecond, the event built as one object
 * literal, a shared context object when the call has none, and a size estimate that walks only the
 * properties.
 */
export function createEventBuilder(options: EventBuilderOptions) {
  const { now, taxonomy } = options;
  const uuid = createUuidV7();
  const baseContext: Context = Object.freeze({ ...options.context, library: LIBRARY });
  const baseContextBytes = estimateJsonBytes(baseContext);
  let lastMs = Number.NaN;
  let lastIso = '';

  const iso = (timestamp: Timestamp | undefined, ms: number): string => {
    if (timestamp === undefined) {
      if (ms !== lastMs) {
        lastMs = ms;
        lastIso = new Date(ms).toISOString();
      }
      return lastIso;
    }
    if (typeof timestamp === 'string') return timestamp;
    const date = typeof timestamp === 'number' ? new Date(timestamp) : timestamp;
    return Number.isNaN(date.getTime()) ? String(timestamp) : date.toISOString();
  };

  /** Estimated bytes of `userId` and `anonymousId` (null or undefined: left out). */
  const identityBytes = (userId: string | undefined, anonymousId: string | undefined): number =>
    (userId === undefined ? 0 : String(userId).length + 12) + (anonymousId === undefined ? 0 : String(anonymousId).length + 16);

  /** Sets `context` and `integrations` when the call has them; returns their estimated bytes. */
  const extras = (event: WireEvent, message: CommonFields): number => {
    let bytes = 0;
    if (message.context === undefined) {
      // The shared context is not copied into the event: it travels once per request, as the
      // batch's own `context`, which the collector merges into every event (DESIGN: POST /v1/batch).
      // It still counts towards the event's size, since the collector stores it with the event.
      bytes += baseContextBytes;
    } else {
      event.context = { ...baseContext, ...message.context, library: LIBRARY };
      bytes += estimateJsonBytes(event.context);
    }
    if (message.integrations !== undefined) {
      event.integrations = message.integrations;
      bytes += estimateJsonBytes(message.integrations);
    }
    return bytes;
  };

  /** The common fields after the type's own; returns the estimated bytes of what it set. */
  const common = (event: WireEvent, message: CommonFields & { userId?: string; anonymousId?: string }): number => {
    const userId = message.userId ?? undefined;
    const anonymousId = message.anonymousId ?? undefined;
    if (userId !== undefined) event.userId = userId;
    if (anonymousId !== undefined) event.anonymousId = anonymousId;
    return ENVELOPE_BYTES + identityBytes(userId, anonymousId) + extras(event, message);
  };

  const start = (type: WireEvent['type'], message: CommonFields): WireEvent => {
    const ms = now();
    return { type, messageId: message.messageId ?? uuid(ms), timestamp: iso(message.timestamp, ms) };
  };

  const identityError = (event: WireEvent): string | undefined =>
    event.userId === undefined && event.anonymousId === undefined
      ? `${event.type} ${event.messageId} needs a userId or an anonymousId`
      : undefined;

  const check = (schema: { safeParse(value: unknown): { success: boolean; error?: unknown } } | undefined, value: unknown, what: string) => {
    if (!schema) return undefined;
    const result = schema.safeParse(value ?? {});
    if (result.success) return undefined;
    const issues = (result.error as { issues?: { message: string; path: PropertyKey[] }[] } | undefined)?.issues;
    const issue = issues?.[0];
    return `${what} do not match the taxonomy${issue ? `: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : ''}`;
  };

  return {
    /** The context of every event that brings none of its own: sent as the batch's `context`. */
    sharedContext: baseContext,
    track(message: TrackMessage<undefined, string>): BuiltEvent {
      // One literal in wire order (the calls below add context and integrations after it), so an
      // event is one allocation of one shape; an absent id is undefined, which no encoder writes.
      const ms = now();
      const userId = message.userId ?? undefined;
      const anonymousId = message.anonymousId ?? undefined;
      const properties: Properties = message.properties ?? {};
      const event: WireEvent = {
        type: 'track',
        messageId: message.messageId ?? uuid(ms),
        timestamp: iso(message.timestamp, ms),
        event: message.event,
        properties,
        userId,
        anonymousId,
      };
      const bytes = ENVELOPE_BYTES + identityBytes(userId, anonymousId) + extras(event, message) + message.event.length + estimateJsonBytes(properties);
      let error = typeof message.event === 'string' && message.event !== '' ? identityError(event) : `track ${event.messageId} needs an event name`;
      if (!error && taxonomy) {
        const schema = Object.hasOwn(taxonomy.events, message.event) ? taxonomy.events[message.event] : undefined;
        if (!schema && taxonomy.unknownEvents === 'reject') error = `event "${message.event}" is not in the taxonomy`;
        else error = check(schema, properties, `properties of "${message.event}"`);
      }
      return error ? { event, bytes, error } : { event, bytes };
    },
    identify(message: IdentifyMessage<undefined>): BuiltEvent {
      const event = start('identify', message);
      event.traits = message.traits ?? {};
      const bytes = common(event, message) + estimateJsonBytes(event.traits);
      const error = identityError(event) ?? (taxonomy ? check(taxonomy.traits, event.traits, 'traits') : undefined);
      return error ? { event, bytes, error } : { event, bytes };
    },
    page(type: 'page' | 'screen', message: PageMessage): BuiltEvent {
      const event = start(type, message);
      let bytes = 0;
      if (message.name !== undefined) {
        event.name = message.name;
        bytes += message.name.length + 10;
      }
      if (message.category !== undefined) {
        (event as WireEvent & { category?: string }).category = message.category;
        bytes += message.category.length + 14;
      }
      event.properties = message.properties ?? {};
      bytes += common(event, message) + estimateJsonBytes(event.properties);
      const error = identityError(event);
      return error ? { event, bytes, error } : { event, bytes };
    },
    group(message: GroupMessage): BuiltEvent {
      const event = start('group', message);
      event.groupId = message.groupId;
      event.traits = message.traits ?? {};
      const bytes = common(event, message) + String(message.groupId).length + 14 + estimateJsonBytes(event.traits);
      const error = message.groupId ? identityError(event) : `group ${event.messageId} needs a groupId`;
      return error ? { event, bytes, error } : { event, bytes };
    },
    alias(message: AliasMessage): BuiltEvent {
      const event = start('alias', message);
      event.previousId = message.previousId;
      const bytes = common(event, message) + String(message.previousId).length + 16;
      const error = !message.userId || !message.previousId ? `alias ${event.messageId} needs both userId and previousId` : undefined;
      return error ? { event, bytes, error } : { event, bytes };
    },
  };
}
