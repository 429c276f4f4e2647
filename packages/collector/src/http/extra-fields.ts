import type { SluiceEvent } from '@sluice/schema';

/**
 * Top-level fields that `events` already holds in a column of their own (or that the collector
 * sets), for every type; `event` and `name` are added per type below.
 */
const IN_COLUMNS = new Set([
  'type',
  'messageId',
  'userId',
  'anonymousId',
  'groupId',
  'previousId',
  'properties',
  'traits',
  'context',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'receivedAt',
]);

/**
 * Top-level fields that are not stored at all: `_metadata` is the client's own delivery
 * bookkeeping (bundled integrations, retry counts), `writeKey` is a credential, and
 * `integrations` routes events to destinations, which Sluice does not have.
 */
export const DROPPED_FIELDS: ReadonlySet<string> = new Set(['_metadata', 'writeKey', 'integrations']);

/**
 * The top-level fields of an event that the Spec does not give a column (`channel`, `category`,
 * `rudderId`, `request_ip`, `version`, …). They are stored in `context` under their own name, so
 * SQL finds them as `context.channel`; when `context` already has that key, its own value wins.
 * `undefined` when there are none (the common case: no copy is made).
 */
export function extraFields(event: SluiceEvent): Record<string, unknown> | undefined {
  let extras: Record<string, unknown> | undefined;
  for (const key in event) {
    if (!Object.hasOwn(event, key) || IN_COLUMNS.has(key) || DROPPED_FIELDS.has(key)) continue;
    if (key === 'event' && event.type === 'track') continue;
    if (key === 'name' && (event.type === 'page' || event.type === 'screen')) continue;
    const value = event[key];
    if (value === undefined) continue;
    (extras ??= {})[key] = value;
  }
  return extras;
}
