#!/usr/bin/env node
// Opens an embedded chDB data directory (after the server using it has exited) and prints how many
// events with a messageId starting with the given prefixes landed in sluice.events, as one JSON line.
//   node bench/lib/count-landed.mjs DIR PREFIX [PREFIX…]
import { createEngine } from '@sluice/collector';

const [dir, ...prefixes] = process.argv.slice(2);
const engine = await createEngine({ embedded: { path: dir } });
try {
  const where = prefixes.length ? `WHERE ${prefixes.map((p) => `startsWith(message_id, '${p.replace(/[^0-9a-z-]/gi, '')}')`).join(' OR ')}` : '';
  const rs = await engine.client.query({
    query: `SELECT count() AS rows, uniqExact(message_id) AS distinct FROM ${engine.database}.events ${where}`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json();
  console.log(JSON.stringify({ rows: Number(row.rows), distinct: Number(row.distinct) }));
} finally {
  await engine.close();
}
