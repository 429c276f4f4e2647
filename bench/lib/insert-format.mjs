#!/usr/bin/env node
// Diagnostic (not a part of `npm run bench`): chDB's CPU per row of inserting the same demo-like rows
// into `events` as migrated (with its materialized views, merges stopped) as JSONEachRow objects and
// as JSONCompactEachRow arrays with the columns named, alternating, in this process's CPU time; the
// landed rows are checked equal. Backs the "Input format" table in packages/collector/docs/storage.md.
//   node bench/lib/insert-format.mjs [rounds]   (default 7; 100k rows in 50k-row inserts per round)
import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { migrate } from '@sluice/collector';
import { median, removeDir, tempDir } from './common.mjs';
import { takeEvents, toRow } from './events.mjs';

const ROWS = 100_000;
const PER_INSERT = 50_000;
const ROUNDS = Number(process.argv[2] ?? 7);

const dir = tempDir('insert-format');
// chdb's connection directly, for its raw insert with either format (the collector uses the same call).
const connection = createChdbConnection({ path: `${dir}/data` });
const client = createClient({ connection });
try {
  await migrate(client);
  const raw = (params) => connection.chdb.rawInsert(params);
  const now = Date.now();
  const rows = takeEvents(ROWS).map((event) => toRow({ ...event, timestamp: Date.parse(event.timestamp) }, 'bench', now, now));
  const columns = Object.keys(rows[0]);
  const chunks = { JSONEachRow: [], JSONCompactEachRow: [] };
  for (let i = 0; i < ROWS; i += PER_INSERT) {
    const part = rows.slice(i, i + PER_INSERT);
    chunks.JSONEachRow.push(Buffer.from(`${part.map((row) => JSON.stringify(row)).join('\n')}\n`));
    chunks.JSONCompactEachRow.push(Buffer.from(`${part.map((row) => JSON.stringify(columns.map((c) => row[c]))).join('\n')}\n`));
  }
  const tables = (await (await client.query({ query: "SELECT name FROM system.tables WHERE database = 'sluice' AND engine LIKE '%MergeTree' AND name != 'schema_migrations'", format: 'JSONEachRow' })).json()).map((r) => r.name);
  const cpu = { JSONEachRow: [], JSONCompactEachRow: [] };
  const landed = new Set();
  let token = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? ['JSONEachRow', 'JSONCompactEachRow'] : ['JSONCompactEachRow', 'JSONEachRow'];
    for (const format of order) {
      for (const table of tables) await client.command({ query: `TRUNCATE TABLE sluice.${table}` });
      await client.command({ query: 'SYSTEM STOP MERGES' });
      const before = process.cpuUsage();
      for (const values of chunks[format]) {
        await raw({ table: 'sluice.events', ...(format === 'JSONCompactEachRow' ? { columns } : {}), values, format, settings: { insert_deduplication_token: `f-${token++}` } });
      }
      const used = process.cpuUsage(before);
      await client.command({ query: 'SYSTEM START MERGES' });
      const [check] = await (await client.query({ query: 'SELECT count() AS n, sum(cityHash64(message_id, toString(properties), toString(context), timestamp)) AS h FROM sluice.events', format: 'JSONEachRow' })).json();
      landed.add(`${check.n}/${check.h}`);
      cpu[format].push((used.user + used.system) / ROWS);
    }
  }
  if (landed.size !== 1) throw new Error(`the formats landed different rows: ${[...landed].join(', ')}`);
  for (const format of Object.keys(cpu)) {
    const bytes = chunks[format].reduce((sum, b) => sum + b.length, 0) / ROWS;
    console.log(`${format.padEnd(19)} chDB CPU per row, median of ${ROUNDS}: ${median(cpu[format]).toFixed(1)} µs (runs ${cpu[format].map((v) => v.toFixed(1)).join(', ')}); ${bytes.toFixed(0)} B per row`);
  }
} finally {
  await client.close();
  removeDir(dir);
}
