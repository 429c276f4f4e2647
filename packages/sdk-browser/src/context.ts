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

/**
 * Returns the builder of each event's `context`. What cannot change while the page lives (user
 * agent, time zone: `Intl.DateTimeFormat()` alone costs tens of µs) is read once; the page, campaign
 * and screen are read per event (the campaign parsed again only when the query string changes), and
 * each event gets its own objects, so a `beforeSend` that edits one never edits the next.
 */
export const createContext = (window: WindowLike, document: DocumentLike | undefined, navigator: NavigatorLike | undefined) => {
  const userAgent = navigator?.userAgent;
  const locale = navigator?.language;
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  let search: string | undefined;
  let utm: Record<string, string> = {};
  return (sessionId: string): Context => {
    const screen = window.screen;
    const page = pageContext(window, document);
    if (page.search !== search) utm = campaign((search = page.search));
    return {
      library: { ...LIBRARY },
      page,
      campaign: { ...utm },
      userAgent,
      locale,
      timezone,
      screen: { width: screen?.width, height: screen?.height, density: window.devicePixelRatio },
      sessionId,
    };
  };
};
