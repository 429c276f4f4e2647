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
 * agent, time zone: `Intl.DateTimeFormat()` alone costs tens of µs) is read once. The screen is read
 * once per task (it changes only between tasks). The page URL is read per event, since
 * `history.pushState` changes it within a task, and the rest of the page (path, query, campaign) is
 * read again only when it changed; so is the title. While URL, title, screen and session stay the
 * same, events get the same JSON, serialised once, not once per event.
 */
export const createContext = (window: WindowLike, document: DocumentLike | undefined, navigator: NavigatorLike | undefined) => {
  const userAgent = navigator?.userAgent;
  const locale = navigator?.language;
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  let screen: unknown[] | undefined;
  let json: string | undefined;
  let key: unknown[] = [];
  return (sessionId: string): string => {
    if (!screen) {
      screen = [window.screen?.width, window.screen?.height, window.devicePixelRatio];
      queueMicrotask(() => (screen = undefined));
    }
    // document.URL changes with location.href (pushState included) but, unlike it, is not built anew on each read (2 µs in Chromium).
    const next = [document?.URL ?? window.location.href, document?.title, sessionId, ...screen];
    if (!json || next.some((value, i) => value !== key[i])) {
      const page = pageContext(window, document);
      const [width, height, density] = screen as (number | undefined)[];
      const context: Context = { library: LIBRARY, page, campaign: campaign(page.search), userAgent, locale, timezone, screen: { width, height, density }, sessionId };
      json = JSON.stringify(context);
      key = next;
    }
    return json;
  };
};
