import { currentEventLines, eventLine, quarantineLine } from '../clickhouse/ndjson';
import type { RowBatch } from '../rows';

/**
 * The payload of one record written by the WAL sink: one accepted request, already in the form the
 * ClickHouse insert sends, so draining is a byte copy:
 *
 *   {"v":2,"e":<event rows>,"q":<quarantine rows>,"eb":<bytes of the event lines>}\n
 *   <event rows as `eventLine` lines (JSONCompactEachRow), each ending in \n>
 *   <quarantine rows as `quarantineLine` lines (JSONEachRow), each ending in \n>
 *
 * Lines come from the ClickHouse writer's own encoders (clickhouse/ndjson.ts). Version 1, which
 * earlier collectors wrote, held the events as JSONEachRow objects: `eventLines` rewrites them.
 */
export interface DecodedPayload {
  eventRows: number;
  quarantineRows: number;
  /** The event lines as stored: read them with `eventLines`. */
  events: Buffer;
  quarantine: Buffer;
  version: 1 | 2;
}

/** The record's event lines in the form the insert sends (a version 1 record's are rewritten). */
export function eventLines(decoded: DecodedPayload): Buffer {
  return decoded.version === 1 ? currentEventLines(decoded.events) : decoded.events;
}

export function encodeSinkPayload(rows: RowBatch): Buffer {
  const events = rows.events.length === 0 ? '' : `${rows.events.map(eventLine).join('\n')}\n`;
  const quarantine = rows.quarantine.length === 0 ? '' : `${rows.quarantine.map(quarantineLine).join('\n')}\n`;
  const eventBytes = Buffer.byteLength(events);
  const head = JSON.stringify({ v: 2, e: rows.events.length, q: rows.quarantine.length, eb: eventBytes });
  return Buffer.from(`${head}\n${events}${quarantine}`, 'utf8');
}

export function decodeSinkPayload(payload: Buffer): DecodedPayload {
  const newline = payload.indexOf(10);
  if (newline < 0) throw new Error('no header line');
  const head = JSON.parse(payload.subarray(0, newline).toString('utf8')) as { v?: unknown; e?: unknown; q?: unknown; eb?: unknown };
  if ((head.v !== 1 && head.v !== 2) || typeof head.e !== 'number' || typeof head.q !== 'number' || typeof head.eb !== 'number') {
    throw new Error(`unexpected header ${payload.subarray(0, Math.min(newline, 200)).toString('utf8')}`);
  }
  const bodyStart = newline + 1;
  if (bodyStart + head.eb > payload.length) throw new Error('event lines run past the end of the record');
  return {
    eventRows: head.e,
    quarantineRows: head.q,
    events: payload.subarray(bodyStart, bodyStart + head.eb),
    quarantine: payload.subarray(bodyStart + head.eb),
    version: head.v,
  };
}
