import { CollectorError, toCollectorError } from '../errors';
import type { Logger } from '../logger';
import type { CollectorMetrics } from '../metrics';
import type { Sink } from '../sink';
import { answerFrom, type Answer, type Exchange } from './exchange';
import { fetchExchange, toResponse } from './fetch-exchange';
import { errorResponse, json } from './respond';
import { countClientMetrics } from './client-metrics';
import { ingest, type IngestDeps } from './ingest';
import { matchRoute } from './routes';

/** What an adapter knows about the request that a Fetch `Request` cannot carry. */
export interface ConnectionInfo {
  /** The socket's peer address; used for `context.ip` when the event has none. */
  remoteAddress?: string;
  /** `@hono/node-server` passes its env as the second argument: the address is read from `incoming`. */
  incoming?: { socket?: { remoteAddress?: string } };
}

export interface HandlerDeps extends IngestDeps {
  basePath: string;
  metrics: CollectorMetrics;
  logger: Logger;
  /** Resolves with the sink once started; readiness asks it. */
  readySink: () => Sink | undefined;
  isClosing: () => boolean;
  track: <T>(work: Promise<T>) => Promise<T>;
  /** The query API at `/graphql` (read keys only); absent, the route answers 404 with how to turn it on. */
  graphql?: (request: Request) => Promise<Response>;
}

const ENDPOINTS =
  'POST /v1/batch, /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/group, /v1/alias (and the analytics.js aliases /v1/b, /v1/t, /v1/i, /v1/p, /v1/s, /v1/g, /v1/a, /v1/m); GET /health, /ready, /metrics; POST /graphql';

/** The core, one for every server: never throws, every failure is a JSON error answer with the right status. */
export type Core = (request: Exchange, info?: ConnectionInfo) => Promise<Answer>;

/** The Fetch-API handler over the core. */
export function fetchHandler(core: Core): (request: Request, info?: ConnectionInfo) => Promise<Response> {
  return async (request, info) => toResponse(await core(fetchExchange(request), info));
}

export function createCore(deps: HandlerDeps): Core {
  return async (request, info) => {
    const started = performance.now();
    let label = 'other';
    let response: Answer;
    try {
      const route = matchRoute(safePathname(request.url), deps.basePath);
      label = route.label;
      response = await deps.track(answer(request, route, info, deps));
    } catch (error) {
      const failure = toCollectorError(error);
      if (failure.status >= 500) deps.logger.error({ err: error, code: failure.code }, failure.message);
      else deps.logger.debug({ code: failure.code }, failure.message);
      response = errorResponse(failure, deps.cors.headersFor(request.headers.get('origin')));
    }
    deps.metrics.request(label, response.status, (performance.now() - started) / 1000);
    return response;
  };
}

async function answer(request: Exchange, route: ReturnType<typeof matchRoute>, info: ConnectionInfo | undefined, deps: HandlerDeps): Promise<Answer> {
  const method = request.method.toUpperCase();
  switch (route.kind) {
    case 'batch':
    case 'event': {
      if (method === 'OPTIONS') return deps.cors.preflight(request.headers);
      if (method !== 'POST') return notAllowed(method, 'POST, OPTIONS', route.label);
      if (deps.isClosing()) {
        throw new CollectorError('unavailable', 'the collector is shutting down; retry in a moment (against another instance if you run several)');
      }
      const result = await ingest(request, route.kind === 'event' ? route.type : undefined, remoteAddressOf(info), deps);
      return json(200, { success: true, accepted: result.accepted, rejected: result.rejected }, deps.cors.headersFor(request.headers.get('origin'), result.grant.origins));
    }
    case 'client-metrics': {
      if (method === 'OPTIONS') return deps.cors.preflight(request.headers);
      if (method !== 'POST') return notAllowed(method, 'POST, OPTIONS', route.label);
      await countClientMetrics(request, deps.limits, deps.metrics);
      return json(200, { success: true }, deps.cors.headersFor(request.headers.get('origin')));
    }
    case 'health':
      if (method !== 'GET' && method !== 'HEAD') return notAllowed(method, 'GET, HEAD', route.label);
      return json(200, { status: 'ok' });
    case 'ready': {
      if (method !== 'GET' && method !== 'HEAD') return notAllowed(method, 'GET, HEAD', route.label);
      const sink = deps.readySink();
      if (deps.isClosing()) throw new CollectorError('unavailable', 'the collector is shutting down; send traffic to another instance');
      if (!sink) throw new CollectorError('unavailable', 'the collector is still starting (connecting to ClickHouse, running migrations); retry shortly');
      if (!(await sink.ready())) {
        throw new CollectorError('unavailable', 'ClickHouse is unreachable or the buffers are full; check the ClickHouse server and the collector logs');
      }
      return json(200, { status: 'ready' });
    }
    case 'metrics':
      if (method !== 'GET' && method !== 'HEAD') return notAllowed(method, 'GET, HEAD', route.label);
      return { status: 200, headers: { 'content-type': deps.metrics.contentType }, body: await deps.metrics.text() };
    case 'graphql':
      if (!deps.graphql) {
        throw new CollectorError('not_found', 'the query API is off: it needs the collector to own its engine (not a custom sink)');
      }
      if (method !== 'GET' && method !== 'POST' && method !== 'OPTIONS') return notAllowed(method, 'GET, POST', route.label);
      return answerFrom(await deps.graphql(request.toRequest()));
    case 'unknown':
      throw new CollectorError('not_found', `no such endpoint: ${method} ${safePathname(request.url).slice(0, 200)}; this collector serves ${ENDPOINTS}${deps.basePath ? ` under ${deps.basePath}` : ''}`);
  }
}

function remoteAddressOf(info: ConnectionInfo | undefined): string | undefined {
  const address = info?.remoteAddress ?? info?.incoming?.socket?.remoteAddress;
  return typeof address === 'string' ? address : undefined;
}

function notAllowed(method: string, allow: string, path: string): Answer {
  return errorResponse(new CollectorError('method_not_allowed', `${method} is not allowed on ${path}; use ${allow}`), { allow });
}

function safePathname(url: string): string {
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return '/';
  }
}
