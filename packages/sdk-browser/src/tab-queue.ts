import type { WireEvent } from '@sluice/schema';
import type { DeliveryCounts } from '@sluice/schema/wire';
import { parse, type Store } from './store';

/**
 * Live counters, with the meaning every Sluice SDK gives them: `dropped` is what the SDK discarded
 * by its own policy (storage bounds, too large), `failed` what the collector never accepted (a status
 * the wire table drops, a single event still too large, retries exhausted).
 */
export type Stats = DeliveryCounts;

export interface TabQueueOptions {
  store: Store;
  /** Storage key prefix shared by every tab of one write key. */
  prefix: string;
  tabId: string;
  now: () => number;
  maxEvents: number;
  maxBytes: number;
  staleMs: number;
  stats: Stats;
}

/**
 * One queue per tab in storage (`<prefix>q<tab>`), so tabs never write the same key and never send
 * the same event. Each tab with queued events keeps a heartbeat `<prefix>h<tab>` = `owner:time`.
 * A queue whose heartbeat is stale is claimed (the heartbeat now names the claimer) and adopted on
 * the claimer's next tick if no one, including a returning owner, has written the heartbeat since.
 */
export const createTabQueue = (options: TabQueueOptions) => {
  const { store, prefix, tabId: me } = options;
  const queueKey = prefix + 'q' + me;
  const heartbeatKey = prefix + 'h' + me;
  const beat = () => me + ':' + options.now();
  /** Each queued event's JSON, kept from when it was first serialised: no event is serialised twice. */
  const texts = new WeakMap<WireEvent, string>();
  const text = (event: WireEvent) => {
    let json = texts.get(event);
    if (json == null) texts.set(event, (json = JSON.stringify(event)));
    return json;
  };
  /** What this tab last wrote: while the stored text is still that (no other tab changed it), it is not parsed again. */
  let last: { text: string; events: WireEvent[] } | undefined;
  const load = (key = queueKey): WireEvent[] => {
    const raw = store.get(key);
    if (key == queueKey && last && raw === last.text) return last.events.slice();
    return parse<WireEvent[]>(raw) || [];
  };
  /** Stores the queue within its bounds, dropping (and counting) the oldest. */
  const save = (events: WireEvent[]) => {
    last = undefined;
    if (!events.length) return store.del(queueKey), store.del(heartbeatKey);
    const parts = events.map(text);
    let drop = Math.max(0, events.length - options.maxEvents);
    // The stored text is `[` + parts joined by `,` + `]`: 1 + Σ(part + 1) characters.
    let size = parts.reduce((total, part) => total + part.length + 1, 1);
    for (let i = 0; i < drop; i++) size -= parts[i]!.length + 1;
    while (events.length - drop > 1 && size > options.maxBytes) size -= parts[drop++]!.length + 1;
    events.splice(0, drop);
    options.stats.dropped += drop;
    const json = '[' + parts.slice(drop).join(',') + ']';
    store.set(queueKey, json);
    store.set(heartbeatKey, beat());
    last = { text: json, events: events.slice() };
  };
  /** Read, change and write this tab's queue: the stored copy is the truth (another tab may have adopted it). */
  const write = (change: (events: WireEvent[]) => unknown) => {
    const events = load();
    change(events);
    save(events);
    stored = events.length;
    return events;
  };
  // Events tracked in one task are stored together at its end (a microtask), not one by one: each
  // write re-serialises the whole queue, so a burst of N tracks would cost O(N²). Every read below
  // commits them first, so nothing that looks at the queue can miss one.
  let pending: WireEvent[] = [];
  let stored = load().length;
  const commit = () => {
    if (!pending.length) return;
    const add = pending;
    pending = [];
    write((events) => events.push(...add));
  };
  const update = (change: (events: WireEvent[]) => unknown) => (commit(), write(change));
  return {
    load: () => (commit(), load()),
    /** An event's JSON (cached). */
    text,
    update,
    /** Queues an event (with its JSON, when the caller has it); returns the queue's length counting it. */
    push(event: WireEvent, json?: string) {
      if (json != null) texts.set(event, json);
      if (pending.push(event) == 1) queueMicrotask(commit);
      return stored + pending.length;
    },
    remove: (ids: Set<string>) => update((events) => events.splice(0, events.length, ...events.filter((event) => !ids.has(event.messageId)))),
    /** Heartbeat, then claim stale queues of other tabs and adopt the ones claimed last tick. */
    tick() {
      commit();
      if (load().length) store.set(heartbeatKey, beat());
      for (const key of store.keys()) {
        if (!key.startsWith(prefix + 'q') || key == queueKey) continue;
        const theirHeartbeat = prefix + 'h' + key.slice(prefix.length + 1);
        const [owner, time] = (store.get(theirHeartbeat) || ':0').split(':');
        if (owner == me) {
          const theirs = load(key);
          store.del(key);
          store.del(theirHeartbeat);
          update((events) => events.push(...theirs));
        } else if (options.now() - Number(time) > options.staleMs) store.set(theirHeartbeat, beat());
      }
    },
  };
};
