#!/usr/bin/env node
// Diagnostic (not a part of `npm run bench`): chDB's CPU per row of inserts into `events` as migrated
// (with its materialized views), by insert size, counting the background merges that follow: 200k
// demo-like rows in inserts of N rows, then 25 s of merges, all in this process's CPU time.
// Backs the "Insert size" table in packages/collector/docs/storage.md and DEFAULTS.batchMaxRows.
//   node bench/lib/insert-size.mjs [rows-per-insert ...]   (default 5000 10000 50000; one process each)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createEngine, migrate } from '@sluice/collector';
import { removeDir, tempDir } from './common.mjs';
import { takeEvents, toRow } from './events.mjs';

const ROWS = 200_000;
const SETTLE_MS = 25_000;
const sizes = process.argv.slice(2).map(Number);

if (process.env.INSERT_SIZE_CHILD === undefined) {
  // chDB opens one data directory per process, so each size runs in a fresh one.
  for (const size of sizes.length > 0 ? sizes : [5_000, 10_000, 50_000]) {
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(size)], { stdio: 'inherit', env: { ...process.env, INSERT_SIZE_CHILD: '1' } });
  }
} else {
  const size = sizes[0];
  const dir = tempDir('insert-size');
  const engine = await createEngine({ embedded: { path: `${dir}/data` } });
  try {
    await migrate(engine.client, { database: 'sluice' });
    const now = Date.now();
    const lines = takeEvents(ROWS).map((ev) => JSON.stringify(toRow({ ...ev, timestamp: now - Math.floor(Math.random() * 3_600_000) }, 'bench', now, now)));
    const chunks = [];
    for (let i = 0; i < ROWS; i += size) chunks.push(Buffer.from(`${lines.slice(i, i + size).join('\n')}\n`));
    const { Readable } = await import('node:stream');
    const cpu0 = process.cpuUsage();
    let n = 0;
    for (const chunk of chunks) {
      const result = await engine.client.exec({
        query: `INSERT INTO sluice.events SETTINGS deduplicate_blocks_in_dependent_materialized_views = 1, insert_deduplication_token = 'size-${n++}' FORMAT JSONEachRow`,
        values: Readable.from([chunk]),
      });
      result.stream.destroy();
    }
    const inserted = process.cpuUsage(cpu0);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const settled = process.cpuUsage(cpu0);
    const us = (c) => ((c.user + c.system) / ROWS).toFixed(1);
    console.log(`${String(size).padStart(6)} rows per insert: ${us(inserted)} µs CPU per row for the inserts, ${us(settled)} with ${SETTLE_MS / 1000} s of merges after them`);
  } finally {
    await engine.close();
    removeDir(dir);
  }
}
