import type { Rejection } from '@sluice/schema';
import { parseRetryAfter, statusAction } from '@sluice/schema/wire';
import type { Platform } from './platform';
import { unref } from './platform';

/**
 * What one `POST /v1/batch` came to: the action of `@sluice/schema/wire`'s status table (the same
 * one the browser SDK follows), or `aborted` by the shutdown deadline.
 */
export type SendOutcome =
  | { kind: 'accept'; rejected: Rejection[] }
  | { kind: 'retry'; status: number | undefined; retryAfterMs: number | undefined; reason: string; cause?: unknown }
  | { kind: 'split'; status: number; reason: string }
  | { kind: 'drop'; status: number; reason: string }
  | { kind: 'aborted' };

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
  timeoutMs: number;
  /** Aborts the request for good (shutdown deadline). */
  signal: AbortSignal;
}

/**
 * Sends one request and classifies the answer. Never throws. The timeout covers the whole exchange,
 * reading the response body included, so a server that stalls after its headers is caught too.
 */
export async function sendRequest(platform: Platform, request: SendRequest): Promise<SendOutcome> {
  if (request.signal.aborted) return { kind: 'aborted' };
  const controller = new AbortController();
  let timedOut = false;
  const timer = platform.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  unref(timer);
  const onAbort = () => controller.abort();
  request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await platform.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body as Uint8Array<ArrayBuffer>,
      signal: controller.signal,
    });
    const text = await response.text();
    const status = response.status;
    const action = statusAction(status);
    if (action === 'accept') return { kind: action, rejected: parseRejected(text) };
    const reason = `${status} ${errorMessage(text)}`;
    if (action === 'retry') return { kind: action, status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), platform.now()), reason };
    return { kind: action, status, reason };
  } catch (error) {
    if (request.signal.aborted) return { kind: 'aborted' };
    const reason = timedOut ? `no answer within ${request.timeoutMs} ms` : `network error: ${describe(error)}`;
    return { kind: 'retry', status: undefined, retryAfterMs: undefined, reason, cause: error };
  } finally {
    platform.clearTimeout(timer);
    request.signal.removeEventListener('abort', onAbort);
  }
}

function parseRejected(text: string): Rejection[] {
  if (!text.includes('"rejected"')) return [];
  try {
    const body = JSON.parse(text) as { rejected?: unknown };
    return Array.isArray(body.rejected) ? (body.rejected as Rejection[]) : [];
  } catch {
    return [];
  }
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.message === 'string') return typeof body.code === 'string' ? `${body.code}: ${body.message}` : body.message;
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}
