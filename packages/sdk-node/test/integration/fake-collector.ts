import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { unpack } from 'msgpackr';
import type { WireBatch } from '@sluice/schema';

/** One request as the test server received it, decoded. */
export interface ReceivedRequest {
  /** `performance.now()` when the request's headers arrived. */
  at: number;
  /** `Date.now()` when the request's headers arrived. */
  wallAt: number;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Raw body bytes as they crossed the socket. */
  raw: Buffer;
  body: WireBatch;
}

/** What the server does with a request: answer, cut the connection, or never answer. */
export type Plan =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | 'reset'
  | 'stall';

export interface FakeCollector {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** messageIds of the events in requests answered 2xx (minus listed rejections), in order. */
  acceptedIds(): string[];
  close(): Promise<void>;
}

/**
 * A misbehaving collector on loopback, real sockets. `plan` decides per request (numbered from 0).
 * The default answers 200 with every event accepted.
 */
export async function startFakeCollector(plan: (request: ReceivedRequest, index: number) => Plan = () => ok()): Promise<FakeCollector> {
  const requests: ReceivedRequest[] = [];
  const accepted: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const at = performance.now();
    const wallAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let decoded = raw;
      if (req.headers['content-encoding'] === 'gzip') decoded = gunzipSync(raw);
      const body = (req.headers['content-type'] === 'application/msgpack' ? unpack(decoded) : JSON.parse(decoded.toString('utf8'))) as WireBatch;
      const received: ReceivedRequest = { at, wallAt, method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body };
      const index = requests.length;
      requests.push(received);
      const action = plan(received, index);
      if (action === 'reset') {
        req.socket.destroy();
        return;
      }
      if (action === 'stall') return;
      if (action.status >= 200 && action.status < 300) {
        const rejectedIdx = new Set(((action.body as { rejected?: { index: number }[] } | undefined)?.rejected ?? []).map((r) => r.index));
        body.batch.forEach((event, i) => {
          if (!rejectedIdx.has(i)) accepted.push(event.messageId);
        });
      }
      const payload = JSON.stringify(action.body ?? { success: true, accepted: body.batch.length, rejected: [] });
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      res.end(payload);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    acceptedIds: () => [...accepted],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function ok(): Plan {
  return { status: 200 };
}

/** A port with nothing listening: bind to 0, note the port, close. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export function ids(requests: ReceivedRequest[]): string[] {
  return requests.flatMap((request) => request.body.batch.map((event) => event.messageId));
}
