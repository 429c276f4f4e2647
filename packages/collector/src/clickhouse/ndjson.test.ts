import { describe, expect, it } from 'vitest';
import type { EventRow } from '../rows';
import { epochMs, eventLine, poisonedRow, quarantineLine } from './ndjson';

const row = {
  project: 'p', message_id: 'm', type: 'track', event: 'E', user_id: 'u', anonymous_id: '', distinct_id: 'u',
  session_id: '', group_id: '', previous_id: '', timestamp: 1_700_000_000_123, original_timestamp: 1_700_000_000_000,
  sent_at: 1_700_000_001_000, received_at: 1_700_000_002_000, properties: { a: 1 }, traits: {}, context: {},
  page_url: '', page_path: '', referrer: '', utm_source: '', utm_medium: '', utm_campaign: '', locale: '',
  library_name: '', library_version: '',
} satisfies EventRow;

describe('eventLine', () => {
  it('is the row as one JSON line with times as integer epoch milliseconds', () => {
    const line = eventLine(row);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(row);
    expect(line).toContain('"timestamp":1700000000123');
  });

  it('rounds fractional times and zeroes non-finite ones, since ClickHouse would misread them', () => {
    const parsed = JSON.parse(eventLine({ ...row, timestamp: 1_700_000_000_123.6, sent_at: Number.NaN }));
    expect(parsed.timestamp).toBe(1_700_000_000_124);
    expect(parsed.sent_at).toBe(0);
    expect(epochMs(Infinity)).toBe(0);
  });

  it('keeps newlines inside strings escaped', () => {
    expect(eventLine({ ...row, event: 'a\nb' }).split('\n')).toHaveLength(1);
  });
});

describe('quarantine lines', () => {
  it('serialises a quarantine row', () => {
    const q = { project: 'p', received_at: 5.4, message_id: '', reason: 'r', path: 'x', raw: '{}' };
    expect(JSON.parse(quarantineLine(q))).toEqual({ ...q, received_at: 5 });
  });

  it('builds the quarantine row of a poisoned line from its own fields', () => {
    const q = poisonedRow(eventLine(row), 'bad', 99, 20);
    expect(q).toEqual({ project: 'p', received_at: 1_700_000_002_000, message_id: 'm', reason: 'bad', path: '', raw: eventLine(row).slice(0, 20) });
    expect(poisonedRow('not json', 'bad', 99, 100)).toMatchObject({ project: '', received_at: 99, raw: 'not json' });
  });
});
