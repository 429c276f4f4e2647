import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answer, Exchange } from './http/exchange';
import type { ConnectionInfo } from './http/handler';
import { bodyStream, discardBody, nodeExchange } from './http/node-body';

export { discardBody };

/** What the adapters need of a collector: its Fetch-API handler, and its core without the Fetch types when it has one. */
export interface FetchHandler {
  fetch(request: Request, info?: ConnectionInfo): Promise<Response>;
  answer?(request: Exchange, info?: ConnectionInfo): Promise<Answer>;
}

/**
 * A node:http request listener: `http.createServer(createRequestListener(collector))`.
 * The body is read straight into a Buffer and the answer written as a string; no Fetch `Request` or
 * `Response` is built unless the collector only offers `fetch`.
 */
export function createRequestListener(collector: FetchHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handleNodeRequest(collector, req, res);
  };
}

/** Runs one request through the collector; `url` overrides `req.url` (mounted adapters pass the stripped path). */
export async function handleNodeRequest(collector: FetchHandler, req: IncomingMessage, res: ServerResponse, url = req.url ?? '/'): Promise<void> {
  try {
    const answer = await answerNode(collector, req, url);
    discardBody(req);
    res.writeHead(answer.status, answer.headers);
    res.end(req.method === 'HEAD' ? undefined : (answer.body ?? undefined));
  } catch (error) {
    // The core never throws; this is a socket that went away mid-write.
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ success: false, code: 'internal', message: `the response could not be written: ${String(error)}` }));
  }
}

/** The collector's answer to a node:http request, through its core when it has one, else through `fetch`. */
export async function answerNode(collector: FetchHandler, req: IncomingMessage, url = req.url ?? '/'): Promise<Answer> {
  const info = { remoteAddress: req.socket.remoteAddress };
  if (collector.answer) return collector.answer(nodeExchange(req, url, () => toRequest(req, url)), info);
  const response = await collector.fetch(toRequest(req, url), info);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return { status: response.status, headers, body: response.body ? new Uint8Array(await response.arrayBuffer()) : null };
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

/** `Response` → `ServerResponse`, for servers that hold a Fetch `Response`. */
export async function writeResponse(res: ServerResponse, response: Response, head = false): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  res.writeHead(response.status, headers);
  res.end(head || !response.body ? undefined : Buffer.from(await response.arrayBuffer()));
}

function absolute(url: string, host: string | undefined): string {
  try {
    return new URL(url, `http://${host ?? 'localhost'}`).href;
  } catch {
    return new URL(url.startsWith('/') ? url : `/${url}`, 'http://localhost').href;
  }
}
