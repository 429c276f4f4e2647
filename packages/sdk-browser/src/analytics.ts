import type { EventName, PropertiesArgs, Properties, Traits, WireEvent } from '@sluice/schema';
import { createUuidV7, MAX_BATCH_EVENTS, retryDelay } from '@sluice/schema/wire';
import { createContext, pageContext } from './context';
import { DEFAULTS } from './defaults';
import { browserPlatform, type Platform } from './platform';
import { createIdentity } from './identity';
import { createStore } from './store';
import { createTabQueue, type Entry, type Stats } from './tab-queue';
import { batchBody, byteLength, createTransport, eventJson } from './transport';

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
  const config = { ...DEFAULTS, ...options };
  const platform = { ...browserPlatform(), ...config.platform };
  const { window, document, navigator, now, random } = platform;
  const stats: Stats = { sent: 0, rejected: 0, dropped: 0, failed: 0 };
  const store = createStore(platform.storage);
  const prefix = 'sluice:' + config.writeKey + ':';
  // 32 random bits per call, 4 bytes: ids cost a tenth of a µs, not µs (as forEach over each byte did).
  const nextId = createUuidV7((bytes) => {
    for (let i = 0, n = 0; i < bytes.length; i++) bytes[i] = i % 4 ? (n >>>= 8) : (n = random() * 2 ** 32);
    return bytes;
  });
  const uuid = () => nextId(now());
  const queue = createTabQueue({ store, prefix, tabId: uuid(), now, maxEvents: config.maxStoredEvents, maxBytes: config.maxStoredBytes, staleMs: config.tabStaleMs, stats });
  const url = config.endpoint.replace(/\/$/, '') + '/v1/batch';
  const post = createTransport({ url, writeKey: config.writeKey, fetch: platform.fetch, now, compressMinBytes: config.compression && config.compressMinBytes });
  const identity = createIdentity({ options: config, store, prefix, uuid, now, document, navigator });
  const backoff = { baseMs: config.retryBaseMs, capMs: config.retryCapMs };
  const online = () => navigator?.onLine !== false;
  const later = (callback: () => void, ms: number) => platform.setTimeout(callback, ms);

  // ---- delivery ----
  let inFlight = new Set<string>();
  /** The batch a drain is compressing, not yet handed to fetch: a beacon (unload) takes it instead. */
  let preparing: Set<string> | undefined;
  let retryAt = 0;
  let failures = 0;
  /** Most events per batch: halved on each 413 until a batch goes through. */
  let batchLimit: number = MAX_BATCH_EVENTS;
  let chain = Promise.resolve();
  /** The oldest events not in flight, within the batch limits, all with their context kept apart or none (see `eventJson`). */
  const nextBatch = () => {
    const batch: Entry[] = [];
    let size = 200;
    let shared: string | undefined;
    for (const entry of queue.load()) {
      if (inFlight.has(entry.id)) continue;
      if (!batch.length) size += byteLength((shared = entry.context) || '');
      else if (!shared != !entry.context) break;
      size += byteLength(eventJson(entry, shared)) + 1;
      if (batch.length && (size > config.maxBatchBytes || batch.length >= batchLimit)) break;
      batch.push(entry);
    }
    return batch;
  };
  const messageIds = (batch: Entry[]) => new Set(batch.map((entry) => entry.id));
  const ready = () => window && online() && now() >= retryAt;
  const drain = async () => {
    for (let batch; ready() && (batch = nextBatch()).length; ) {
      const ids = (preparing = messageIds(batch));
      const answer = await post(batch, () => preparing == ids && !!(inFlight = ids));
      preparing = undefined;
      inFlight = new Set();
      if (!answer) continue; // a beacon took the batch while it was being compressed
      if (answer.action == 'retry') {
        if (!online()) return; // paused until 'online'
        if (++failures < config.retryAttempts) {
          const wait = retryDelay(failures - 1, backoff, random, answer.retryAfterMs);
          retryAt = now() + wait;
          later(flush, wait);
          return;
        }
      }
      if (answer.action == 'split' && batch.length > 1) {
        batchLimit = Math.ceil(batch.length / 2);
        continue;
      }
      if (answer.action == 'accept') {
        stats.rejected += answer.rejected;
        stats.sent += batch.length - answer.rejected;
      } else stats.failed += batch.length;
      failures = 0;
      batchLimit = MAX_BATCH_EVENTS;
      queue.remove(messageIds(batch));
    }
  };
  /** One drain waiting is enough: it sends whatever is queued when it runs (a burst of track() calls queues one, not one each). */
  let waiting = false;
  const flush = () => {
    if (!waiting) {
      waiting = true;
      const run = () => ((waiting = false), drain());
      chain = chain.then(run, run);
    }
    return chain;
  };
  /** The send that `flushAt` asks for, once the main thread is idle: the task that tracked is not held by batching, gzip and fetch. */
  let due = false;
  const flushSoon = () => due || ((due = true), platform.idle(() => ((due = false), flush())));
  /** On unload or hide: hand the queue to the browser, which sends it even after the page is gone. */
  const beacon = () => {
    for (let batch; ready() && navigator?.sendBeacon && (batch = nextBatch()).length; ) {
      if (!navigator.sendBeacon(url, batchBody(batch, config.writeKey, now()))) return;
      const ids = messageIds(batch);
      if (preparing && [...preparing].some((id) => ids.has(id))) preparing = undefined;
      queue.remove(ids);
    }
  };
  const tick = () => {
    queue.tick();
    flush();
    later(tick, config.flushIntervalMs);
  };

  // ---- events ----
  const context = window && createContext(window, document, navigator);
  let isoMs = NaN;
  let iso = '';
  const send = (type: WireEvent['type'], fields: Partial<WireEvent>) => {
    if (!window || identity.optedOut()) return;
    const time = now();
    if (time !== isoMs) iso = new Date((isoMs = time)).toISOString(); // a burst shares its millisecond
    let event: WireEvent | null | undefined | false = { type, messageId: nextId(time), timestamp: iso, anonymousId: identity.anonymousId(), userId: identity.userId(), ...fields };
    const shared = context!(identity.session());
    // beforeSend gets a context of its own to edit; otherwise events of one page and session share the context's JSON.
    if (config.beforeSend && !(event = config.beforeSend({ ...event, context: JSON.parse(shared) }))) return;
    const entry: Entry = { id: event.messageId, head: '', context: config.beforeSend ? undefined : shared };
    try {
      entry.head = JSON.stringify(event);
      const text = eventJson(entry);
      // UTF-8 takes at most 3 bytes per UTF-16 unit: most events need no encoding to be measured.
      if (text.length * 3 > config.maxEventBytes && byteLength(text) > config.maxEventBytes) throw 0;
    } catch {
      stats.dropped++;
      return;
    }
    if (queue.push(entry) >= config.flushAt) flushSoon();
  };

  const api: Analytics<T> = {
    track: (event: string, properties?: unknown) => send('track', { event, properties: properties as Properties }),
    page: (name, properties) => send('page', { name, properties: { ...(window && pageContext(window, document)), ...properties } }),
    identify(userId, traits) {
      identity.setUserId(userId);
      send('identify', { userId, traits: traits as Properties });
    },
    group: (groupId, traits) => send('group', { groupId, traits }),
    alias: (newId) => send('alias', { userId: newId, previousId: identity.userId() || identity.anonymousId() }),
    reset: identity.reset,
    flush,
    optOut() {
      identity.consent(false);
      queue.clear();
    },
    optIn: () => identity.consent(true),
    stats,
  };

  if (window) {
    const on = (target: EventTarget | undefined, type: string, listener: () => void) => target?.addEventListener(type, listener);
    on(window, 'pagehide', beacon);
    on(document, 'visibilitychange', () => document!.visibilityState == 'hidden' && beacon());
    on(window, 'online', flush);
    queue.tick(); // claim queues that closed tabs left; they are adopted on the next tick
    later(tick, config.flushIntervalMs);
    if (config.autoPage) api.page();
  }
  return api;
};
