import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serve as honoServe, type ServerType } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/clickhouse';
import { createCollector, type Collector } from '../../src/collector';
import { createExpressMiddleware } from '../../src/express';
import { sluiceFastify } from '../../src/fastify';
import { createRequestListener } from '../../src/node';
import { tempDir } from './clickhouse-fixtures';
import { basic, EVENT_COLUMNS, query, sampleBatch, type StoredEvent } from './http-support';

const dir = tempDir('http-adapters');
const ADAPTERS = ['node', 'express', 'fastify', 'fetch'] as const;
type Adapter = (typeof ADAPTERS)[number];
const writeKeys = Object.fromEntries(ADAPTERS.map((name) => [`key-${name}`, `proj-${name}`]));

let engine: Engine;
let collector: Collector;
const base: Record<Adapter, string> = { node: '', express: '', fastify: '', fetch: '' };
const closers: (() => Promise<unknown>)[] = [];

async function listenNode(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  engine = await createEngine({ embedded: { path: dir.path } });
  // The collector connects through the given client, runs the migrations and starts its writer.
  collector = createCollector({
    writeKeys,
    readKeys: { 'read-key-adapters': '*' },
    engine: { clickhouse: engine.client },
    ack: 'clickhouse',
    writer: { batchMaxDelayMs: 20 },
  });
  await collector.ready();

  base.node = `http://127.0.0.1:${await listenNode(createServer(createRequestListener(collector)))}`;

  const app = express();
  app.use('/collect', createExpressMiddleware(collector));
  app.get('/elsewhere', (_req, res) => {
    res.json({ app: 'express' });
  });
  base.express = `http://127.0.0.1:${await listenNode(createServer(app))}/collect`;

  const fastify = Fastify();
  await fastify.register(sluiceFastify, { collector, prefix: '/collect' });
  fastify.post('/elsewhere', async (request) => ({ app: 'fastify', body: request.body }));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => fastify.close());
  base.fastify = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}/collect`;

  const hono: ServerType = honoServe({ fetch: collector.fetch, port: 0, hostname: '127.0.0.1' });
  await once(hono, 'listening');
  closers.push(() => new Promise((resolve) => hono.close(resolve)));
  base.fetch = `http://127.0.0.1:${(hono.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const close of closers) await close();
  await collector?.close();
  await engine?.close();
  dir.remove();
});

const post = (adapter: Adapter, path: string, body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${base[adapter]}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(`key-${adapter}`), ...headers }, body });

const stored = (project: string, where = '1') =>
  query<StoredEvent>(engine.client, `SELECT ${EVENT_COLUMNS} FROM sluice.events WHERE project = {p:String} AND ${where} ORDER BY message_id`, { p: project });

const count = async (sql: string, p: string) => Number((await query<{ n: string }>(engine.client, sql, { p }))[0]?.n);

