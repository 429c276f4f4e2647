import { describe, expect, it } from 'vitest';
import { eventLine } from '../clickhouse/ndjson';
import type { EventRow, QuarantineRow } from '../rows';
import { rowsIn, targetOf, toRecords } from './messages';

const event = (id: string, distinct: string): EventRow => ({
  project: 'web', message_id: id, type: 'track', event: 'Clicked', user_id: distinct, anonymous_id: '', distinct_id: distinct, session_id: '',
  group_id: '', previous_id: '', timestamp: 1, original_timestamp: 1, sent_at: 1, received_at: 1, properties: {}, traits: {}, context: {},
  page_url: '', page_path: '', referrer: '', utm_source: '', utm_medium: '', utm_campaign: '', locale: '', library_name: '', library_version: '',
});
const rejected: QuarantineRow = { project: 'web', received_at: 1, message_id: 'bad', reason: 'event: required', path: 'event', raw: '{}' };

describe('Kafka records', () => {
  it('keys by project and distinct id, one record per person, rows in order', () => {
    const rows = [event('1', 'ann'), event('2', 'bob'), event('3', 'ann')];
    const records = toRecords({ events: rows, quarantine: [rejected] });
    expect(records.map((record) => record.key.toString())).toEqual(['web\nann', 'web\nbob', 'web']);
    expect(records[0]?.value.toString()).toBe(`${eventLine(rows[0]!)}\n${eventLine(rows[2]!)}`);
    expect(records.map((record) => record.rows)).toEqual([2, 1, 1]);
    expect(records.map((record) => rowsIn(record.value))).toEqual([2, 1, 1]);
  });

  it('marks the table in a header that the consumer reads back', () => {
    const records = toRecords({ events: [event('1', 'ann')], quarantine: [rejected] });
    const tables = records.map((record) => targetOf([...record.headers]));
    expect(tables).toEqual(['events', 'events_quarantine']);
    expect(targetOf([])).toBe('events');
  });
});
