import { CollectorError } from '../errors';
import type { Answer, HeaderSource } from './exchange';

/** `'*'` lets any origin send (write keys are public in browsers anyway); a list narrows it. Entries may be `https://*.example.com`. */
export type CorsOrigins = '*' | readonly string[];

export interface Cors {
  /** The answer to an `OPTIONS` preflight. */
  preflight(headers: HeaderSource): Answer;
  /** Headers that let a browser read the response (empty when the origin is not allowed). */
  headersFor(origin: string | null, keyOrigins?: readonly string[]): Record<string, string>;
  /** Refuses a browser request whose origin the key's allow-list (or else the collector's) does not name. */
  check(origin: string | null, keyOrigins: readonly string[] | undefined, project: string): void;
}

const ALLOWED_HEADERS = 'Authorization, Content-Type, Content-Encoding';
const MAX_AGE_SECONDS = '86400';

/**
 * CORS for the ingestion endpoints. Preflights carry no write key, so they are allowed for the
 * collector-wide origins plus every origin a static key names; the real request is then checked
 * against its key's own list when the key has one.
 */
export function createCors(origins: CorsOrigins, staticKeyOrigins: readonly string[]): Cors {
  const global = origins === '*' ? '*' : origins.map(normalize);
  const anyKey = staticKeyOrigins.map(normalize);
  const allowed = (origin: string, list: '*' | readonly string[]): boolean => list === '*' || list.some((entry) => matches(entry, origin));

  const headersFor = (origin: string | null, keyOrigins?: readonly string[]): Record<string, string> => {
    if (!origin) return {};
    const o = normalize(origin);
    const ok = keyOrigins ? allowed(o, keyOrigins.map(normalize)) : allowed(o, global) || allowed(o, anyKey);
    return ok ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
  };

  return {
    headersFor,
    preflight(requestHeaders): Answer {
      const origin = requestHeaders.get('origin');
      const headers = headersFor(origin);
      if (origin && !headers['access-control-allow-origin']) {
        const error = new CollectorError('forbidden_origin', `origin ${origin.slice(0, 200)} is not allowed to send events; add it with --cors ${origin.slice(0, 200)} (or the cors option)`);
        return {
          status: error.status,
          headers: { 'content-type': 'application/json', vary: 'Origin' },
          body: JSON.stringify({ success: false, code: error.code, message: error.message }),
        };
      }
      return {
        status: 204,
        headers: {
          ...(headers as Record<string, string>),
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': requestHeaders.get('access-control-request-headers') || ALLOWED_HEADERS,
          'access-control-max-age': MAX_AGE_SECONDS,
        },
        body: null,
      };
    },
    check(origin, keyOrigins, project) {
      if (!origin) return;
      const o = normalize(origin);
      if (keyOrigins ? allowed(o, keyOrigins.map(normalize)) : allowed(o, global)) return;
      const shown = origin.slice(0, 200);
      throw new CollectorError(
        'forbidden_origin',
        keyOrigins
          ? `origin ${shown} is not in the allow-list of this write key (project "${project}"); add it to the key's origins`
          : `origin ${shown} is not allowed to send events; add it with --cors ${shown} (or the cors option)`,
      );
    },
  };
}

function normalize(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

function matches(entry: string, origin: string): boolean {
  if (entry === '*' || entry === origin) return true;
  const star = entry.indexOf('*.');
  if (star < 0) return false;
  const prefix = entry.slice(0, star);
  const suffix = entry.slice(star + 1);
  return origin.startsWith(prefix) && origin.endsWith(suffix) && origin.length > prefix.length + suffix.length;
}
