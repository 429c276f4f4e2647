// What landed, asked of ClickHouse with query parameters (never values spliced into SQL).

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

export async function eventsByType(client, { database, project }) {
  return rows(
    client,
    `SELECT type, if(type IN ('track', 'page', 'screen'), event, '') AS name, uniqExact(message_id) AS events
     FROM {db:Identifier}.events WHERE project = {project:String}
     GROUP BY type, name ORDER BY events DESC`,
    { db: database, project },
  );
}

/** Users reaching each step in order within the window (windowFunnel over the raw events). */
export async function funnel(client, { database, project, steps, windowMs }) {
  const conditions = steps.map((_, i) => `event = {s${i}:String}`).join(', ');
  const params = { db: database, project, window: Math.round(windowMs / 1000), steps };
  steps.forEach((step, i) => (params[`s${i}`] = step));
  const levels = await rows(
    client,
    `SELECT level, count() AS users FROM (
       SELECT distinct_id, windowFunnel({window:UInt64})(toDateTime(timestamp), ${conditions}) AS level
       FROM {db:Identifier}.events
       WHERE project = {project:String} AND event IN {steps:Array(String)}
       GROUP BY distinct_id)
     WHERE level > 0 GROUP BY level`,
    params,
  );
  return steps.map((step, i) => ({
    step,
    users: levels.filter((row) => Number(row.level) > i).reduce((sum, row) => sum + Number(row.users), 0),
  }));
}

/** Share of users who did `start` on day D and `returning` on day D+1 and on day D+7. */
export async function retention(client, { database, project, start, returning, days }) {
  const result = await rows(
    client,
    `WITH cohort AS (
       SELECT distinct_id, min(toDate(timestamp)) AS day FROM {db:Identifier}.events
       WHERE project = {project:String} AND event = {start:String} GROUP BY distinct_id),
     activity AS (
       SELECT DISTINCT distinct_id, toDate(timestamp) AS day FROM {db:Identifier}.events
       WHERE project = {project:String} AND event = {returning:String})
     SELECT d AS offset, countIf(activity.day = cohort.day + d) AS users, (SELECT count() FROM cohort) AS cohort
     FROM cohort LEFT JOIN activity ON activity.distinct_id = cohort.distinct_id
     ARRAY JOIN {days:Array(UInt16)} AS d
     GROUP BY d ORDER BY d`,
    { db: database, project, start, returning, days },
  );
  return result.map((row) => ({ day: Number(row.offset), users: Number(row.users), cohort: Number(row.cohort) }));
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
