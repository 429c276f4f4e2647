import { DEFAULTS } from '../defaults';
import type { CollectorError } from '../errors';
import type { Answer } from './exchange';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** `{"success":false,"code","message"}` with the status of the code; 429 and 503 carry `Retry-After`. */
export function errorResponse(error: CollectorError, headers: Record<string, string> = {}): Answer {
  const extra: Record<string, string> = { ...headers };
  if (error.status === 429 || error.status === 503) {
    extra['retry-after'] = String(error.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds);
  }
  return json(error.status, { success: false, code: error.code, message: error.message }, extra);
}
