import type { EventName, PropertiesArgs, Properties, Traits, WireEvent } from '@sluice/schema';
import { context, pageContext } from './context';
import { DEFAULTS } from './defaults';
import { browserPlatform, type Platform } from './platform';
import { createIdentity } from './identity';
import { createStore } from './store';
import { createTabQueue, type Stats } from './tab-queue';
import { body, bytes, createTransport } from './transport';
import { uuidV7 } from './uuid-v7';

export type Options = Partial<typeof DEFAULTS> & {
  /** The project's write key. */
  writeKey: string;
  /** The collector's base URL, e.g. `https://collect.example.com` or `/collect`. */
  endpoint: string;
  /** Redact, enrich, sample or drop (return null) each event before it is queued. */
  beforeSend?: (event: WireEvent) => WireEvent | null | undefined | false;
  /** Replace parts of the browser, for tests. */
  platform?: Partial<Platform>;
};

export interface Analytics<T = undefined> {
  track<N extends EventName<T>>(event: N, ...properties: PropertiesArgs<T, N>): void;
  page(name?: string, properties?: Properties): void;
  identify(userId: string, traits?: Traits<T>): void;
  group(groupId: string, traits?: Properties): void;
  /** Links `newId` to the current user id (or anonymous id), as Segment's `alias`. */
  alias(newId: string): void;
  /** Forgets the user id, starts a new anonymous id and a new session (call on logout). */
  reset(): void;
  /** Sends every queued event now; resolves when done, or when sending paused (offline, retry wait). */
  flush(): Promise<void>;
  /** Stops tracking and drops this tab's queue; remembered across visits. */
  optOut(): void;
  /** Resumes tracking, also overriding Do Not Track / Global Privacy Control. */
  optIn(): void;
  /** Live counters. */
  readonly stats: Stats;
}

/**
 * Creates the SDK. Pass your taxonomy's type for checked `track()` calls:
 * `createAnalytics<typeof taxonomy>({ writeKey, endpoint })`.
 */
export const createAnalytics = <T = undefined>(options: Options): Analytics<T> => {
  const o = { ...DEFAULTS, ...options };
  const pf = { ...browserPlatform(), ...o.platform };
  const { window: w, document: d, navigator: n, now, random } = pf;
  const stats: Stats = { sent: 0, dropped: 0, rejected: 0 };
  const st = createStore(pf.storage);
  const p = 'sluice:' + o.writeKey + ':';
  const uuid = () => uuidV7(now(), random);
  const queue = createTabQueue({ store: st, prefix: p, tabId: uuid(), now, maxEvents: o.maxStoredEvents, maxBytes: o.maxStoredBytes, staleMs: o.tabStaleMs, stats });
  const url = o.endpoint.replace(/\/$/, '') + '/v1/batch';
  const post = createTransport({ url, writeKey: o.writeKey, fetch: pf.fetch, now, compressMinBytes: o.compression && o.compressMinBytes, stats });
  const id = createIdentity({ options: o, store: st, prefix: p, uuid, now, document: d, navigator: n });
  const online = () => n?.onLine !== false;
  const later = (f: () => void, ms: number) => pf.setTimeout(f, ms);

  // ---- delivery ----
  let flying = new Set<string>();
  let until = 0;
  let fails = 0;
  let chain = Promise.resolve();
  /** The oldest events not in flight, within the batch limits. */
  const nextBatch = () => {
    const b: WireEvent[] = [];
    let size = 200;
    for (const e of queue.load()) {
      if (flying.has(e.messageId)) continue;
      size += bytes(JSON.stringify(e)) + 1;
      if (b.length && (size > o.maxBatchBytes || b.length >= 2000)) break;
      b.push(e);
    }
    return b;
  };
  const ids = (b: WireEvent[]) => new Set(b.map((e) => e.messageId));
  const ready = () => w && online() && now() >= until;
  const drain = async () => {
    for (let b; ready() && (b = nextBatch()).length; ) {
      flying = ids(b);
      const r = await post(b);
      flying = new Set();
      if (r !== true && !online()) return; // paused until 'online'
      if (r !== true && ++fails < o.retryAttempts) {
        const wait = Math.max(r, Math.min(o.retryCapMs, o.retryBaseMs * 2 ** (fails - 1)) * (0.5 + random() / 2));
        until = now() + wait;
        later(flush, wait);
        return;
      }
      if (r !== true) stats.dropped += b.length;
      fails = 0;
      queue.remove(ids(b));
    }
  };
  const flush = () => (chain = chain.then(drain, drain));
  /** On unload or hide: hand the queue to the browser, which sends it even after the page is gone. */
  const beacon = () => {
    for (let b; ready() && n?.sendBeacon && (b = nextBatch()).length; ) {
      if (!n.sendBeacon(url, body(b, o.writeKey, now()))) return;
      queue.remove(ids(b));
    }
  };
  const tick = () => {
    queue.tick();
    flush();
    later(tick, o.flushIntervalMs);
  };

  // ---- events ----
  const send = (type: WireEvent['type'], fields: Partial<WireEvent>) => {
    if (!w || id.optedOut()) return;
    const full: WireEvent = {
      type,
      messageId: uuid(),
      timestamp: new Date(now()).toISOString(),
      anonymousId: id.anonymousId(),
      userId: id.userId(),
      ...fields,
      context: context(w, d, n, id.session()),
    };
    const e = o.beforeSend ? o.beforeSend(full) : full;
    if (!e) return;
    try {
      if (bytes(JSON.stringify(e)) > o.maxEventBytes) throw 0;
    } catch {
      stats.dropped++;
      return;
    }
    if (queue.push(e) >= o.flushAt) flush();
  };

  const api: Analytics<T> = {
    track: (event, ...[properties]) => send('track', { event, properties: properties as Properties }),
    page: (name, properties) => send('page', { name, properties: { ...(w && pageContext(w, d)), ...properties } }),
    identify(userId, traits) {
      id.setUserId(userId);
      send('identify', { userId, traits: traits as Properties });
    },
    group: (groupId, traits) => send('group', { groupId, traits }),
    alias: (newId) => send('alias', { userId: newId, previousId: id.userId() || id.anonymousId() }),
    reset: id.reset,
    flush,
    optOut() {
      id.consent(false);
      queue.update((q) => (q.length = 0));
    },
    optIn: () => id.consent(true),
    stats,
  };

  if (w) {
    const on = (t: EventTarget | undefined, type: string, f: () => void) => t?.addEventListener(type, f);
    on(w, 'pagehide', beacon);
    on(d, 'visibilitychange', () => d!.visibilityState == 'hidden' && beacon());
    on(w, 'online', flush);
    queue.tick(); // claim queues that closed tabs left; they are adopted on the next tick
    later(tick, o.flushIntervalMs);
    if (o.autoPage) api.page();
  }
  return api;
};
