import type { Defaults } from './defaults';
import type { DocumentLike, NavigatorLike } from './platform';
import type { Store } from './store';

/**
 * How stale (ms) the stored last-activity time of a session may be: far below any session timeout
 * (a session may end this much early, 0.6 % of the default 30 minutes), and long enough that events
 * a few seconds apart, each in a task of its own, cost one storage write each (their queue's), not two.
 */
export const SESSION_TOUCH_MS = 10_000;

export interface IdentityOptions {
  options: Defaults;
  store: Store;
  /** Storage key prefix of this write key. */
  prefix: string;
  uuid: () => string;
  now: () => number;
  document?: DocumentLike;
  navigator?: NavigatorLike;
}

/**
 * Who is tracked and whether they may be: anonymous id (localStorage or cookie), user id, session
 * (rotated after idle time or a maximum age) and consent (opt-out flag, Do Not Track, GPC).
 * Everything is read from storage on each use, so all tabs agree; memory backs it when storage fails.
 */
export const createIdentity = ({ options, store, prefix, uuid, now, document, navigator }: IdentityOptions) => {
  const [anonymousKey, userKey, sessionKey, optOutKey] = ['a', 'u', 's', 'o'].map((name) => prefix + name) as [string, string, string, string];
  let anonymous = '';
  /** The stored session text last read or written, and its parts: id, start and last activity. */
  let session: string | undefined;
  let id = '';
  let start = 0;
  let last = 0;
  /** Do Not Track or Global Privacy Control, as read in the current task. */
  let signal: boolean | undefined;
  const cookie = options.persistence == 'cookie' && document;
  const readAnonymous = () => (cookie ? /(?:^|; )sluice_aid=([^;]+)/.exec(document.cookie)?.[1] : store.get(anonymousKey));
  const writeAnonymous = (id: string) =>
    cookie
      ? (document.cookie = `sluice_aid=${id};path=/;max-age=31536000;samesite=lax${options.cookieDomain && ';domain=' + options.cookieDomain}`)
      : store.set(anonymousKey, id);
  const anonymousId = () => {
    const stored = readAnonymous();
    if (stored) return (anonymous = stored);
    writeAnonymous((anonymous ||= uuid()));
    return anonymous;
  };
  return {
    anonymousId,
    userId: () => store.get(userKey) || undefined,
    setUserId: (id: string) => store.set(userKey, id),
    /** The current session id, extending it (or starting a new one). */
    session() {
      const time = now();
      const stored = store.get(sessionKey) || '';
      // A burst reads the same stored text: it is split once, not once per event.
      if (stored !== session) {
        const parts = (session = stored).split(' ');
        (id = parts[0]!), (start = +parts[1]!), (last = +parts[2]!);
      }
      if (!id || time - last > options.sessionTimeoutMs || time - start > options.sessionMaxMs) (id = uuid()), (start = time), (last = NaN);
      // A storage write costs more than the rest of track(): the last-activity time is written at most once per SESSION_TOUCH_MS.
      if (!(time - last < SESSION_TOUCH_MS)) store.set(sessionKey, (session = `${id} ${start} ${(last = time)}`));
      return id;
    },
    optedOut() {
      const flag = store.get(optOutKey);
      // Reading the browser's signals costs Chromium about 0.7 µs: read once per task, as storage is.
      if (signal == null) (signal = navigator?.doNotTrack == '1' || !!navigator?.globalPrivacyControl), queueMicrotask(() => (signal = undefined));
      return flag == '1' || (flag != '0' && options.respectDoNotTrack && signal);
    },
    /** Records consent: true opts in (also over DNT/GPC), false opts out. */
    consent: (yes: boolean) => store.set(optOutKey, yes ? '0' : '1'),
    reset() {
      store.del(userKey);
      store.del(sessionKey);
      writeAnonymous((anonymous = uuid()));
    },
  };
};
