import { once } from 'node:events';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySink } from '../test/support/http-memory-sink';
import { createCollector } from './collector';
import { createRequestListener } from './node';

const sink = createMemorySink();
const collector = createCollector({ writeKeys: { k: 'p' }, sink });
const server = createServer(createRequestListener(collector));
let base = '';
const auth = `Basic ${btoa('k:')}`;

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await collector.close();
});

describe('node:http adapter', () => {
  it('keeps one keep-alive connection usable after refusing bodies early', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const send = (headers: Record<string, string>, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${base}/v1/batch`, { method: 'POST', agent, headers }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    const statuses = [
      await send({ authorization: auth, 'content-encoding': 'zstd' }, '<a/>'),
      await send({ authorization: 'Bearer unknown' }, 'x'.repeat(100_000)),
      await send({ authorization: auth }, 'x'.repeat(600 * 1024)),
      await send({ authorization: auth, 'transfer-encoding': 'chunked' }, 'x'.repeat(600 * 1024)),
      await send({ authorization: auth }, '{"batch":'),
      await send({ authorization: auth }, JSON.stringify({ batch: [{ type: 'track', event: 'E', userId: 'u' }] })),
    ];
    expect(statuses).toEqual([415, 401, 413, 413, 400, 200]);
    expect(sockets.size).toBe(1);
    expect(sink.events).toHaveLength(1);
    agent.destroy();
  });

  it('passes the socket address, the method and the path', async () => {
    const res = await fetch(`${base}/v1/track`, { method: 'POST', headers: { authorization: auth }, body: JSON.stringify({ event: 'E', userId: 'u', messageId: 'addr' }) });
    expect(res.status).toBe(200);
    expect(sink.events.find((row) => row.message_id === 'addr')?.context.ip).toBe('127.0.0.0');
  });

  it('answers HEAD without a body', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/health`, { method: 'HEAD' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});
