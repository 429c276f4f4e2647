import type { EventRow, QuarantineRow } from '../rows';

/**
 * The columns of an event line, in order: every insert into `events` names them
 * (`INSERT INTO events (…) FORMAT JSONCompactEachRow`), so the table's own column order and any
 * column a later migration adds do not matter.
 */
export const EVENT_COLUMNS = [
  'project', 'message_id', 'type', 'event', 'user_id', 'anonymous_id', 'distinct_id', 'session_id', 'group_id', 'previous_id',
  'timestamp', 'original_timestamp', 'sent_at', 'received_at', 'properties', 'traits', 'context',
  'page_url', 'page_path', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'locale', 'library_name', 'library_version',
] as const satisfies ReadonlyArray<keyof EventRow>;

/** The ClickHouse input format of event lines. */
export const EVENT_FORMAT = 'JSONCompactEachRow';

/**
 * One JSONCompactEachRow line per row: its values as one JSON array in `EVENT_COLUMNS` order, with
 * a single JSON.stringify. Against JSONEachRow (the row object as it is), chDB's insert of the
 * `events` table took 0.9× the CPU per row (no key to match per value), the line is 0.6× the bytes in
 * the write-ahead log, and building it costs less (BENCHMARKS.md). Times stay epoch-millisecond
 * integers: ClickHouse reads an integer for a DateTime64(3) column as milliseconds since the epoch
 * (documented, and checked on chdb 26.7), which is both the fastest format and exact. A fractional
 * or non-finite time is rounded or zeroed first, because a float would be read as something else.
 */
export function eventLine(row: EventRow): string {
  return JSON.stringify([
    row.project, row.message_id, row.type, row.event, row.user_id, row.anonymous_id, row.distinct_id, row.session_id, row.group_id, row.previous_id,
    time(row.timestamp), time(row.original_timestamp), time(row.sent_at), time(row.received_at), row.properties, row.traits, row.context,
    row.page_url, row.page_path, row.referrer, row.utm_source, row.utm_medium, row.utm_campaign, row.locale, row.library_name, row.library_version,
  ]);
}

function time(value: number): number {
  return Number.isInteger(value) ? value : epochMs(value);
}

const OPEN_BRACE = 0x7b;
const NEWLINE = 0x0a;

/**
 * Event lines in the current form. Earlier collectors wrote each event as a JSONEachRow object, and
 * their write-ahead log records and Kafka messages may still be waiting when a newer one starts.
 * Lines that are objects are rewritten as `eventLine` arrays (the object's keys are the columns), and
 * a buffer with none is returned as it is. Only the first byte of each line is read; the other lines
 * and the newlines stay as they are.
 */
export function currentEventLines(lines: Buffer): Buffer {
  if (!hasObjectLine(lines)) return lines;
  const text = lines.toString('utf8');
  const out = text.split('\n').map((line) => (line.charCodeAt(0) === OPEN_BRACE ? objectToLine(line) : line));
  return Buffer.from(out.join('\n'), 'utf8');
}

function hasObjectLine(lines: Buffer): boolean {
  for (let start = 0; start < lines.length; ) {
    if (lines[start] === OPEN_BRACE) return true;
    const end = lines.indexOf(NEWLINE, start);
    if (end < 0) return false;
    start = end + 1;
  }
  return false;
}

/** A JSONEachRow object line as an `eventLine` array; a column it lacks is sent as null (its default). */
function objectToLine(line: string): string {
  let row: Record<string, unknown>;
  try {
    row = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line; // ClickHouse refuses it, and the poison split quarantines it with its error.
  }
  return JSON.stringify(EVENT_COLUMNS.map((column) => row[column] ?? null));
}

export function quarantineLine(row: QuarantineRow): string {
  return Number.isInteger(row.received_at)
    ? JSON.stringify(row)
    : JSON.stringify({ ...row, received_at: epochMs(row.received_at) });
}

export function epochMs(value: number): number {
  return Number.isFinite(value) ? Math.round(value) : 0;
}

/** The quarantine row for an event line that ClickHouse refused, with its error as the reason. */
export function poisonedRow(line: string, reason: string, now: number, maxRawBytes: number): QuarantineRow {
  const head = eventLineValues(line);
  // The row with its column names, which a person reading the quarantine needs; the line as it came
  // when it is not JSON.
  const raw = Object.keys(head).length > 0 ? JSON.stringify(head) : line;
  return {
    project: typeof head.project === 'string' ? head.project : '',
    received_at: typeof head.received_at === 'number' ? epochMs(head.received_at) : now,
    message_id: typeof head.message_id === 'string' ? head.message_id : '',
    reason,
    path: '',
    raw: raw.length > maxRawBytes ? raw.slice(0, maxRawBytes) : raw,
  };
}

/**
 * An event line's values by column (`EVENT_COLUMNS`), or an earlier collector's object line as it
 * is; empty for a line that is not JSON.
 */
export function eventLineValues(line: string): Partial<Record<(typeof EVENT_COLUMNS)[number], unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return {}; // Lines are produced by eventLine, so this only guards against a caller-supplied line.
  }
  if (Array.isArray(value)) return Object.fromEntries(EVENT_COLUMNS.map((column, i) => [column, value[i]]));
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
