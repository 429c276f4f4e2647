#!/usr/bin/env node
// Diagnostic (not a part of `npm run bench`): CPU cost per row of chDB inserts of the demo-like rows,
// pre-serialised as NDJSON in 10k-row chunks through `client.exec`, into
//   events (as migrated, with its rollup MVs) · events without the MVs · the same table with the JSON
//   columns as String · a Null-engine copy (parse only) · a one-column table.
// Backs the "profile findings" in BENCHMARKS.md.   node bench/lib/insert-cost.mjs [rows]
import { Readable } from 'node:stream';
import { createEngine, migrate } from '@sluice/collector';
import { removeDir, tempDir } from './common.mjs';
import { takeEvents, toRow } from './events.mjs';

const ROWS = Number(process.argv[2] ?? 100_000);
const dir = tempDir('insert-cost');
const e = await createEngine({ embedded: { path: `${dir}/data` } });
try {
  await migrate(e.client, { database: 'sluice' });
  const q = async (query) => (await e.client.query({ query, format: 'JSONEachRow' })).json();
  const [{ ddl }] = await q("SELECT create_table_query AS ddl FROM system.tables WHERE database='sluice' AND name='events'");
  await e.client.command({ query: ddl.replace(/sluice\.events/, 'sluice.events_nomv') });
  await e.client.command({ query: ddl.replace(/sluice\.events/, 'sluice.events_str').replace(/`?(properties|traits|context)`? JSON(\([^)]*\))?/g, '$1 String') });
  await e.client.command({ query: 'CREATE TABLE sluice.events_null AS sluice.events ENGINE = Null' });
  await e.client.command({ query: 'CREATE TABLE sluice.ids (message_id String) ENGINE = MergeTree ORDER BY tuple()' });
  const now = Date.now();
  const lines = takeEvents(ROWS).map((ev) => JSON.stringify(toRow({ ...ev, timestamp: Date.parse(ev.timestamp) }, 'b', now, now)));
  const chunks = [];
  for (let i = 0; i < lines.length; i += 10_000) chunks.push(lines.slice(i, i + 10_000).join('\n') + '\n');
  for (const table of ['events', 'events_nomv', 'events_str', 'events_null', 'ids']) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const c of chunks) {
      await e.client.exec({ query: `INSERT INTO sluice.${table} SETTINGS input_format_skip_unknown_fields=1, input_format_json_read_objects_as_strings=1 FORMAT JSONEachRow`, values: Readable.from([c]) });
    }
    const cpu = process.cpuUsage(c0);
    const s = (cpu.user + cpu.system) / 1e6;
    const wall = (performance.now() - t0) / 1000;
    console.log(`${table.padEnd(12)} ${String(Math.round(ROWS / wall)).padStart(8)} rows/s wall  ${String(Math.round(ROWS / s)).padStart(8)} rows per CPU-s  ${((s * 1e6) / ROWS).toFixed(1).padStart(6)} µs CPU/row`);
  }
} finally {
  await e.close();
  removeDir(dir);
}
