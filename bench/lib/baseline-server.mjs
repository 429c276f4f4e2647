#!/usr/bin/env node
// The naive baseline: a plain Express handler doing JSON.parse, zod validation (the schema's
// eventSchemas, one safeParse per event) and one `client.insert({ format: 'JSONEachRow', values })`
// per request into embedded chDB, answering after the insert. Same table as Sluice (its migrations).
//   node bench/lib/baseline-server.mjs DATA_DIR   → prints "listening on http://127.0.0.1:PORT"
import express from 'express';
import { createEngine, migrate } from '@sluice/collector';
import { eventSchemas } from '@sluice/schema';
import { toRow } from './events.mjs';

const dir = process.argv[2] ?? '.sluice-baseline';
const engine = await createEngine({ embedded: { path: dir } });
await migrate(engine.client, { database: engine.database });
const table = `${engine.database}.events`;

const app = express();
app.post('/v1/batch', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
  let body;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    return res.status(400).json({ success: false, code: 'invalid_body', message: 'not JSON' });
  }
  if (!body || !Array.isArray(body.batch)) return res.status(400).json({ success: false, code: 'invalid_body', message: 'no batch' });
  const receivedAt = Date.now();
  const sentAt = body.sentAt ? Date.parse(body.sentAt) : undefined;
  const rows = [];
  const rejected = [];
  body.batch.forEach((raw, index) => {
    const schema = eventSchemas[raw?.type];
    const parsed = schema?.safeParse(raw);
    if (!parsed?.success) return rejected.push({ index, messageId: raw?.messageId ?? null, reason: 'invalid', path: '' });
    rows.push(toRow(parsed.data, 'bench', receivedAt, sentAt));
  });
  try {
    if (rows.length) await engine.client.insert({ table, format: 'JSONEachRow', values: rows });
  } catch (error) {
    return res.status(503).json({ success: false, code: 'unavailable', message: String(error.message).slice(0, 300) });
  }
  res.json({ success: true, accepted: rows.length, rejected });
});

const server = app.listen(0, '127.0.0.1', () => console.log(`baseline listening on http://127.0.0.1:${server.address().port}`));
const stop = () => server.close(() => engine.close().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
