/**
 * Property: every Segment-Spec-valid event (nulls, missing optionals, "" ids, numeric ids, extra
 * top-level fields, ISO and epoch timestamps, unicode) is accepted by the collector, and the row it
 * hands to storage holds exactly what was sent. The same property against ClickHouse (chDB) is
 * test/integration/compat-property.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemorySink } from '../../test/support/http-memory-sink';
import { specBatch } from '../../test/support/spec-events';
import { createCollector } from '../collector';

const NOW = Date.UTC(2026, 5, 1, 12);
const RUNS = 200;

describe('Spec-valid events, generated', () => {
  it('are all accepted, and each row holds what was sent', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(specBatch('', NOW, 10), async (events) => {
        const sink = createMemorySink();
        const collector = createCollector({ writeKeys: { wk: 'p' }, sink, now: () => NOW, limits: { dedupeWindow: 0 } });
        const response = await collector.fetch(
          new Request('http://collector.test/v1/batch', { method: 'POST', headers: { authorization: 'Bearer wk', 'content-type': 'text/plain' }, body: JSON.stringify({ batch: events.map((e) => e.event) }) }),
        );
        const body = (await response.json()) as { accepted: number; rejected: unknown[] };
        expect(body.rejected).toEqual([]);
        expect(body.accepted).toBe(events.length);
        expect(sink.events).toHaveLength(events.length);
        for (const [i, { expected }] of events.entries()) {
          const row = sink.events[i]!;
          const { ip: _ip, ...context } = row.context;
          expect({
            message_id: row.message_id,
            type: row.type,
            event: row.event,
            user_id: row.user_id,
            anonymous_id: row.anonymous_id,
            group_id: row.group_id,
            previous_id: row.previous_id,
            original_timestamp: row.original_timestamp,
            properties: row.properties,
            traits: row.traits,
            context,
            library_name: row.library_name,
            library_version: row.library_version,
            page_path: row.page_path,
          }).toEqual({
            message_id: expected.messageId,
            type: expected.type,
            event: expected.event,
            user_id: expected.userId,
            anonymous_id: expected.anonymousId,
            group_id: expected.groupId,
            previous_id: expected.previousId,
            original_timestamp: expected.originalTimestamp ?? NOW,
            properties: expected.properties,
            traits: expected.traits,
            context: expected.context,
            library_name: expected.libraryName,
            library_version: expected.libraryVersion,
            page_path: expected.pagePath,
          });
        }
        run++;
      }),
      { numRuns: RUNS },
    );
    expect(run).toBe(RUNS);
  }, 60_000);
});
