import { bearerKey, type ReadGrant, type ReadKeyStore } from '../http/read-keys';

/** The cookie the login form sets: a hash that stands for the read key, never the key itself. */
export const SESSION_COOKIE = 'sluice_read';
/** How long the login lasts in the browser. */
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;

/** The grant of a request: `Authorization: Bearer <read key>` first, then the session cookie. */
export function requestGrant(request: Request, keys: ReadKeyStore): ReadGrant | undefined {
  const key = bearerKey(request.headers);
  if (key !== undefined) return keys.lookup(key);
  const cookie = cookieValue(request.headers.get('cookie'), SESSION_COOKIE);
  return cookie === undefined ? undefined : keys.lookupSession(cookie);
}

export function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * `Set-Cookie` for a login: HttpOnly (page scripts cannot read it), SameSite=Strict (other sites'
 * requests do not carry it), scoped to the dashboard's path, Secure over HTTPS.
 */
export function sessionCookie(value: string, path: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=${path || '/'}; Max-Age=${SESSION_MAX_AGE_S}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedCookie(path: string, secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=${path || '/'}; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** HTTPS as the browser sees it: the URL, or `X-Forwarded-Proto` from a proxy in front. */
export function isSecure(request: Request, url: URL): boolean {
  return url.protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}
