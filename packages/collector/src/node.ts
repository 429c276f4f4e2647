import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionInfo } from './http/handler';
import { bodyStream, discardBody } from './http/node-body';

export { discardBody };

/** What the adapters need of a collector: its Fetch-API handler. */
export interface FetchHandler {
  fetch(request: Request, info?: ConnectionInfo): Promise<Response>;
}

/**
 * A node:http request listener: `http.createServer(createRequestListener(collector))`.
 * It converts `IncomingMessage` to a `Request` (the body streams, nothing is buffered here),
 * passes the socket's remote address, and writes the `Response` back.
 */
export function createRequestListener(collector: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handleNodeRequest(collector, req, res);
  };
}

/** Runs one request through the collector; `url` overrides `req.url` (mounted adapters pass the stripped path). */
export async function handleNodeRequest(collector: FetchHandler, req: IncomingMessage, res: ServerResponse, url = req.url ?? '/'): Promise<void> {
  try {
    const response = await collector.fetch(toRequest(req, url), { remoteAddress: req.socket.remoteAddress });
    discardBody(req);
    await writeResponse(res, response, req.method === 'HEAD');
  } catch (error) {
    // collector.fetch never throws; this is a socket that went away mid-write.
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ success: false, code: 'internal', message: `the response could not be written: ${String(error)}` }));
  }
}

/** `IncomingMessage` → `Request`, streaming the body. */
export function toRequest(req: IncomingMessage, url = req.url ?? '/'): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(absolute(url, req.headers.host), {
    method,
    headers,
    body: hasBody ? bodyStream(req) : undefined,
    // Required by Node's fetch for a streamed body.
    duplex: 'half',
  } as RequestInit);
}

/** `Response` → `ServerResponse`. */
export async function writeResponse(res: ServerResponse, response: Response, head = false): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  res.writeHead(response.status, headers);
  if (head || !response.body) {
    res.end();
    return;
  }
  res.end(Buffer.from(await response.arrayBuffer()));
}

function absolute(url: string, host: string | undefined): string {
  try {
    return new URL(url, `http://${host ?? 'localhost'}`).href;
  } catch {
    return new URL(url.startsWith('/') ? url : `/${url}`, 'http://localhost').href;
  }
}
