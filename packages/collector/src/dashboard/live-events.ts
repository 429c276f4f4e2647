import { runSql, num } from '../query/create-queries';
import type { QueryScope } from '../query/sql';
import { createParams, TIME } from '../query/sql';
import { toClickHouseTime } from '../query/time-range';
import type { QueryClient, QueryInfo } from '../query/types';
import type { LivePoint } from './charts';

const MINUTE = 60_000;

/**
 * Events per minute over the last `minutes` whole minutes, distinct messageIds, zero-filled. By event
 * time (skew-corrected `timestamp`), not `received_at`: a client retry keeps its timestamp but is
 * received later, so only event time keeps it in the same minute as the original and counted once.
 */
export async function liveEvents(
  client: QueryClient,
  scope: QueryScope,
  now: number,
  minutes = 60,
  onQuery?: (info: QueryInfo) => void,
): Promise<LivePoint[]> {
  const end = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  const start = end - minutes * MINUTE;
  const p = createParams(scope);
  const query = `SELECT toUInt32(toUnixTimestamp(toStartOfMinute(timestamp))) AS t, uniqExact(message_id) AS n
FROM ${p.table('events')}
WHERE ${p.projectFilter()}timestamp >= ${p.add(TIME, toClickHouseTime(start))} AND timestamp < ${p.add(TIME, toClickHouseTime(end))}
  AND event != ''
GROUP BY t`;
  const rows = await runSql(client, 'liveEvents', { query, params: p.values, source: 'events' }, onQuery);
  const counts = new Map(rows.map((r) => [num(r.t) * 1000, num(r.n)]));
  return Array.from({ length: minutes }, (_, i) => {
    const t = start + i * MINUTE;
    return { time: new Date(t).toISOString(), count: counts.get(t) ?? 0 };
  });
}
