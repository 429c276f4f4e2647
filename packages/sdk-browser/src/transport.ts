import type { Rejection } from '@sluice/schema';
import { parseRetryAfter, statusAction, type WireAction } from '@sluice/schema/wire';
import type { Entry } from './tab-queue';

export interface TransportOptions {
  url: string;
  writeKey: string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  now: () => number;
  compressMinBytes: number | false;
}

/** What one request came to: the action of the wire status table, with what the answer said. */
export interface Answer {
  action: WireAction;
  /** Events the collector listed as invalid in a 2xx. */
  rejected: number;
  /** The collector's `Retry-After`, in ms, when it sent one. */
  retryAfterMs?: number | undefined;
}

/** Bodies under this size may use `keepalive` (the browser's limit is 64 KiB in flight). */
export const KEEPALIVE_MAX = 65_000;

const encoder = new TextEncoder();

/** UTF-8 bytes of a text: its length when it is ASCII (most events), which a regex tells faster than encoding. */
export const byteLength = (text: string) => (/[^\0-\x7f]/.test(text) ? encoder.encode(text).length : text.length);

/**
 * An event's JSON in a batch whose events share the context `shared` (none by default): without
 * it when it is its context too, else whole. A batch never mixes events whose context is kept apart
 * (`Entry.context`) with events that carry theirs inside (`beforeSend`, adopted from another tab):
 * the collector merges the shared context under each event's own, key by key, and only contexts this
 * page built, which all have the same keys, override it whole.
 */
export const eventJson = (entry: Entry, shared?: string) =>
  !entry.context || entry.context === shared ? entry.head : entry.head.slice(0, -1) + ',"context":' + entry.context + '}';

/**
 * The body of `POST /v1/batch`, as text/plain JSON with the write key inside: no CORS preflight.
 * Built from each event's JSON as it was queued, so no event is serialised again to be sent. The
 * context of the first event goes once at the top (protocol.md: a batch-level `context` is merged
 * under each event's own), not once per event: the body is about a third as long.
 */
export const batchBody = (batch: Entry[], writeKey: string, now: number) => {
  const shared = batch[0]?.context;
  return (
    '{"batch":[' + batch.map((entry) => eventJson(entry, shared)).join(',') + '],' + (shared ? '"context":' + shared + ',' : '') +
    '"sentAt":"' + new Date(now).toISOString() + '","writeKey":' + JSON.stringify(writeKey) + '}'
  );
};

/** gzip through a CompressionStream fed directly: a `Blob` of the text costs Chromium more than the compression itself. */
const gzip = (bytes: Uint8Array<ArrayBuffer>) => {
  const stream = new CompressionStream('gzip');
  const writer = stream.writable.getWriter();
  Promise.all([writer.write(bytes), writer.close()]).catch(() => {}); // a failure surfaces through the readable side
  return new Response(stream.readable).arrayBuffer();
};

/**
 * Sends one batch and answers what to do next, by the status table
 * of `@sluice/schema/wire`. Never throws. `dispatch` is asked right before the request goes out
 * (after compression, which takes a while): when it answers false, nothing is sent and the answer
 * is undefined.
 */
export const createTransport = (options: TransportOptions) => async (batch: Entry[], dispatch = () => true): Promise<Answer | undefined> => {
  const text = batchBody(batch, options.writeKey, options.now());
  const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
  let data: BodyInit = text;
  // The text's length (UTF-16 units) never exceeds its UTF-8 size: a body that long is gzipped, and its bytes counted then.
  let size = text.length;
  try {
    if (options.compressMinBytes !== false && size >= options.compressMinBytes && typeof CompressionStream != 'undefined') {
      data = await gzip(encoder.encode(text));
      size = data.byteLength;
      headers['Content-Encoding'] = 'gzip';
    } else size = byteLength(text);
    if (!dispatch()) return undefined;
    const response = await options.fetch(options.url, { method: 'POST', body: data, headers, keepalive: size < KEEPALIVE_MAX, credentials: 'omit' });
    const action = statusAction(response.status);
    const rejected: Rejection[] | undefined = action == 'accept' ? (await response.json().catch(() => 0))?.rejected : undefined;
    return { action, rejected: rejected?.length || 0, retryAfterMs: parseRetryAfter(response.headers.get('Retry-After'), options.now()) };
  } catch {
    return { action: statusAction(undefined), rejected: 0 };
  }
};