describe.each(ADAPTERS)('over real HTTP through the %s adapter', (adapter) => {
  const project = `proj-${adapter}`;

  it('stores every DESIGN column of each event type and quarantines the invalid one', async () => {
    const before = Date.now();
    const { body, skew, clientNow } = sampleBatch(`${adapter}-cols`);
    const res = await post(adapter, '/v1/batch', JSON.stringify(body));
    const after = Date.now();
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer).toMatchObject({ success: true, accepted: 6 });
    expect(answer.rejected).toEqual([{ index: 6, messageId: `${adapter}-cols-bad`, reason: expect.any(String), path: 'event', code: 'missing_field' }]);

    const rows = await stored(project, `message_id LIKE '${adapter}-cols-%'`);
    expect(rows.map((row) => row.type).sort()).toEqual(['alias', 'group', 'identify', 'page', 'screen', 'track']);
    const byType = Object.fromEntries(rows.map((row) => [row.type, row]));
    for (const row of rows) {
      const received = Number(row.received_at);
      expect(received).toBeGreaterThanOrEqual(before);
      expect(received).toBeLessThanOrEqual(after);
      expect(Number(row.sent_at)).toBe(clientNow);
      // Corrected by the client's 90 s fast clock: original - (sentAt - receivedAt).
      expect(Number(row.timestamp)).toBe(Number(row.original_timestamp) - (clientNow - received));
      expect(Number(row.original_timestamp)).toBeGreaterThan(received + skew - 10_000);
      expect(row).toMatchObject({
        project,
        session_id: `sess-${adapter}-cols`,
        page_url: `https://shop.example/p/${adapter}-cols?x=1`,
        page_path: `/p/${adapter}-cols`,
        referrer: 'https://search.example/',
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: 'spring',
        locale: 'de-DE',
        library_name: 'sluice-browser',
        library_version: '0.1.0',
      });
      const context = JSON.parse(row.context);
      expect(context.ip).toBe('127.0.0.0');
      expect(context.userAgent).toBe('test');
    }
    expect(byType.track).toMatchObject({ event: 'Order Completed', user_id: 'u1', anonymous_id: 'a1', distinct_id: 'u1' });
    expect(JSON.parse(byType.track!.properties)).toEqual({ total: 12.5, plan: 'pro' });
    expect(byType.page).toMatchObject({ event: 'Pricing', user_id: '', anonymous_id: 'a1', distinct_id: 'a1' });
    expect(byType.screen).toMatchObject({ event: 'Home', distinct_id: 'u1' });
    expect(byType.identify).toMatchObject({ event: '', distinct_id: 'u1' });
    expect(JSON.parse(byType.identify!.traits)).toEqual({ email: 'u1@example.com' });
    expect(JSON.parse(byType.group!.traits)).toEqual({ name: 'Acme' });
    expect(byType.alias).toMatchObject({ event: '', user_id: 'u1' });

    const quarantine = await query<{ message_id: string; reason: string; path: string; raw: string }>(
      engine.client,
      'SELECT message_id, reason, path, raw FROM sluice.events_quarantine WHERE project = {p:String} AND message_id = {m:String}',
      { p: project, m: `${adapter}-cols-bad` },
    );
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]).toMatchObject({ path: 'event', reason: expect.stringMatching(/event/) });
    // As the client meant it: the batch's shared context merged under the event's own (none here).
    expect(JSON.parse(quarantine[0]!.raw)).toEqual({ type: 'track', messageId: `${adapter}-cols-bad`, userId: 'u1', context: body.context });
  });

  it('stores a retried batch and a re-sent messageId once', async () => {
    const batch = JSON.stringify({ batch: [1, 2, 3].map((n) => ({ type: 'track', event: 'Retry', userId: 'u2', messageId: `${adapter}-retry-${n}` })) });
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await post(adapter, '/v1/batch', batch);
      expect((await res.json()).accepted).toBe(3);
    }
    const single = JSON.stringify({ event: 'Retry', userId: 'u2', messageId: `${adapter}-retry-2` });
    expect((await (await post(adapter, '/v1/track', single)).json()).accepted).toBe(1);
    expect(await count(`SELECT count() AS n FROM sluice.events WHERE project = {p:String} AND event = 'Retry'`, project)).toBe(3);
  });

  it('takes gzip, msgpack, a beacon and each single-event endpoint', async () => {
    const one = (id: string) => ({ batch: [{ type: 'track', event: 'Enc', userId: 'u3', messageId: `${adapter}-${id}` }] });
    expect((await post(adapter, '/v1/batch', new Uint8Array(gzipSync(JSON.stringify(one('gz')))), { 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post(adapter, '/v1/batch', new Uint8Array(pack(one('mp'))), { 'content-type': 'application/msgpack' })).status).toBe(200);
    const beacon = await fetch(`${base[adapter]}/v1/batch`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify({ ...one('beacon'), writeKey: `key-${adapter}` }) });
    expect(beacon.status).toBe(200);
    for (const [type, fields] of Object.entries({ track: { event: 'Enc' }, page: { name: 'P' }, screen: { name: 'S' }, identify: {}, group: { groupId: 'g' }, alias: { previousId: 'old' } })) {
      const res = await post(adapter, `/v1/${type}?writeKey=ignored`, JSON.stringify({ userId: 'u3', messageId: `${adapter}-single-${type}`, ...fields }));
      expect(await res.json()).toEqual({ success: true, accepted: 1, rejected: [] });
    }
    const ids = (await stored(project, `user_id = 'u3'`)).map((row) => row.message_id);
    expect(ids.sort()).toEqual(
      [`${adapter}-beacon`, `${adapter}-gz`, `${adapter}-mp`, ...['alias', 'group', 'identify', 'page', 'screen', 'track'].map((t) => `${adapter}-single-${t}`)].sort(),
    );
  });

  it('serves the analytics.js short paths and /v1/m through the adapter', async () => {
    const id = `${adapter}-short-${Date.now()}`;
    const res = await post(adapter, '/v1/t', JSON.stringify({ event: 'Short', userId: null, anonymousId: 'a-short', messageId: id }), { 'content-type': 'text/plain' });
    expect(await res.json()).toEqual({ success: true, accepted: 1, rejected: [] });
    expect(await count(`SELECT count() AS n FROM sluice.events WHERE project = {p:String} AND message_id = '${id}' AND user_id = ''`, project)).toBe(1);
    const preflight = await fetch(`${base[adapter]}/v1/b`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    const metrics = await fetch(`${base[adapter]}/v1/m`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"series":[]}' });
    expect(metrics.status).toBe(200);
  });

  it('answers errors as JSON through the adapter and stores nothing', async () => {
    const bad = await post(adapter, '/v1/batch', '{"batch":', {});
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ success: false, code: 'invalid_body' });
    const unknown = await post(adapter, '/v1/batch', JSON.stringify({ batch: [] }), { authorization: basic('nope') });
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).message).toMatch(/--write-key nope=PROJECT/);
    const tooBig = await post(adapter, '/v1/batch', 'x'.repeat(600 * 1024));
    expect(tooBig.status).toBe(413);
    const form = await post(adapter, '/v1/batch', 'a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const preflight = await fetch(`${base[adapter]}/v1/batch`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const health = await fetch(`${base[adapter]}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base[adapter]}/ready`)).status).toBe(200);
    expect(await (await fetch(`${base[adapter]}/metrics`)).text()).toMatch(/sluice_insert_duration_seconds_count [1-9]/);
  });
});

