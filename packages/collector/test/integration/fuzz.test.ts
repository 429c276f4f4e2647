import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { tempDir } from './clickhouse-fixtures';
import { serveCollector } from './durability-server-support';

/**
 * Hostile input over real HTTP to a collector on chDB (default ack: wal): property-based bodies,
 * content types, encodings and auth headers, plus a fixed corpus of known-nasty bodies. Every answer
 * is a 4xx with `{success:false, code, message}` or a 200 with per-event rejections, never a 5xx;
 * the process keeps serving with bounded memory; valid events sent in between all land.
 */
const data = tempDir('fuzz-data');
const wal = tempDir('fuzz-wal');
let app: Awaited<ReturnType<typeof serveCollector>>;
let client: ClickHouseClient;
const valid: string[] = [];
const auth = `Basic ${Buffer.from('fuzz-key:').toString('base64')}`;

beforeAll(async () => {
  app = await serveCollector({
    writeKeys: { 'fuzz-key': 'fuzz' },
    engine: { embedded: { path: data.path } },
    wal: { dir: wal.path },
    writer: { batchMaxDelayMs: 100 },
    limits: { dedupeWindow: 0 },
  });
  client = (await app.collector.ready()).engine!.client;
});
afterAll(async () => {
  await app?.close();
  data.remove();
  wal.remove();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw node:http, so any bytes and header values (within what HTTP allows) reach the collector. */
function send(path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, app.url);
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The collector may refuse a body over the limit before reading it all, closing the socket.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') resolve({ status: 413, headers: {}, body: '{"success":false,"code":"payload_too_large","message":"closed early"}' });
      else reject(error);
    });
    req.end(body);
  });
}

