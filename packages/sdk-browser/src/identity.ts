import type { Defaults } from './defaults';
import type { DocumentLike, NavigatorLike } from './platform';
import type { Store } from './store';

/** How stale (ms) the stored last-activity time of a session may be: far below any session timeout. */
export const SESSION_TOUCH_MS = 1_000;

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
  let anonymous = '';
  const cookie = options.persistence == 'cookie' && document;
  const readAnonymous = () => (cookie ? /(?:^|; )sluice_aid=([^;]+)/.exec(document.cookie)?.[1] : store.get(prefix + 'a'));
  const writeAnonymous = (id: string) =>
    cookie
      ? (document.cookie = `sluice_aid=${id};path=/;max-age=31536000;samesite=lax${options.cookieDomain && ';domain=' + options.cookieDomain}`)
      : store.set(prefix + 'a', id);
  const anonymousId = () => {
    const stored = readAnonymous();
    if (stored) return (anonymous = stored);
    writeAnonymous((anonymous ||= uuid()));
    return anonymous;
  };
  return {
    anonymousId,
    userId: () => store.get(prefix + 'u') || undefined,
    setUserId: (id: string) => store.set(prefix + 'u', id),
    /** The current session id, extending it (or starting a new one). */
    session() {
      const time = now();
      let [id, start, last] = (store.get(prefix + 's') || '').split(' ');
      if (!id || time - Number(last) > options.sessionTimeoutMs || time - Number(start) > options.sessionMaxMs) (id = uuid()), (start = '' + time), (last = '');
      // A storage write costs more than the rest of track(): the last-activity time is written at most once per SESSION_TOUCH_MS.
      if (!(time - Number(last) < SESSION_TOUCH_MS)) store.set(prefix + 's', `${id} ${start} ${time}`);
      return id;
    },
    optedOut() {
      const flag = store.get(prefix + 'o');
      return flag == '1' || (flag != '0' && options.respectDoNotTrack && (navigator?.doNotTrack == '1' || !!navigator?.globalPrivacyControl));
    },
    /** Records consent: true opts in (also over DNT/GPC), false opts out. */
    consent: (yes: boolean) => store.set(prefix + 'o', yes ? '0' : '1'),
    reset() {
      store.del(prefix + 'u');
      store.del(prefix + 's');
      writeAnonymous((anonymous = uuid()));
    },
  };
};