describe.each(ADAPTERS)('the query API through the %s adapter', (adapter) => {
  it('answers POST and GET /graphql for a read key, and 401 without one', async () => {
    const query = '{ range(from: "2024-03-01", to: "2024-03-02") { from to } }';
    const headers = { authorization: 'Bearer read-key-adapters', 'content-type': 'application/json' };
    const posted = await fetch(`${base[adapter]}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query }) });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ data: { range: { from: '2024-03-01T00:00:00.000Z', to: '2024-03-02T00:00:00.000Z' } } });
    const got = await fetch(`${base[adapter]}/graphql?query=${encodeURIComponent(query)}`, { headers });
    expect(got.status).toBe(200);
    expect((await fetch(`${base[adapter]}/graphql`, { method: 'POST', body: JSON.stringify({ query }) })).status).toBe(401);
  });
});

describe('mounting', () => {
  it('leaves the rest of an Express app alone', async () => {
    const origin = base.express.replace(/\/collect$/, '');
    expect(await (await fetch(`${origin}/elsewhere`)).json()).toEqual({ app: 'express' });
  });

  it("keeps Fastify's own body parsing outside the plugin", async () => {
    const origin = base.fastify.replace(/\/collect$/, '');
    const res = await fetch(`${origin}/elsewhere`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await res.json()).toEqual({ app: 'fastify', body: { a: 1 } });
  });
});

describe('storage dedupe', () => {
  it('keeps query results right when a duplicate passes a collector that does not remember it', async () => {
    // A second collector (think: another instance, or a restart) without the in-memory window.
    const forgetful = createCollector({ writeKeys: { k: 'proj-storage' }, engine: { clickhouse: engine.client }, ack: 'clickhouse', writer: { batchMaxDelayMs: 20 }, limits: { dedupeWindow: 0 } });
    await forgetful.ready();
    const body = JSON.stringify({ batch: [{ type: 'track', event: 'Twice', userId: 'u9', messageId: 'storage-dup-1' }] });
    for (let i = 0; i < 2; i++) {
      const res = await forgetful.fetch(new Request('http://x/v1/batch', { method: 'POST', headers: { authorization: basic('k') }, body }));
      expect(res.status).toBe(200);
    }
    await forgetful.close();
    const p = 'proj-storage';
    expect(await count('SELECT count() AS n FROM sluice.events FINAL WHERE project = {p:String}', p)).toBe(1);
    expect(await count('SELECT uniqExact(message_id) AS n FROM sluice.events WHERE project = {p:String}', p)).toBe(1);
  });
});
