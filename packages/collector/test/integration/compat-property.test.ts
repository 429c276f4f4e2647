/**
 * Property, end to end: every generated Segment-Spec-valid event (nulls, missing optionals, "" and
 * numeric ids, extra top-level fields, ISO and epoch timestamps, unicode) sent over HTTP to a real
 * collector is accepted, and the row in ClickHouse (chDB) equals what was sent, as ClickHouse's JSON
 * type keeps it (a null value or an empty object is not stored: `asClickHouseJson`).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { asClickHouseJson, specBatch } from '../support/spec-events';
import { startCompatCollector, type CompatCollector } from './compat-support';
import { query } from './http-support';

const RUNS = 25;
let sluice: CompatCollector;

beforeAll(async () => {
  sluice = await startCompatCollector('compat-property', { writeKeys: { wk_property: 'property' } });
});

afterAll(async () => {
  await sluice?.close();
});

interface Row {
  message_id: string;
  type: string;
  event: string;
  user_id: string;
  anonymous_id: string;
  group_id: string;
  previous_id: string;
  timestamp: string;
  original_timestamp: string;
  received_at: string;
  properties: string;
  traits: string;
  context: string;
  library_name: string;
  library_version: string;
  page_path: string;
}

it('accepts every Spec-valid event and stores what was sent', async () => {
  let run = 0;
  let events = 0;
  await fc.assert(
    fc.asyncProperty(specBatch('', Date.now(), 20), async (generated) => {
        // Every execution (shrinking included) gets its own messageId prefix, to find its rows.
        const prefix = `r${run++}-`;
        const batch = generated.map(({ event, expected }) => {
          const messageId = `${prefix}${expected.messageId}`.slice(0, 256);
          return { event: { ...event, messageId }, expected: { ...expected, messageId } };
        });
        const response = await fetch(`${sluice.origin}/v1/batch`, {
          method: 'POST',
          headers: { authorization: 'Bearer wk_property', 'content-type': 'application/json' },
          body: JSON.stringify({ batch: batch.map((e) => e.event) }),
        });
        expect(await response.json()).toEqual({ success: true, accepted: batch.length, rejected: [] });
        const rows = await query<Row>(
          sluice.client,
          `SELECT message_id, type, event, user_id, anonymous_id, group_id, previous_id,
             toUnixTimestamp64Milli(timestamp) AS timestamp, toUnixTimestamp64Milli(original_timestamp) AS original_timestamp,
             toUnixTimestamp64Milli(received_at) AS received_at,
             toJSONString(properties) AS properties, toJSONString(traits) AS traits, toJSONString(context) AS context,
             library_name, library_version, page_path
           FROM sluice.events WHERE project = 'property' AND startsWith(message_id, {prefix:String})`,
          { prefix },
        );
        expect(rows).toHaveLength(batch.length);
        const byId = new Map(rows.map((row) => [row.message_id, row]));
        for (const { expected } of batch) {
          const row = byId.get(expected.messageId);
          expect(row, expected.messageId).toBeDefined();
          const { ip: _ip, ...context } = JSON.parse(row!.context) as Record<string, unknown>;
          const original = expected.originalTimestamp ?? Number(row!.received_at);
          expect({
            type: row!.type,
            event: row!.event,
            user_id: row!.user_id,
            anonymous_id: row!.anonymous_id,
            group_id: row!.group_id,
            previous_id: row!.previous_id,
            timestamp: Number(row!.timestamp),
            original_timestamp: Number(row!.original_timestamp),
            properties: JSON.parse(row!.properties),
            traits: JSON.parse(row!.traits),
            context,
            library_name: row!.library_name,
            library_version: row!.library_version,
            page_path: row!.page_path,
          }).toEqual({
            type: expected.type,
            event: expected.event,
            user_id: expected.userId,
            anonymous_id: expected.anonymousId,
            group_id: expected.groupId,
            previous_id: expected.previousId,
            // No sentAt, and event times in the past: the skew correction leaves them as sent.
            timestamp: original,
            original_timestamp: original,
            properties: asClickHouseJson(expected.properties),
            traits: asClickHouseJson(expected.traits),
            context: asClickHouseJson(expected.context),
            library_name: expected.libraryName,
            library_version: expected.libraryVersion,
            page_path: expected.pagePath,
          });
        }
        events += batch.length;
      }),
    { numRuns: RUNS },
  );
  expect(run).toBeGreaterThanOrEqual(RUNS);
  expect(events).toBeGreaterThanOrEqual(RUNS);
}, 300_000);
