import type { Context } from '@sluice/schema';
import type { DocumentLike, NavigatorLike, WindowLike } from './platform';
import { LIBRARY } from './version';

export const pageContext = (w: WindowLike, d: DocumentLike | undefined) => {
  const l = w.location;
  return { url: l.href, path: l.pathname, title: d?.title, referrer: d?.referrer, search: l.search };
};

/** `utm_source` → `source`, …, `utm_campaign` → `name`. */
export const campaign = (search: string) => {
  const c: Record<string, string> = {};
  new URLSearchParams(search).forEach((v, k) => {
    if (k.startsWith('utm_')) c[k == 'utm_campaign' ? 'name' : k.slice(4)] = v;
  });
  return c;
};

export const context = (w: WindowLike, d: DocumentLike | undefined, n: NavigatorLike | undefined, sessionId: string): Context => {
  const s = w.screen;
  return {
    library: LIBRARY,
    page: pageContext(w, d),
    campaign: campaign(w.location.search),
    userAgent: n?.userAgent,
    locale: n?.language,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: { width: s?.width, height: s?.height, density: w.devicePixelRatio },
    sessionId,
  };
};
