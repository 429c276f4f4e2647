/** The parts of a browser the SDK touches. Tests inject their own; the defaults are the globals. */
export interface Platform {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** `localStorage`, or null when it is missing or throws on access. */
  storage: Storage | null;
  now: () => number;
  /** A uniform number in [0, 1). */
  random: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  /** Never called (the SDK cancels no timer); still accepted, for platforms written for earlier versions. */
  clearTimeout?: (id: unknown) => void;
  /** Runs a callback once the main thread is idle: `requestIdleCallback`, else a timeout of 0. */
  idle: (fn: () => void) => void;
  /** Absent during server rendering: the SDK then does nothing. */
  window?: WindowLike;
  document?: DocumentLike;
  navigator?: NavigatorLike;
}

export interface WindowLike extends EventTarget {
  location: { href: string; pathname: string; search: string };
  screen?: { width: number; height: number };
  devicePixelRatio?: number;
}

export interface DocumentLike extends EventTarget {
  /** The page's URL, as `location.href`; read to notice that it changed. */
  URL?: string;
  title: string;
  referrer: string;
  visibilityState?: string;
  cookie: string;
}

export interface NavigatorLike {
  onLine?: boolean;
  userAgent?: string;
  language?: string;
  doNotTrack?: string | null;
  globalPrivacyControl?: boolean;
  sendBeacon?: (url: string, data: string) => boolean;
}

const globals = globalThis as any;

/** Longest wait for an idle moment, in ms, before idle work runs anyway. */
export const IDLE_TIMEOUT_MS = 1_000;

/** Uniform numbers from `crypto.getRandomValues`, 256 per call to it (a call per number costs more than the number). */
const pooledRandom = () => {
  const pool = new Uint32Array(256);
  let next = pool.length;
  return () => {
    if (next == pool.length) globals.crypto.getRandomValues(pool), (next = 0);
    return pool[next++]! / 2 ** 32;
  };
};

/** The real platform, safe to call where there is no DOM (Node, SSR). */
export const browserPlatform = (): Platform => ({
  fetch: (url, init) => globals.fetch(url, init),
  storage: (() => {
    try {
      return globals.localStorage ?? null;
    } catch {
      return null; // SecurityError when cookies are disabled
    }
  })(),
  now: Date.now,
  random: globals.crypto?.getRandomValues ? pooledRandom() : Math.random,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  idle: (callback) => (globals.requestIdleCallback ? globals.requestIdleCallback(callback, { timeout: IDLE_TIMEOUT_MS }) : setTimeout(callback, 0)),
  window: globals.window,
  document: globals.document,
  navigator: globals.navigator,
});
