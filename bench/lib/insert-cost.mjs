#!/usr/bin/env node
// Diagnostic (not a part of `npm run bench`): CPU cost per row of chDB inserts of the demo-like rows,
// pre-serialised as NDJSON through `client.exec`, into `events` as migrated and into variants of it:
//   events (with its rollup MVs, the writer's dedup settings and a token per chunk) · the same with the
//   full `context` (typed fields repeated, as before 2026-11-21) · no dedup settings · 1k-row chunks ·
//   no MVs · no MVs with `context JSON(max_dynamic_paths = 0)`, with type hints for context's usual
//   paths, with `max_dynamic_types = 1` · no MVs with the JSON columns as
//   String · a Null-engine copy (parse only) · a one-column table.
// Backs the "profile findings" in BENCHMARKS.md and docs/storage.md.
//   node bench/lib/insert-cost.mjs [rows] [--only name,name]
import { Readable } from 'node:stream';
import { createEngine, migrate } from '@sluice/collector';
import { removeDir, tempDir } from './common.mjs';
import { takeEvents, toRow } from './events.mjs';

const ROWS = Number(process.argv[2] ?? 100_000);
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt > 0 ? new Set(process.argv[onlyAt + 1].split(',')) : undefined;
const MV_DEDUP = 'deduplicate_blocks_in_dependent_materialized_views = 1';
const dir = tempDir('insert-cost');
const e = await createEngine({ embedded: { path: `${dir}/data` } });
try {
  await migrate(e.client, { database: 'sluice' });
  const q = async (query) => (await e.client.query({ query, format: 'JSONEachRow' })).json();
  const [{ ddl }] = await q("SELECT create_table_query AS ddl FROM system.tables WHERE database='sluice' AND name='events'");
  const copy = (name, edit = (s) => s) => e.client.command({ query: edit(ddl.replace(/sluice\.events/, `sluice.${name}`)) });
  await copy('events_nomv');
  await copy('events_ctx0', (s) => s.replace(/`?context`? JSON/, 'context JSON(max_dynamic_paths = 0)'));
  await copy('events_ctxhint', (s) => s.replace(/`?context`? JSON/, 'context JSON(userAgent String, ip String)'));
  await copy('events_types1', (s) => s.replace(/`?(properties|traits|context)`? JSON/g, '$1 JSON(max_dynamic_types = 1)'));
  await copy('events_str', (s) => s.replace(/`?(properties|traits|context)`? JSON(\([^)]*\))?/g, '$1 String'));
  await e.client.command({ query: 'CREATE TABLE sluice.events_null AS sluice.events ENGINE = Null' });
  await e.client.command({ query: 'CREATE TABLE sluice.ids (message_id String) ENGINE = MergeTree ORDER BY tuple()' });
  const now = Date.now();
  const events = takeEvents(ROWS);
  const stripped = events.map((ev) => JSON.stringify(toRow({ ...ev, timestamp: Date.parse(ev.timestamp) }, 'b', now, now)));
  const full = events.map((ev) => JSON.stringify({ ...toRow({ ...ev, timestamp: Date.parse(ev.timestamp) }, 'b', now, now), context: ev.context }));
  const chunked = (lines, size) => {
    const out = [];
    for (let i = 0; i < lines.length; i += size) out.push(lines.slice(i, i + size).join('\n') + '\n');
    return out;
  };
  const CASES = [
    { name: 'events', table: 'events', lines: stripped, size: 10_000, dedup: true, note: 'as migrated: MVs, token + MV dedup, context without typed fields' },
    { name: 'events-fullctx', table: 'events', lines: full, size: 10_000, dedup: true, note: 'the same with the full context (as before)' },
    { name: 'events-nodedup', table: 'events', lines: stripped, size: 10_000, dedup: false, note: 'no dedup token or MV dedup setting' },
    { name: 'events-1k', table: 'events', lines: stripped, size: 1_000, dedup: true, note: '1k-row inserts' },
    { name: 'events_nomv', table: 'events_nomv', lines: stripped, size: 10_000, dedup: true, note: 'no rollup MVs' },
    { name: 'events_nomv-fullctx', table: 'events_nomv', lines: full, size: 10_000, dedup: true, note: 'no MVs, full context' },
    { name: 'events_ctx0', table: 'events_ctx0', lines: stripped, size: 10_000, dedup: true, note: 'no MVs, context JSON(max_dynamic_paths = 0)' },
    { name: 'events_ctxhint', table: 'events_ctxhint', lines: stripped, size: 10_000, dedup: true, note: 'no MVs, context JSON(userAgent String, ip String)' },
    { name: 'events_types1', table: 'events_types1', lines: stripped, size: 10_000, dedup: true, note: 'no MVs, JSON(max_dynamic_types = 1) on all three' },
    { name: 'events_str', table: 'events_str', lines: stripped, size: 10_000, dedup: true, note: 'no MVs, JSON columns as String' },
    { name: 'events_null', table: 'events_null', lines: stripped, size: 10_000, dedup: false, note: 'Null engine: JSONEachRow parse only' },
    { name: 'ids', table: 'ids', lines: stripped, size: 10_000, dedup: false, note: 'one String column' },
  ];
  let n = 0;
  for (const c of CASES) {
    if (ONLY && !ONLY.has(c.name)) continue;
    const chunks = chunked(c.lines, c.size);
    // Start each case from empty tables, so that earlier cases' merges are not billed to it.
    for (const t of c.table === 'events' ? ['events', 'events_hourly', 'events_daily'] : [c.table]) {
      if (t !== 'events_null') await e.client.command({ query: `TRUNCATE TABLE sluice.${t}` });
    }
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const chunk of chunks) {
      const settings = c.dedup ? `${MV_DEDUP}, insert_deduplication_token = 'ic-${n++}', ` : '';
      await e.client.exec({
        query: `INSERT INTO sluice.${c.table} SETTINGS ${settings}input_format_skip_unknown_fields=1, input_format_json_read_objects_as_strings=1 FORMAT JSONEachRow`,
        values: Readable.from([chunk]),
      });
    }
    const cpu = process.cpuUsage(c0);
    const s = (cpu.user + cpu.system) / 1e6;
    const wall = (performance.now() - t0) / 1000;
    console.log(`${c.name.padEnd(20)} ${String(Math.round(ROWS / wall)).padStart(8)} rows/s wall  ${String(Math.round(ROWS / s)).padStart(8)} rows per CPU-s  ${((s * 1e6) / ROWS).toFixed(1).padStart(6)} µs CPU/row   ${c.note}`);
  }
} finally {
  await e.close();
  removeDir(dir);
}
