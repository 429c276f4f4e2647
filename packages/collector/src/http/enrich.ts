import type { Rejection, SluiceEvent } from '@sluice/schema';
import type { EventRow, QuarantineRow } from '../rows';
import { applyIpPolicy, type IpPolicy } from './client-ip';
import { extraFields } from './extra-fields';
import { uuidv7 } from './uuidv7';

export interface EnrichContext {
  project: string;
  receivedAt: number;
  /** When the client sent the request, by its clock (the batch's `sentAt`). */
  sentAt: number | undefined;
  /** The request's client address, used when the event has no `context.ip`. */
  requestIp: string | undefined;
  ipPolicy: IpPolicy;
  maxClockSkewMs: number;
  newId?: () => string;
}

/**
 * Corrects client event time by the client's clock offset, as Segment does:
 * `timestamp = receivedAt - (sentAt - originalTimestamp)`. An offset beyond `maxClockSkewMs` means
 * the client clock cannot be trusted at all, so the event is placed at `receivedAt`. An event never
 * lands in the future.
 */
export function correctTimestamp(original: number, sentAt: number | undefined, receivedAt: number, maxClockSkewMs: number): number {
  if (sentAt === undefined) return Math.min(original, receivedAt);
  const offset = receivedAt - sentAt;
  if (Math.abs(offset) > maxClockSkewMs) return receivedAt;
  return Math.min(original + offset, receivedAt);
}

/** One validated event as a row of `events`; top-level fields without a column go into `context` (see `extraFields`). */
export function toEventRow(event: SluiceEvent, ctx: EnrichContext): EventRow {
  const sentAt = event.sentAt ?? ctx.sentAt;
  const original = event.timestamp ?? event.originalTimestamp ?? sentAt ?? ctx.receivedAt;
  const context: Record<string, unknown> = { ...extraFields(event), ...event.context };
  const ip = applyIpPolicy(str(context.ip) || ctx.requestIp, ctx.ipPolicy);
  if (ip === undefined) delete context.ip;
  else context.ip = ip;

  const page = record(context.page);
  const campaign = record(context.campaign);
  const library = record(context.library);
  const locale = str(context.locale);
  const sessionId = str(context.sessionId);
  const properties = event.properties ?? {};
  // Page events of analytics.js carry url/path/referrer in properties as well as in context.page.
  const pageProps = event.type === 'page' ? properties : {};
  const userId = event.userId ?? '';
  const anonymousId = event.anonymousId ?? '';

  return {
    project: ctx.project,
    message_id: event.messageId ?? (ctx.newId ?? uuidv7)(),
    type: event.type,
    event: event.type === 'track' ? (event.event ?? '') : event.type === 'page' || event.type === 'screen' ? (event.name ?? '') : '',
    user_id: userId,
    anonymous_id: anonymousId,
    distinct_id: userId || anonymousId,
    session_id: sessionId,
    group_id: event.groupId ?? '',
    previous_id: event.previousId ?? '',
    timestamp: correctTimestamp(original, sentAt, ctx.receivedAt, ctx.maxClockSkewMs),
    original_timestamp: original,
    sent_at: sentAt ?? ctx.receivedAt,
    received_at: ctx.receivedAt,
    properties,
    traits: event.traits ?? {},
    context: withoutTypedKeys(context),
    page_url: str(page.url) || str(pageProps.url),
    page_path: str(page.path) || str(pageProps.path),
    referrer: str(page.referrer) || str(pageProps.referrer),
    utm_source: str(campaign.source),
    utm_medium: str(campaign.medium),
    utm_campaign: str(campaign.name),
    locale,
    library_name: str(library.name),
    library_version: str(library.version),
  };
}

/**
 * The `context` fields that `events` holds in typed columns, as [object key, its fields]: a field is
 * in exactly one place, so `context` does not store it a second time (it was about a sixth of the
 * table on disk, and every JSON path costs insert time).
 */
export const CONTEXT_IN_COLUMNS: ReadonlyArray<readonly [string, readonly string[] | undefined]> = [
  ['page', ['url', 'path', 'referrer']], // page_url, page_path, referrer
  ['campaign', ['source', 'medium', 'name']], // utm_source, utm_medium, utm_campaign
  ['library', ['name', 'version']], // library_name, library_version
  ['locale', undefined], // locale
  ['sessionId', undefined], // session_id
];

/**
 * `context` minus what the typed columns hold. Only string or number values move (a number is
 * stored as its decimal string); anything else stays in `context`, as do the other fields of
 * page, campaign and library (title, search, term, content, …). An object left empty is dropped.
 */
export function withoutTypedKeys(context: Record<string, unknown>): Record<string, unknown> {
  // Copies the kept keys in their order instead of `delete` on a spread copy: deleting turns an
  // object into a slow dictionary, for this call and for the JSON.stringify of the row after it.
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const key of Object.keys(context)) {
    const value = context[key];
    if (!TYPED.has(key)) {
      put(out, key, value);
      continue;
    }
    const fields = TYPED.get(key);
    if (fields === undefined) {
      if (movable(value)) changed = true;
      else put(out, key, value);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      put(out, key, value);
      continue;
    }
    const inner = value as Record<string, unknown>;
    const rest: Record<string, unknown> = {};
    let moved = false;
    let kept = 0;
    for (const field of Object.keys(inner)) {
      if (fields.includes(field) && movable(inner[field])) moved = true;
      else {
        put(rest, field, inner[field]);
        kept++;
      }
    }
    if (!moved) put(out, key, value);
    else {
      changed = true;
      if (kept > 0) put(out, key, rest);
    }
  }
  return changed ? out : context;
}

const TYPED = new Map<string, readonly string[] | undefined>(CONTEXT_IN_COLUMNS);

/** `target[key] = value`, except that a `__proto__` key (JSON.parse makes it an own key) stays a plain key. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function movable(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number';
}

/** One rejected event as a row of `events_quarantine`, its raw JSON cut to `maxRawBytes`. */
export function toQuarantineRow(rejection: Rejection, raw: unknown, project: string, receivedAt: number, maxRawBytes: number): QuarantineRow {
  return {
    project,
    received_at: receivedAt,
    message_id: rejection.messageId ?? '',
    reason: rejection.reason,
    path: rejection.path,
    raw: boundedJson(raw, maxRawBytes),
  };
}

export function boundedJson(value: unknown, maxBytes: number): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch (error) {
    // Nesting too deep for the stack: keep the reason rather than nothing.
    text = JSON.stringify({ unserializable: error instanceof Error ? error.message : String(error) });
  }
  if (text.length <= maxBytes / 3) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // Cut at a character boundary: drop trailing continuation bytes of a split character.
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
