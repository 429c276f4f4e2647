/**
 * What the HTTP core hands to the writer: one object per row of `events` and `events_quarantine`.
 * Times are epoch milliseconds; the writer formats them for ClickHouse. Column names are the
 * contract in DESIGN.md ("ClickHouse"), which users write SQL against.
 */
export interface EventRow {
  project: string;
  message_id: string;
  type: string;
  /** The track name; for page and screen, their name; empty otherwise. */
  event: string;
  user_id: string;
  anonymous_id: string;
  /** user_id, else anonymous_id. */
  distinct_id: string;
  session_id: string;
  group_id: string;
  previous_id: string;
  /** Skew-corrected event time, epoch ms. */
  timestamp: number;
  /** The event time as the client sent it, epoch ms. */
  original_timestamp: number;
  sent_at: number;
  received_at: number;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  page_url: string;
  page_path: string;
  referrer: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  locale: string;
  library_name: string;
  library_version: string;
}

export interface QuarantineRow {
  project: string;
  received_at: number;
  /** messageId when the event had a usable one, else empty. */
  message_id: string;
  reason: string;
  /** Dotted path of the offending field, empty for the whole event. */
  path: string;
  /** The event exactly as received, as JSON text (truncated to a bounded size). */
  raw: string;
}

/** What one accepted request contributes to storage. */
export interface RowBatch {
  events: EventRow[];
  quarantine: QuarantineRow[];
}
