import type { Defaults } from './defaults';
import type { DocumentLike, NavigatorLike } from './platform';
import type { Store } from './store';

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
export const createIdentity = ({ options: o, store: st, prefix: p, uuid, now, document: d, navigator: n }: IdentityOptions) => {
  let anon = '';
  const cookie = o.persistence == 'cookie' && d;
  const readAnon = () => (cookie ? /(?:^|; )sluice_aid=([^;]+)/.exec(d.cookie)?.[1] : st.get(p + 'a'));
  const writeAnon = (v: string) =>
    cookie ? (d.cookie = `sluice_aid=${v};path=/;max-age=31536000;samesite=lax${o.cookieDomain && ';domain=' + o.cookieDomain}`) : st.set(p + 'a', v);
  const anonymousId = () => {
    const v = readAnon();
    if (v) return (anon = v);
    writeAnon((anon ||= uuid()));
    return anon;
  };
  return {
    anonymousId,
    userId: () => st.get(p + 'u') || undefined,
    setUserId: (id: string) => st.set(p + 'u', id),
    /** The current session id, extending it (or starting a new one). */
    session() {
      const t = now();
      let [id, start, last] = (st.get(p + 's') || '').split(' ');
      if (!id || t - Number(last) > o.sessionTimeoutMs || t - Number(start) > o.sessionMaxMs) (id = uuid()), (start = '' + t);
      st.set(p + 's', `${id} ${start} ${t}`);
      return id;
    },
    optedOut() {
      const f = st.get(p + 'o');
      return f == '1' || (f != '0' && o.respectDoNotTrack && (n?.doNotTrack == '1' || !!n?.globalPrivacyControl));
    },
    /** Records consent: true opts in (also over DNT/GPC), false opts out. */
    consent: (yes: boolean) => st.set(p + 'o', yes ? '0' : '1'),
    reset() {
      st.del(p + 'u');
      st.del(p + 's');
      writeAnon((anon = uuid()));
    },
  };
};
