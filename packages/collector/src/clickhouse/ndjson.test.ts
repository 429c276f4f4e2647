import { describe, expect, it } from 'vitest';
import type { EventRow } from '../rows';
import { currentEventLines, EVENT_COLUMNS, epochMs, eventLine, poisonedRow, quarantineLine } from './ndjson';

const row = {
  project: 'p', message_id: 'm', type: 'track', event: 'E', user_id: 'u', anonymous_id: '', distinct_id: 'u',
  session_id: '', group_id: '', previous_id: '', timestamp: 1_700_000_000_123, original_timestamp: 1_700_000_000_000,
  sent_at: 1_700_000_001_000, received_at: 1_700_000_002_000, properties: { a: 1 }, traits: {}, context: {},
  page_url: '', page_path: '', referrer: '', utm_source: '', utm_medium: '', utm_campaign: '', locale: '',
  library_name: '', library_version: '',
} satisfies EventRow;

/** An event line read back as a row, by `EVENT_COLUMNS`. */
const asRow = (line: string): Record<string, unknown> => {
  const values = JSON.parse(line) as unknown[];
  expect(values).toHaveLength(EVENT_COLUMNS.length);
  return Object.fromEntries(EVENT_COLUMNS.map((column, i) => [column, values[i]]));
};

describe('eventLine', () => {
  it('is the row as one JSON array in EVENT_COLUMNS order, with times as integer epoch milliseconds', () => {
    const line = eventLine(row);
    expect(line).not.toContain('\n');
    expect(asRow(line)).toEqual(row);
    expect(line).toContain(',1700000000123,');
  });

  it('names every column of an event row once', () => {
    expect([...EVENT_COLUMNS].sort()).toEqual(Object.keys(row).sort());
  });

  it('rounds fractional times and zeroes non-finite ones, since ClickHouse would misread them', () => {
    const parsed = asRow(eventLine({ ...row, timestamp: 1_700_000_000_123.6, sent_at: Number.NaN }));
    expect(parsed.timestamp).toBe(1_700_000_000_124);
    expect(parsed.sent_at).toBe(0);
    expect(epochMs(Infinity)).toBe(0);
  });

  it('keeps newlines inside strings escaped', () => {
    expect(eventLine({ ...row, event: 'a\nb' }).split('\n')).toHaveLength(1);
  });
});

describe('currentEventLines', () => {
  it('rewrites the JSONEachRow objects of earlier collectors as event lines, and keeps the rest as they are', () => {
    const other = { ...row, message_id: 'm2', properties: { s: 'a\nb' } };
    const old = Buffer.from(`${JSON.stringify(row)}\n${eventLine(other)}\n`);
    const lines = currentEventLines(old).toString('utf8');
    expect(lines).toBe(`${eventLine(row)}\n${eventLine(other)}\n`);
  });

  it('returns a buffer of current lines itself, and sends a column an old line lacks as null', () => {
    const current = Buffer.from(`${eventLine(row)}\n${eventLine(row)}`);
    expect(currentEventLines(current)).toBe(current);
    const { library_version: _dropped, ...older } = row;
    expect(asRow(currentEventLines(Buffer.from(JSON.stringify(older))).toString('utf8')).library_version).toBeNull();
  });
});

describe('quarantine lines', () => {
  it('serialises a quarantine row', () => {
    const q = { project: 'p', received_at: 5.4, message_id: '', reason: 'r', path: 'x', raw: '{}' };
    expect(JSON.parse(quarantineLine(q))).toEqual({ ...q, received_at: 5 });
  });

  it('builds the quarantine row of a poisoned line from its own fields', () => {
    const q = poisonedRow(eventLine(row), 'bad', 99, 20);
    expect(q).toEqual({ project: 'p', received_at: 1_700_000_002_000, message_id: 'm', reason: 'bad', path: '', raw: JSON.stringify(row).slice(0, 20) });
    // The quarantine keeps the row with its column names, for the person who reads it.
    expect(JSON.parse(poisonedRow(eventLine(row), 'bad', 99, 10_000).raw)).toEqual(row);
    expect(poisonedRow('not json', 'bad', 99, 100)).toMatchObject({ project: '', received_at: 99, raw: 'not json' });
    // A line an earlier collector wrote as an object.
    expect(poisonedRow(JSON.stringify(row), 'bad', 99, 20)).toMatchObject({ project: 'p', received_at: 1_700_000_002_000, message_id: 'm' });
  });
});
