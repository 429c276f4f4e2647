import { createHash, timingSafeEqual } from 'node:crypto';
import { CollectorError } from '../errors';

/**
 * Read keys: key → the project it reads, or `'*'` for every project. A read key opens the
 * dashboard and `POST /graphql`; it never writes, and a write key never reads.
 */
export type ReadKeys = Record<string, string>;

/** What a read key grants: one project, or every project (`undefined`). */
export interface ReadGrant {
  project: string | undefined;
}

/** Every project: what `--read-key KEY` (without `=PROJECT`) and `--dashboard-key KEY` grant. */
export const ALL_PROJECTS = '*';

export const MIN_READ_KEY_LENGTH = 8;

export interface ReadKeyStore {
  /** The grant of a key, or `undefined` for a key this collector does not know as a read key. */
  lookup(key: string): ReadGrant | undefined;
  /** The grant of a session cookie's value (a hash of the key, never the key itself). */
  lookupSession(value: string): ReadGrant | undefined;
  /** The cookie value that stands for a key: `v1.` + SHA-256, so the cookie does not carry the key. */
  sessionValue(key: string): string;
  /** Whether this key is a write key of the same collector (to say so in the error). */
  isWriteKey(key: string): boolean;
  readonly size: number;
}

/** Checks every read key once, at startup: long enough, and never also a write key. */
export function createReadKeyStore(readKeys: ReadKeys, writeKeys: readonly string[] = []): ReadKeyStore {
  const writes = new Set(writeKeys);
  const entries = Object.entries(readKeys).map(([key, project]) => {
    if (key.length < MIN_READ_KEY_LENGTH) {
      throw new CollectorError('config', `read key "${key.slice(0, 3)}…" must be at least ${MIN_READ_KEY_LENGTH} characters long: choose a longer --read-key`);
    }
    if (writes.has(key)) {
      throw new CollectorError('config', 'a read key is also a write key: choose a separate --read-key, because write keys ship inside browsers and apps');
    }
    if (typeof project !== 'string' || project === '') {
      throw new CollectorError('config', 'every read key needs a project, or "*" for every project: --read-key KEY=PROJECT');
    }
    return { hash: sha256(key), session: sessionValue(key), grant: { project: project === ALL_PROJECTS ? undefined : project } };
  });
  const find = (hash: Buffer, pick: (entry: (typeof entries)[number]) => Buffer): ReadGrant | undefined => {
    let match: ReadGrant | undefined;
    for (const entry of entries) if (timingSafeEqual(pick(entry), hash) && match === undefined) match = entry.grant;
    return match;
  };
  return {
    size: entries.length,
    lookup: (key) => find(sha256(key), (entry) => entry.hash),
    lookupSession(value) {
      const bytes = Buffer.from(value, 'utf8');
      return bytes.length === 46 ? find(bytes, (entry) => Buffer.from(entry.session, 'utf8')) : undefined;
    },
    sessionValue,
    isWriteKey: (key) => writes.has(key),
  };
}

function sessionValue(key: string): string {
  return `v1.${createHash('sha256').update(`sluice-read-session:${key}`, 'utf8').digest('base64url').slice(0, 43)}`;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** `Authorization: Bearer KEY`, or `undefined`. */
export function bearerKey(headers: Headers): string | undefined {
  const header = headers.get('authorization');
  if (header === null) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header.trim())?.[1];
}

/** Merges `--read-key KEY[=PROJECT]` specs into `keys`; a spec without a project reads every project. */
export function addReadKeySpec(keys: ReadKeys, spec: string, from: string): void {
  const eq = spec.indexOf('=');
  const key = (eq < 0 ? spec : spec.slice(0, eq)).trim();
  const project = (eq < 0 ? ALL_PROJECTS : spec.slice(eq + 1)).trim();
  if (!key || !project) throw new CollectorError('config', `${from} "${spec}" is not KEY or KEY=PROJECT`);
  keys[key] = project;
}
