import { createHash, timingSafeEqual } from 'node:crypto';
import { CollectorError } from '../errors';
import type { HeaderSource } from './exchange';
import type { RateLimit } from './rate-limit';

/** What a write key grants: the project its events are stored under, and optionally the browser origins allowed to use it. */
export interface WriteKeyGrant {
  project: string;
  /** Origins allowed to send with this key from a browser; when absent, the collector-wide CORS list applies. */
  origins?: string[];
  /** This key's own rate limit, instead of the collector's `rateLimit`. */
  rateLimit?: RateLimit;
}

/**
 * Write keys: a map from key to project (or to a grant), or a function for dynamic lookup that
 * resolves to the project, a grant, or `undefined` for an unknown key. A function is responsible
 * for its own constant-time comparison.
 */
export type WriteKeys =
  | Record<string, string | WriteKeyGrant>
  | ((writeKey: string) => Promise<string | WriteKeyGrant | undefined | null> | string | WriteKeyGrant | undefined | null);

export type CredentialSource = 'basic' | 'bearer' | 'body' | 'query';

export interface Credential {
  writeKey: string;
  source: CredentialSource;
}

/**
 * The write key from the `Authorization` header, Basic `base64(writeKey:)` first, then Bearer.
 * `undefined` when the header is absent, so the body and the query string are tried next.
 */
export function headerCredential(headers: HeaderSource): Credential | undefined {
  const header = headers.get('authorization')?.trim();
  if (!header) return undefined;
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const writeKey = colon < 0 ? decoded : decoded.slice(0, colon);
    if (writeKey) return { writeKey, source: 'basic' };
  } else if (scheme === 'bearer' && value) {
    return { writeKey: value, source: 'bearer' };
  }
  throw new CollectorError(
    'unauthorized',
    'the Authorization header is not "Basic base64(writeKey:)" or "Bearer writeKey"; send the write key in one of those forms',
  );
}

/** The key from the body (`writeKey`) or, last, the query string, as `navigator.sendBeacon` must. */
export function bodyOrQueryCredential(body: unknown, url: URL): Credential | undefined {
  if (typeof body === 'object' && body !== null && typeof (body as { writeKey?: unknown }).writeKey === 'string') {
    const writeKey = (body as { writeKey: string }).writeKey;
    if (writeKey) return { writeKey, source: 'body' };
  }
  const query = url.searchParams.get('writeKey');
  return query ? { writeKey: query, source: 'query' } : undefined;
}

export interface KeyStore {
  /** The grant of a key, or a 401 that says how to add it. */
  authenticate(credential: Credential | undefined): Promise<WriteKeyGrant>;
  /** Every origin named by a static key's allow-list (preflights carry no key, so they check this union). */
  readonly keyOrigins: readonly string[];
}

export function createKeyStore(writeKeys: WriteKeys): KeyStore {
  const lookup = typeof writeKeys === 'function' ? writeKeys : staticLookup(writeKeys);
  const keyOrigins =
    typeof writeKeys === 'function'
      ? []
      : Object.values(writeKeys).flatMap((grant) => (typeof grant === 'string' ? [] : (grant.origins ?? [])));
  const empty = typeof writeKeys !== 'function' && Object.keys(writeKeys).length === 0;

  return {
    keyOrigins,
    async authenticate(credential) {
      if (!credential) {
        throw new CollectorError(
          'unauthorized',
          empty
            ? 'this collector has no write keys yet; start it with --write-key KEY=PROJECT (or writeKeys: { KEY: "PROJECT" }) and send the key'
            : 'no write key was sent; send it as "Authorization: Basic base64(writeKey:)", as a Bearer token, or as "writeKey" in the body or query string',
        );
      }
      const found = await lookup(credential.writeKey);
      if (found === undefined || found === null) {
        const shown = redact(credential.writeKey);
        const flag = shown === credential.writeKey ? shown : 'KEY';
        throw new CollectorError(
          'unauthorized',
          `write key "${shown}" is unknown to this collector; add it with --write-key ${flag}=PROJECT (or writeKeys: { "${flag}": "PROJECT" }), or send a key it knows`,
        );
      }
      return typeof found === 'string' ? { project: found } : found;
    },
  };
}

/** Compares the key's hash with every configured key's hash, without stopping early, so timing says nothing about how close a guess was. */
function staticLookup(writeKeys: Record<string, string | WriteKeyGrant>): (key: string) => WriteKeyGrant | undefined {
  const entries = Object.entries(writeKeys).map(([key, grant]) => ({
    hash: sha256(key),
    grant: typeof grant === 'string' ? { project: grant } : grant,
  }));
  return (key) => {
    const hash = sha256(key);
    let match: WriteKeyGrant | undefined;
    for (const entry of entries) {
      if (timingSafeEqual(entry.hash, hash) && match === undefined) match = entry.grant;
    }
    return match;
  };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Enough of a key to recognise it in a message, not enough to leak a long secret into logs. */
function redact(key: string): string {
  const printable = key.replace(/[^\x20-\x7e]/g, '?');
  return printable.length <= 12 ? printable : `${printable.slice(0, 8)}…`;
}
