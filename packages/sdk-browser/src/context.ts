import type { Context } from '@sluice/schema';
import type { DocumentLike, NavigatorLike, WindowLike } from './platform';
import { LIBRARY } from './version';

export const pageContext = (window: WindowLike, document: DocumentLike | undefined) => {
  const location = window.location;
  return { url: location.href, path: location.pathname, title: document?.title, referrer: document?.referrer, search: location.search };
};

/** `utm_source` → `source`, …, `utm_campaign` → `name`. */
export const campaign = (search: string) => {
  const fields: Record<string, string> = {};
  new URLSearchParams(search).forEach((value, key) => {
    if (key.startsWith('utm_')) fields[key == 'utm_campaign' ? 'name' : key.slice(4)] = value;
  });
  return fields;
};

export const context = (window: WindowLike, document: DocumentLike | undefined, navigator: NavigatorLike | undefined, sessionId: string): Context => {
  const screen = window.screen;
  return {
    library: LIBRARY,
    page: pageContext(window, document),
    campaign: campaign(window.location.search),
    userAgent: navigator?.userAgent,
    locale: navigator?.language,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: { width: screen?.width, height: screen?.height, density: window.devicePixelRatio },
    sessionId,
  };
};
