import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { bearerKey, type ReadGrant, type ReadKeyStore } from '../http/read-keys';
import type { Answers } from './answers';
import { QUERY_API_DEFAULTS } from './defaults';
import { costLimit, depthLimit } from './limits';
import { createResolvers, OWN_CODES, TYPE_DEFS, type GraphqlContext } from './schema';

export interface GraphqlOptions {
  answers: Answers;
  readKeys: ReadKeyStore;
  /** Where the endpoint is served, `{basePath}/graphql`. */
  endpoint: string;
  maxDepth?: number;
  maxCost?: number;
  maxBodyBytes?: number;
  logger?: Logger;
}

/**
 * `POST /graphql` (and `GET` for queries), answered by graphql-yoga with the read key's grant in
 * its context. graphql-yoga is loaded on the first request, so a collector that never serves the
 * query API never loads it.
 */
export function createGraphqlHandler(options: GraphqlOptions): (request: Request) => Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? QUERY_API_DEFAULTS.maxBodyBytes;
  const logger = options.logger ?? silentLogger;
  let yoga: Promise<{ fetch: (request: Request, context: GraphqlContext) => Promise<Response> | Response }> | undefined;
  const load = async () => {
    const { createYoga, createSchema, maskError } = await import('graphql-yoga');
    const depth = depthLimit(options.maxDepth ?? QUERY_API_DEFAULTS.maxDepth);
    const cost = costLimit(options.maxCost ?? QUERY_API_DEFAULTS.maxCost);
    return createYoga<GraphqlContext>({
      schema: createSchema<GraphqlContext>({ typeDefs: TYPE_DEFS, resolvers: createResolvers(options.answers) }),
      graphqlEndpoint: options.endpoint,
      graphiql: false,
      landingPage: false,
      batching: false,
      // Errors that say what to fix reach the client; anything else is masked (and logged).
      maskedErrors: { maskError: (error: unknown, message: string, isDev?: boolean) => (isOwnError(error) ? (error as Error) : maskError(error, message, isDev)) },
      logging: {
        debug: (...args: unknown[]) => logger.debug({ args }, 'graphql'),
        info: (...args: unknown[]) => logger.info({ args }, 'graphql'),
        warn: (...args: unknown[]) => logger.warn({ args }, 'graphql'),
        error: (...args: unknown[]) => logger.error({ args }, 'graphql'),
      },
      plugins: [
        {
          onValidate({ addValidationRule }: { addValidationRule: (rule: typeof depth) => void }) {
            addValidationRule(depth);
            addValidationRule(cost);
          },
        },
      ],
    });
  };

  return async (request) => {
    yoga ??= load();
    // A CORS preflight carries no key; it only learns which origins, methods and headers may ask.
    if (request.method.toUpperCase() === 'OPTIONS') return (await yoga).fetch(request, { grant: NO_PROJECT });
    const grant = authenticate(bearerKey(request.headers), options.readKeys);
    if (grant instanceof Response) return grant;
    const bounded = await withinBodyLimit(request, maxBodyBytes);
    if (!bounded) {
      return graphqlError(413, 'PAYLOAD_TOO_LARGE', `the GraphQL request body is larger than ${maxBodyBytes} bytes: send a shorter query (pass values as variables), or split it`);
    }
    return (await yoga).fetch(bounded, { grant });
  };
}

/** The request with its body read up to `maxBytes` (declared length or not), or `undefined` past it. */
async function withinBodyLimit(request: Request, maxBytes: number): Promise<Request | undefined> {
  if (!request.body) return request;
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return new Request(request.url, { method: request.method, headers: request.headers, body: Buffer.concat(chunks), signal: request.signal });
}

/** What a preflight runs with: no resolver runs for it, and this grant reads no project that can exist. */
const NO_PROJECT = { project: '\u0000preflight' };

/**
 * One of the errors `toGraphqlError` made, however execution wrapped it. Checked by name and code
 * rather than `instanceof`, which fails when two copies of `graphql` are loaded (ESM and CJS).
 */
function isOwnError(error: unknown): boolean {
  for (let e = error as { name?: string; extensions?: { code?: unknown }; originalError?: unknown } | undefined; e; e = e.originalError as typeof e) {
    if (e.name === 'GraphQLError' && typeof e.extensions?.code === 'string' && OWN_CODES.has(e.extensions.code)) return true;
  }
  return false;
}

/** The key's grant, or the 401 that says what to send instead. */
function authenticate(key: string | undefined, readKeys: ReadKeyStore): ReadGrant | Response {
  if (readKeys.size === 0) {
    return unauthorized('this collector has no read keys: start it with --read-key KEY=PROJECT (or readKeys: { KEY: "PROJECT" }) and send Authorization: Bearer KEY');
  }
  if (key === undefined) return unauthorized('no read key was sent: send Authorization: Bearer <read key> (a key given to --read-key, not a write key)');
  const grant = readKeys.lookup(key);
  if (grant) return grant;
  if (readKeys.isWriteKey(key)) {
    return unauthorized('that is a write key, and write keys never read (they ship inside apps): send a read key, configured with --read-key KEY=PROJECT');
  }
  return unauthorized('that read key is unknown to this collector: add it with --read-key KEY=PROJECT, or send a key it knows');
}

function unauthorized(message: string): Response {
  return graphqlError(401, 'UNAUTHENTICATED', message, { 'www-authenticate': 'Bearer realm="sluice"' });
}

function graphqlError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}
