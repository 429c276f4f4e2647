import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../logger';
import type { Dedupe } from './dedupe';
import { TABLES } from '../clickhouse/tables';

/**
 * Refills the messageId window from what ClickHouse already holds, so a client that re-sends
 * after a collector restart (it never saw the answer) is still recognised: without this, the
 * copy would be stored and the rollups would count it twice. Reads the most recent `window` ids
 * per project received within `horizonMs`, oldest first, so the newest stay in the window.
 * A failure only costs the seeding: it is logged, and the collector starts anyway.
 */
export async function seedDedupe(
  dedupe: Dedupe,
  options: { client: ClickHouseClient; database: string; window: number; horizonMs: number; logger: Logger },
): Promise<number> {
  if (options.window <= 0 || options.horizonMs <= 0) return 0;
  try {
    const result = await options.client.query({
      query: `SELECT project, message_id FROM {db:Identifier}.${TABLES.events}
              WHERE received_at >= now64(3) - toIntervalMillisecond({horizon:UInt64})
              ORDER BY received_at DESC LIMIT {window:UInt64} BY project`,
      query_params: { db: options.database, horizon: options.horizonMs, window: options.window },
      format: 'JSONCompactEachRow',
    });
    const rows = await result.json<[string, string]>();
    const byProject = new Map<string, string[]>();
    for (let i = rows.length - 1; i >= 0; i--) {
      const [project, id] = rows[i]!;
      let ids = byProject.get(project);
      if (!ids) byProject.set(project, (ids = []));
      ids.push(id);
    }
    for (const [project, ids] of byProject) dedupe.claim(project, ids);
    return rows.length;
  } catch (error) {
    options.logger.warn({ err: error }, 'could not refill the messageId window from ClickHouse; client re-sends after this restart may be stored twice');
    return 0;
  }
}