/** The contract for any input: 200 with per-event results, or a 4xx JSON error that says something. */
function expectContract(answer: Answer, what: string): void {
  expect(answer.status, `${what}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
  const json = JSON.parse(answer.body) as Record<string, unknown>;
  if (answer.status === 200) {
    expect(json).toMatchObject({ success: true, accepted: expect.any(Number), rejected: expect.any(Array) });
  } else {
    expect(answer.status, what).toBeGreaterThanOrEqual(400);
    expect(json).toMatchObject({ success: false, code: expect.any(String), message: expect.any(String) });
    expect((json.message as string).length).toBeGreaterThan(10);
  }
}

let sequence = 0;
/** A valid event alongside the garbage: it must be acknowledged and land. */
async function sendValid(): Promise<void> {
  const id = `fuzz-valid-${sequence++}`;
  const answer = await send('/v1/batch', JSON.stringify({ batch: [{ type: 'track', event: 'Valid', userId: 'u', messageId: id }] }), { 'content-type': 'application/json', authorization: auth });
  expect(answer.status, answer.body).toBe(200);
  valid.push(id);
}

const CONTENT_TYPES = ['application/json', 'text/plain', 'application/msgpack', 'application/xml', 'multipart/form-data; boundary=x', 'text/plain; charset=latin1', '', 'application/json; charset=utf-16', '*/*'];
const ENCODINGS = [undefined, 'gzip', 'deflate', 'br', 'zstd', 'compress', 'gzip, br', 'identity', 'GZIP'];
const AUTHS = [auth, 'Bearer fuzz-key', 'Basic !!!', `Basic ${Buffer.from(':').toString('base64')}`, 'Bearer', 'Token abc', 'Basic', `Basic ${Buffer.from('\u0000:').toString('base64')}`, 'Bearer unknown-key', undefined];

describe('fuzz: the collector answers everything with a clear 4xx or a 200', () => {
  const rssBefore = process.memoryUsage().rss;

  it('random JSON values as batches and single events', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom('/v1/batch', '/v1/track', '/v1/identify', '/v1/page'), async (value, path) => {
        expectContract(await send(path, JSON.stringify(value), { 'content-type': 'application/json', authorization: auth }), `${path} ${JSON.stringify(value).slice(0, 200)}`);
      }),
      { numRuns: 150 },
    );
    await sendValid();
  });

  it('batches of random events: shapes close to valid', async () => {
    const event = fc.record(
      {
        type: fc.constantFrom('track', 'page', 'identify', 'group', 'alias', 'screen', 'bogus', ''),
        event: fc.oneof(fc.string(), fc.constant(undefined)),
        userId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        anonymousId: fc.oneof(fc.string(), fc.constant(undefined)),
        messageId: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
        timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string(), fc.integer(), fc.double()),
        properties: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), fc.jsonValue({ maxDepth: 2 })),
        context: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.constant(undefined)),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 20 }), fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)), async (batch, sentAt) => {
        expectContract(await send('/v1/batch', JSON.stringify({ batch, sentAt }), { 'content-type': 'application/json', authorization: auth }), JSON.stringify(batch).slice(0, 200));
      }),
      { numRuns: 150 },
    );
    await sendValid();
  });

  it('random bytes with random content types, encodings and auth headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom(...CONTENT_TYPES),
        fc.constantFrom(...ENCODINGS),
        fc.constantFrom(...AUTHS),
        fc.boolean(),
        async (bytes, contentType, encoding, authorization, compress) => {
          const headers: Record<string, string> = {};
          if (contentType) headers['content-type'] = contentType;
          if (encoding) headers['content-encoding'] = encoding;
          if (authorization) headers.authorization = authorization;
          const body = compress && encoding === 'gzip' ? gzipSync(bytes) : bytes;
          expectContract(await send('/v1/batch', body, headers), `${contentType} ${encoding} ${authorization} ${bytes.length} bytes`);
        },
      ),
      { numRuns: 200 },
    );
    await sendValid();
  });

  const json = { 'content-type': 'application/json', authorization: auth };
  const msgpack = { 'content-type': 'application/msgpack', authorization: auth };
  const ev = (extra: string) => `{"batch":[{"type":"track","event":"x","userId":"u","messageId":"corpus-${Math.random()}"${extra}}]}`;
  const CORPUS: [string, () => { path?: string; body: Uint8Array | string; headers: Record<string, string>; status?: number | number[] }][] = [
    ['truncated JSON', () => ({ body: '{"batch":[{"type":"track","event":"x"', headers: json, status: 400 })],
    ['empty body', () => ({ body: '', headers: json, status: 400 })],
    ['deep array nesting', () => ({ body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, headers: json, status: 400 })],
    ['deep object nesting in properties', () => ({ body: ev(`,"properties":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`), headers: json, status: [200, 400] })],
    ['10 MB string', () => ({ body: ev(`,"properties":{"s":"${'x'.repeat(10 * 1024 * 1024)}"}`), headers: json, status: 413 })],
    ['10 MB string, gzipped', () => ({ body: gzipSync(ev(`,"properties":{"s":"${'x'.repeat(10 * 1024 * 1024)}"}`)), headers: { ...json, 'content-encoding': 'gzip' }, status: 413 })],
    ['100k keys, gzipped', () => ({ body: gzipSync(ev(`,"properties":{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`)), headers: { ...json, 'content-encoding': 'gzip' }, status: 413 })],
    ['20k keys (under the body limit)', () => ({ body: ev(`,"properties":{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`), headers: json, status: [200, 413] })],
    ['__proto__ everywhere', () => ({ body: `{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"batch":[{"type":"track","event":"x","userId":"u","messageId":"proto-${Math.random()}","properties":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}},"context":{"__proto__":{"ip":"1.2.3.4"}}}]}`, headers: json, status: [200, 400] })],
    ['invalid UTF-8', () => ({ body: Buffer.from([0x7b, 0x22, 0x62, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), headers: json, status: 400 })],
    ['invalid UTF-8 inside a string value', () => ({ body: Buffer.concat([Buffer.from(ev(',"properties":{"s":"')), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}}]}')]), headers: json, status: [200, 400] })],
    ['NUL bytes in values', () => ({ body: ev(',"properties":{"a\\u0000b":"c\\u0000d"},"context":{"ip":"\\u0000"}'), headers: json, status: 200 })],
    ['raw NUL bytes', () => ({ body: Buffer.from('{"batch":\u0000[]}'), headers: json, status: 400 })],
    ['lone surrogates', () => ({ body: ev(',"properties":{"s":"\\ud800\\udc00\\ud800"}'), headers: json, status: [200, 400] })],
    ['gzip bomb (100 MB of zeros)', () => ({ body: gzipSync(Buffer.alloc(100 * 1024 * 1024)), headers: { ...json, 'content-encoding': 'gzip' }, status: 413 })],
    ['gzip that is not gzip', () => ({ body: 'definitely not gzip', headers: { ...json, 'content-encoding': 'gzip' }, status: 400 })],
    ['truncated gzip', () => ({ body: gzipSync(ev('')).subarray(0, 20), headers: { ...json, 'content-encoding': 'gzip' }, status: 400 })],
    ['msgpack array32 claiming 4G elements', () => ({ body: Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]), headers: msgpack, status: 400 })],
    ['msgpack str32 claiming 4 GB', () => ({ body: Buffer.from([0x81, 0xa5, ...Buffer.from('batch'), 0xdb, 0xff, 0xff, 0xff, 0xff, 0x41]), headers: msgpack, status: 400 })],
    ['msgpack map32 claiming 4G entries', () => ({ body: Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]), headers: msgpack, status: 400 })],
    ['msgpack bin32 claiming 4 GB', () => ({ body: Buffer.from([0xc6, 0xff, 0xff, 0xff, 0xff, 0x00]), headers: msgpack, status: 400 })],
    ['msgpack nested 10k deep', () => ({ body: Buffer.concat([Buffer.alloc(10_000, 0x91), Buffer.from([0xc0])]), headers: msgpack, status: 400 })],
    ['msgpack ext types', () => ({ body: Buffer.from([0x81, 0xa5, ...Buffer.from('batch'), 0xd4, 0xff, 0x00]), headers: msgpack, status: [400] })],
    ['unknown encoding', () => ({ body: ev(''), headers: { ...json, 'content-encoding': 'zstd' }, status: 415 })],
    ['stacked encodings', () => ({ body: ev(''), headers: { ...json, 'content-encoding': 'gzip, br' }, status: 415 })],
    // Any declared type but msgpack is read as JSON (clients label JSON many ways): XML is then a 400, a form a 415.
    ['XML under an unknown content type', () => ({ body: '<batch/>', headers: { 'content-type': 'application/xml', authorization: auth }, status: 400 })],
    ['a form body', () => ({ body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, status: 415 })],
    ['JSON declared latin1', () => ({ body: ev(''), headers: { 'content-type': 'text/plain; charset=latin1', authorization: auth }, status: 200 })],
    ['Basic with garbage', () => ({ body: ev(''), headers: { 'content-type': 'application/json', authorization: 'Basic !!!' }, status: 401 })],
    ['Basic without a key', () => ({ body: ev(''), headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(':').toString('base64')}` }, status: 401 })],
    ['Bearer without a key', () => ({ body: ev(''), headers: { 'content-type': 'application/json', authorization: 'Bearer' }, status: 401 })],
    ['unknown scheme', () => ({ body: ev(''), headers: { 'content-type': 'application/json', authorization: 'Digest username="x"' }, status: 401 })],
    ['8 KB write key', () => ({ body: ev(''), headers: { 'content-type': 'application/json', authorization: `Bearer ${'k'.repeat(8_000)}` }, status: 401 })],
    ['writeKey of the wrong type in the body', () => ({ body: '{"writeKey":{"$ne":null},"batch":[]}', headers: { 'content-type': 'application/json' }, status: 401 })],
    ['10k events', () => ({ body: `{"batch":[${Array.from({ length: 10_000 }, () => '{}').join(',')}]}`, headers: json, status: [200, 413] })],
    ['batch is not an array', () => ({ body: '{"batch":{"length":1e9}}', headers: json, status: 400 })],
    ['huge numbers and exponents', () => ({ body: ev(',"timestamp":1e308,"properties":{"n":1e999999,"m":-0}'), headers: json, status: [200, 400] })],
    ['unknown path', () => ({ path: '/v1/../../etc/passwd', body: ev(''), headers: json, status: 404 })],
  ];

  it.each(CORPUS)('corpus: %s', async (name, make) => {
    const sample = make();
    const answer = await send(sample.path ?? '/v1/batch', sample.body, sample.headers);
    expectContract(answer, name);
    if (sample.status !== undefined) expect([sample.status].flat(), `${name}: ${answer.status} ${answer.body.slice(0, 300)}`).toContain(answer.status);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await sendValid();
  });

  it('kept serving with bounded memory, and every valid event landed', async () => {
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    global.gc?.();
    const grown = process.memoryUsage().rss - rssBefore;
    expect(grown, `RSS grew by ${Math.round(grown / 2 ** 20)} MiB`).toBeLessThan(400 * 2 ** 20);
    const deadline = Date.now() + 20_000;
    let found = new Set<string>();
    while (Date.now() < deadline) {
      const rows = await (await client.query({ query: "SELECT message_id FROM sluice.events WHERE event = 'Valid'", format: 'JSONEachRow' })).json<{ message_id: string }>();
      found = new Set(rows.map((row) => row.message_id));
      if (valid.every((id) => found.has(id))) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(valid.filter((id) => !found.has(id))).toEqual([]);
    expect(valid.length).toBeGreaterThan(CORPUS.length);
  });
});
