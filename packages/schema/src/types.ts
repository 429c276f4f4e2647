/** The six event types of the Segment Spec. */
export const EVENT_TYPES = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type Properties = Record<string, unknown>;

/** The `context` object of the Segment Spec; unknown keys are kept. */
export interface Context {
  ip?: string;
  library?: { name?: string; version?: string; [key: string]: unknown };
  page?: { url?: string; path?: string; title?: string; referrer?: string; search?: string; [key: string]: unknown };
  campaign?: { name?: string; source?: string; medium?: string; term?: string; content?: string; [key: string]: unknown };
  userAgent?: string;
  locale?: string;
  timezone?: string;
  screen?: { width?: number; height?: number; density?: number; [key: string]: unknown };
  /** Sluice's convention for the session id; the SDKs set it and the collector stores it as `session_id`. */
  sessionId?: string | number;
  traits?: Properties;
  [key: string]: unknown;
}

/**
 * An event after `parseBatch`: validated, with every timestamp turned into epoch milliseconds and
 * numeric ids turned into strings. Fields the spec does not name are kept as they came.
 */
export interface SluiceEvent {
  type: EventType;
  messageId?: string;
  userId?: string;
  anonymousId?: string;
  /** The name of a track event. */
  event?: string;
  /** The name of a page or screen. */
  name?: string;
  category?: string;
  groupId?: string;
  previousId?: string;
  properties?: Properties;
  traits?: Properties;
  context?: Context;
  integrations?: Record<string, unknown>;
  /** When the event happened, by the client's clock, in epoch milliseconds. */
  timestamp?: number;
  originalTimestamp?: number;
  /** When the client sent the event, by its clock, in epoch milliseconds. */
  sentAt?: number;
  [key: string]: unknown;
}

/**
 * Why an event was rejected, as a short stable code (the collector counts rejections by it):
 * - `invalid_event`: not a JSON object;
 * - `limit`: over a size or nesting limit, a forbidden key, a non-finite number;
 * - `invalid_type`: `type` missing, unknown, or not the endpoint's type;
 * - `missing_id`: neither `userId` nor `anonymousId` (or an alias without `userId`);
 * - `missing_field`: a field the Spec requires for the type (`event`, `groupId`, `previousId`);
 * - `invalid_field`: a field of the wrong type or format (an unparseable `timestamp`, say);
 * - `taxonomy`: fails the taxonomy the collector was given.
 */
export type RejectionCode = 'invalid_event' | 'limit' | 'invalid_type' | 'missing_id' | 'missing_field' | 'invalid_field' | 'taxonomy';

/** One invalid event of a batch, exactly as the collector reports it on the wire. */
export interface Rejection {
  index: number;
  messageId: string | null;
  reason: string;
  path: string;
  /** Set by `parseBatch`/`parseEvent`; older collectors do not send it. */
  code?: RejectionCode;
}

/** What the SDKs send: a Segment-Spec event as it travels on the wire (timestamps as ISO strings). */
export interface WireEvent {
  type: EventType;
  messageId: string;
  userId?: string;
  anonymousId?: string;
  event?: string;
  name?: string;
  groupId?: string;
  previousId?: string;
  properties?: Properties;
  traits?: Properties;
  context?: Context;
  integrations?: Record<string, unknown>;
  timestamp: string;
}

/** The body of `POST /v1/batch`. */
export interface WireBatch {
  batch: WireEvent[];
  sentAt: string;
  context?: Context;
  writeKey?: string;
}
