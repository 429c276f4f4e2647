import { parseBatch, parseEvent, withBatchContext, type AnyTaxonomy, type EventType, type ParsedEvent, type Rejection } from '@sluice/schema';
import { CollectorError } from '../errors';
import type { EventRow, QuarantineRow } from '../rows';
import type { Sink } from '../sink';
import type { EventOutcome } from '../metrics';
import { bodyOrQueryCredential, headerCredential, type KeyStore, type WriteKeyGrant } from './auth';
import { requestIp, type IpPolicy } from './client-ip';
import type { Cors } from './cors';
import { bodyFormat, decodeBody } from './decode-body';
import type { Dedupe } from './dedupe';
import { toEventRow, toQuarantineRow } from './enrich';
import type { RateLimiter } from './rate-limit';
import type { RejectionReporter } from './rejection-report';
import type { Exchange } from './exchange';
import { readBody, type BodyLimits } from './read-body';

export interface IngestDeps {
  keys: KeyStore;
  cors: Cors;
  dedupe: Dedupe;
  sink: () => Promise<Sink>;
  taxonomy: AnyTaxonomy | undefined;
  ipPolicy: IpPolicy;
  trustProxy: boolean;
  limits: BodyLimits & { maxClockSkewMs: number; maxQuarantineRawBytes: number };
  now: () => number;
  countEvents: (outcome: EventOutcome, count: number) => void;
  rateLimiter: RateLimiter;
  rejections: RejectionReporter;
}

export interface IngestResult {
  accepted: number;
  rejected: Rejection[];
  /** The grant, so the response can carry the key's CORS headers. */
  grant: WriteKeyGrant;
}

/**
 * One `POST /v1/batch` or `/v1/<type>`: authenticate, decode, validate, enrich, drop client
 * retries, and hand the rows to the sink. Nothing is acknowledged unless the sink took all of it.
 */
export async function ingest(request: Exchange, type: EventType | undefined, remoteAddress: string | undefined, deps: IngestDeps): Promise<IngestResult> {
  let credential = headerCredential(request.headers);
  let grant = credential ? await deps.keys.authenticate(credential) : undefined;
  const format = bodyFormat(request.headers);
  const body = decodeBody(await readBody(request, deps.limits), format);
  const receivedAt = deps.now();
  if (!grant) {
    credential = bodyOrQueryCredential(body, new URL(request.url, 'http://localhost'));
    grant = await deps.keys.authenticate(credential);
  }
  deps.cors.check(request.headers.get('origin'), grant.origins, grant.project);

  const parsed = parse(body, type, deps.taxonomy);
  deps.rateLimiter.take(credential?.writeKey ?? '', parsed.events.length + parsed.rejected.length, grant.rateLimit);
  const ip = requestIp(request.headers, remoteAddress, deps.trustProxy);
  const ctx = { project: grant.project, receivedAt, sentAt: parsed.sentAt, requestIp: ip, ipPolicy: deps.ipPolicy, maxClockSkewMs: deps.limits.maxClockSkewMs };
  const rows: EventRow[] = parsed.events.map(({ event }) => toEventRow(event, ctx));
  const quarantine: QuarantineRow[] = parsed.rejected.map((rejection) =>
    toQuarantineRow(rejection, parsed.raw(rejection.index), grant.project, receivedAt, deps.limits.maxQuarantineRawBytes),
  );

  // Only ids the client chose can be retried; generated ones are new by construction.
  const clientIds = parsed.events.flatMap(({ event }, i) => (event.messageId === undefined ? [] : [{ id: event.messageId, i }]));
  const duplicate = deps.dedupe.claim(grant.project, clientIds.map((entry) => entry.id));
  const skip = new Set(clientIds.filter((_, k) => duplicate[k]).map((entry) => entry.i));
  const claimed = clientIds.filter((_, k) => !duplicate[k]).map((entry) => entry.id);
  const fresh = skip.size === 0 ? rows : rows.filter((_, i) => !skip.has(i));

  if (fresh.length > 0 || quarantine.length > 0) {
    try {
      const sink = await deps.sink();
      await sink.write({ events: fresh, quarantine });
    } catch (error) {
      deps.dedupe.release(grant.project, claimed);
      throw asSinkError(error);
    }
  }
  deps.countEvents('accepted', fresh.length);
  deps.countEvents('deduplicated', skip.size);
  deps.countEvents('rejected', quarantine.length);
  deps.rejections.report(grant.project, credential?.writeKey ?? '', parsed.rejected);
  return { accepted: rows.length, rejected: parsed.rejected, grant };
}

interface Parsed {
  events: ParsedEvent[];
  rejected: Rejection[];
  sentAt: number | undefined;
  raw: (index: number) => unknown;
}

function parse(body: unknown, type: EventType | undefined, taxonomy: AnyTaxonomy | undefined): Parsed {
  if (type === undefined) {
    const result = parseBatch(body, { taxonomy });
    if (!result.success) {
      throw new CollectorError(result.code === 'too_many_events' ? 'payload_too_large' : 'invalid_body', result.message);
    }
    const { batch, context } = body as { batch: unknown[]; context?: unknown };
    return { events: result.events, rejected: result.rejected, sentAt: result.sentAt, raw: (index) => withBatchContext(batch[index], context) };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CollectorError('invalid_body', `the body of /v1/${type} must be one event as a JSON object, such as {"userId":"u1",...}; send arrays of events to /v1/batch`);
  }
  const { writeKey: _writeKey, ...event } = body as Record<string, unknown>;
  const result = parseEvent(event, { type, taxonomy });
  return result.success
    ? { events: [{ index: 0, event: result.event }], rejected: [], sentAt: undefined, raw: () => event }
    : { events: [], rejected: [result.rejection], sentAt: undefined, raw: () => event };
}

function asSinkError(error: unknown): CollectorError {
  if (error instanceof CollectorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CollectorError('unavailable', `storage did not take the events (${message}); nothing was acknowledged, retry later`, { cause: error });
}
