// What landed. The analytics questions go through the product's query API; only the landing
// counter and the storage figures read ClickHouse directly (with query parameters).
import { createQueries } from '@sluice/collector/query';

const DAY_MS = 86_400_000;

async function rows(client, query, params) {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json();
}

/** Distinct events stored for the project (what the demo page's counter shows). */
export async function countEvents(client, { database, project }) {
  const [row] = await rows(client, 'SELECT uniqExact(message_id) AS n FROM {db:Identifier}.events WHERE project = {project:String}', { db: database, project });
  return Number(row.n);
}

/** Polls until `expected` distinct events are queryable, or the deadline passes. */
export async function waitForLanding(client, { database, project, expected, timeoutMs = 30_000 }) {
  const started = Date.now();
  let landed = 0;
  while (Date.now() - started < timeoutMs) {
    landed = await countEvents(client, { database, project });
    if (landed >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { landed, ms: Date.now() - started };
}

/**
 * The product's own questions, asked through the query API that the dashboard and `sluice query`
 * use (`@sluice/collector/query`). They count people: every id the events link (docs/identity.md).
 */
export function productQueries(client, { database, project }) {
  return createQueries({ client, database, project });
}

/** Daily retention folded over every cohort: of those who could have come back on day k, how many did. */
export function retentionByDay(result, days) {
  return days.map((day) => {
    let users = 0;
    let cohort = 0;
    for (const c of result.cohorts) {
      const retained = c.retained[day];
      if (retained === null || retained === undefined) continue;
      users += retained;
      cohort += c.size;
    }
    return { day, users, cohort };
  });
}

/** Bytes on disk of the events table, against the same rows written out as JSON. */
export async function storage(client, { database }) {
  const [disk] = await rows(
    client,
    `SELECT sum(bytes_on_disk) AS disk, sum(rows) AS rows FROM system.parts
     WHERE database = {db:String} AND table = 'events' AND active`,
    { db: database },
  );
  const [raw] = await rows(client, `SELECT sum(length(formatRow('JSONEachRow', *))) AS raw FROM {db:Identifier}.events`, { db: database });
  return { disk: Number(disk.disk), rows: Number(disk.rows), raw: Number(raw.raw) };
}

export { DAY_MS };
