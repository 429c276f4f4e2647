#!/usr/bin/env node
// Storage: N demo-like events (1M by default) written through `createClickHouseSink` into embedded
// chDB after `migrate`, then `OPTIMIZE TABLE … FINAL`; bytes on disk per event, the ratio to the raw
// JSON bytes of the events, and per column (system.parts_columns), to guide codecs and LowCardinality.
//   node bench/storage.mjs [--quick] [--events N]
import { createClickHouseSink, createEngine, migrate } from '@sluice/collector';
import { QUICK, argv, fmt, removeDir, report, table, tempDir } from './lib/common.mjs';
import { eventStream, toRow } from './lib/events.mjs';

const i = argv.indexOf('--events');
const EVENTS = i >= 0 ? Number(argv[i + 1]) : QUICK ? 100_000 : 1_000_000;
const CHUNK = 5_000;

const dir = tempDir('storage');
const engine = await createEngine({ embedded: { path: `${dir}/data` } });
const db = engine.database;
let data;
try {
  await migrate(engine.client, { database: db });
  const sink = createClickHouseSink({ client: engine.client, database: db, ack: 'memory' });
  const stream = eventStream({ seed: 11, users: 50_000, days: 30 });
  let rawBytes = 0;
  let written = 0;
  const t0 = performance.now();
  while (written < EVENTS) {
    const receivedAt = Date.now();
    const events = [];
    for (let k = 0; k < CHUNK && written + k < EVENTS; k++) {
      const e = stream.next().value;
      rawBytes += Buffer.byteLength(JSON.stringify(e));
      events.push(toRow({ ...e, timestamp: Date.parse(e.timestamp) }, 'demo', receivedAt, receivedAt));
    }
    for (;;) {
      try {
        await sink.write({ events, quarantine: [] });
        break;
      } catch (error) {
        if (error?.code !== 'overloaded') throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    written += events.length;
  }
  await sink.flush();
  const writeS = (performance.now() - t0) / 1000;
  await sink.close();
  const t1 = performance.now();
  await engine.client.command({ query: `OPTIMIZE TABLE ${db}.events FINAL` });
  const optimizeS = (performance.now() - t1) / 1000;

  const q = async (query) => (await engine.client.query({ query, format: 'JSONEachRow' })).json();
  const [parts] = await q(
    `SELECT sum(rows) AS rows, count() AS parts, sum(bytes_on_disk) AS on_disk, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed
     FROM system.parts WHERE database = '${db}' AND table = 'events' AND active`,
  );
  const columns = await q(
    `SELECT column, any(type) AS type, sum(column_data_compressed_bytes) AS compressed, sum(column_data_uncompressed_bytes) AS uncompressed
     FROM system.parts_columns WHERE database = '${db}' AND table = 'events' AND active GROUP BY column ORDER BY compressed DESC`,
  );
  const others = await q(
    `SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS on_disk FROM system.parts WHERE database = '${db}' AND active AND table != 'events' GROUP BY table ORDER BY table`,
  );
  const rows = Number(parts.rows);
  const onDisk = Number(parts.on_disk);
  const compressed = Number(parts.compressed);
  data = {
    events: EVENTS,
    rows,
    parts: Number(parts.parts),
    rawBytes,
    rawBytesPerEvent: rawBytes / EVENTS,
    onDisk,
    onDiskPerEvent: onDisk / rows,
    compressed,
    uncompressed: Number(parts.uncompressed),
    ratioOnDisk: rawBytes / onDisk,
    ratioCompressed: rawBytes / compressed,
    writeS,
    writeEventsPerSec: EVENTS / writeS,
    optimizeS,
    columns: columns.map((c) => ({ column: c.column, type: c.type, compressed: Number(c.compressed), uncompressed: Number(c.uncompressed) })),
    otherTables: others.map((o) => ({ table: o.table, rows: Number(o.rows), onDisk: Number(o.on_disk) })),
  };
} finally {
  await engine.close();
  removeDir(dir);
}

const pct = (n) => `${((100 * n) / data.compressed).toFixed(1)}%`;
const markdown = [
  table(
    ['storage (sluice.events after OPTIMIZE FINAL)', 'value'],
    [
      ['events written (demo-like, 50k users over 30 days)', fmt(data.rows)],
      ['raw JSON bytes per event', fmt(data.rawBytesPerEvent, 1)],
      ['bytes on disk per event', fmt(data.onDiskPerEvent, 1)],
      ['ratio raw JSON / bytes on disk (target ≥ 16×)', `${fmt(data.ratioOnDisk, 1)}×`],
      ['ratio raw JSON / compressed column data', `${fmt(data.ratioCompressed, 1)}×`],
      ['active parts', fmt(data.parts)],
      ['write through createClickHouseSink, events/s', fmt(data.writeEventsPerSec)],
    ],
  ),
  '',
  'Per column (largest first):',
  '',
  table(
    ['column', 'type', 'compressed B', 'B/event', 'share', 'ratio uncompr./compr.'],
    data.columns.map((c) => [c.column, c.type.length > 60 ? `${c.type.slice(0, 57)}…` : c.type, fmt(c.compressed), fmt(c.compressed / data.rows, 2), pct(c.compressed), `${fmt(c.uncompressed / Math.max(1, c.compressed), 1)}×`]),
  ),
  '',
  `Other tables on disk: ${data.otherTables.map((o) => `${o.table} ${fmt(o.onDisk)} B (${fmt(o.rows)} rows)`).join('; ') || 'none'}.`,
].join('\n');
report('storage', { settings: { events: EVENTS }, markdown, data });
