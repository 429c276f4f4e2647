import type { WireEvent } from '@sluice/schema';
import type { DeliveryCounts } from '@sluice/schema/wire';
import { parse, type Store } from './store';

/**
 * Live counters, with the meaning every Sluice SDK gives them: `dropped` is what the SDK discarded
 * by its own policy (storage bounds, too large), `failed` what the collector never accepted (a status
 * the wire table drops, a single event still too large, retries exhausted).
 */
export type Stats = DeliveryCounts;

/**
 * A task's events are appended to the last stored chunk while it stays under this many characters;
 * else they start a chunk of their own, however many they are. Appending to a small chunk costs
 * little, a sent batch deletes whole chunks instead of rewriting the queue, and a burst is one
 * localStorage write, not one per 16,000 characters (in Chromium a write costs about as much as
 * writing tens of KB more in the same call).
 */
export const CHUNK_CHARS = 16_000;

/**
 * A queued event, serialised once. `head` is its JSON; when `context` (the JSON of a context that
 * events of one page and session share) is set, `head` lacks the context, the chunk stores the
 * context once for all its events, and so does a batch (`batchBody`).
 */
export interface Entry {
  id: string;
  head: string;
  context?: string | undefined;
}

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

interface Chunk {
  key: string;
  entries: Entry[];
  /** Characters of its stored text. */
  size: number;
}

/** An event read back from storage (another tab's queue), with the context its chunk shared. */
const entry = (event: WireEvent, context: unknown): Entry => ({ id: event.messageId, head: JSON.stringify(context ? { ...event, context } : event) });

/**
 * The queue of one tab in storage, in chunks `<prefix>c<tab>.<n>`. A chunk is a JSON array: the
 * context its events share (or null), then the events without it. Only this tab writes its chunks:
 * events tracked in one task are appended at the task's end (to the last chunk while it is small and
 * has their context, else to a new one, whatever its length); a sent batch deletes the chunks it emptied and rewrites at
 * most the one it left part of. Each tab with queued events keeps a heartbeat `<prefix>h<tab>` =
 * `owner:time`. A queue whose heartbeat is stale is claimed (the heartbeat now names the claimer) and
 * adopted on the claimer's next tick if no one, including a returning owner, has written the
 * heartbeat since. An adopter deletes what it adopts, so a chunk missing from storage was adopted:
 * the stored copy is the truth. Queues of earlier versions, one array of events in `<prefix>q<tab>`,
 * are adopted the same way.
 */
export const createTabQueue = (options: TabQueueOptions) => {
  const { store, prefix, tabId: me } = options;
  const chunkPrefix = prefix + 'c' + me + '.';
  const heartbeatKey = prefix + 'h' + me;
  /** When this tab last wrote its heartbeat; 0 once a tick has removed it (with the queue empty). */
  let beatAt = 0;
  const beat = () => store.set(heartbeatKey, me + ':' + (beatAt = options.now()));

  let chunks: Chunk[] = [];
  let serial = 0;
  const all = () => chunks.flatMap((chunk) => chunk.entries);
  const write = (chunk: Chunk) => {
    const { entries } = chunk;
    // One join makes one flat string: a `+` after it would make a rope, which setItem copies once more to flatten.
    const text = ['[' + (entries[0]?.context ?? null), ...entries.map((entry) => ',' + entry.head), ']'].join('');
    chunk.size = text.length;
    entries.length ? store.set(chunk.key, text) : store.del(chunk.key);
  };
  /** Forgets chunks another tab adopted; answers how many events are stored. */
  const sync = () => {
    chunks = chunks.filter((chunk) => chunk.entries.length && store.get(chunk.key) != null);
    return all().length;
  };
  /** Removes events, rewriting the chunks it cuts and deleting those it empties; answers how many events are stored. */
  const drop = (ids: Set<string>) => {
    for (const chunk of chunks) {
      const kept = chunk.entries.filter((entry) => !ids.has(entry.id));
      if (kept.length < chunk.entries.length) (chunk.entries = kept), write(chunk);
    }
    return (stored = sync());
  };
  // Events tracked in one task are stored together at its end (a microtask), not one by one. Every
  // read below commits them first, so nothing that looks at the queue can miss one.
  let pending: Entry[] = [];
  let stored = 0;
  const commit = () => {
    if (!pending.length) return;
    const add = pending;
    pending = [];
    sync();
    /** Chunks stored before this task: the ones a size limit applies to. */
    const old = chunks.length;
    const touched = new Set<Chunk>();
    for (const entry of add) {
      let chunk = chunks[chunks.length - 1];
      if (!chunk || chunk.entries[0]!.context !== entry.context || (chunks.length == old && chunk.size + entry.head.length > CHUNK_CHARS)) {
        chunks.push((chunk = { key: chunkPrefix + serial++, entries: [], size: 6 + (entry.context?.length || 0) }));
      }
      chunk.entries.push(entry);
      chunk.size += entry.head.length + 1;
      touched.add(chunk);
    }
    touched.forEach(write);
    bound();
    // The heartbeat says the queue is alive: written unless it names this tab and is fresh (a
    // claimer's name in it is overwritten, which keeps the queue; the tick renews it). It outlives an
    // emptied queue until the next tick, so a task that tracks after a send writes its events alone.
    if (!store.get(heartbeatKey)?.startsWith(me) || options.now() - beatAt > options.staleMs / 2) beat();
  };
  /** Drops (and counts) the oldest events beyond the bounds, keeping at least the newest. */
  const bound = () => {
    const entries = all();
    let size = chunks.reduce((total, chunk) => total + chunk.size, 0);
    let count = Math.max(0, entries.length - options.maxEvents);
    for (let i = 0; i < count; i++) size -= entries[i]!.head.length + 1;
    while (entries.length - count > 1 && size > options.maxBytes) size -= entries[count++]!.head.length + 1;
    options.stats.dropped += count;
    stored = count ? drop(new Set(entries.slice(0, count).map((entry) => entry.id))) : entries.length;
  };

  /** Reads (and deletes) another tab's stored queue: its chunks in order, or an earlier version's single array. */
  const adopt = (keys: string[]) => {
    const order = (key: string) => Number(key.slice(key.lastIndexOf('.') + 1)) || 0;
    for (const key of keys.sort((a, b) => order(a) - order(b))) {
      const list = parse<WireEvent[]>(store.get(key));
      store.del(key);
      if (!Array.isArray(list)) continue;
      const context = key[prefix.length] == 'c' && list.shift();
      for (const event of list) if (event?.messageId) pending.push(entry(event, context));
    }
    commit();
  };

  return {
    load: () => (commit(), (stored = sync()), all()),
    /** Queues an event; returns the queue's length counting it. */
    push(entry: Entry) {
      if (pending.push(entry) == 1) queueMicrotask(commit);
      return stored + pending.length;
    },
    /** Removes events by messageId. */
    remove: (ids: Set<string>) => (commit(), sync(), drop(ids)),
    /** Drops every queued event (opt-out). */
    clear() {
      pending = [];
      sync();
      drop(new Set(all().map((entry) => entry.id)));
    },
    /** Heartbeat, then claim stale queues of other tabs and adopt the ones claimed last tick. */
    tick() {
      commit();
      // An idle tab touches storage only to remove the heartbeat it wrote, once.
      if (sync()) beat();
      else if (beatAt) store.del(heartbeatKey), (beatAt = 0);
      const tabs = new Map<string, string[]>();
      for (const key of store.keys()) {
        const tab = key.startsWith(prefix) && /^[cq]([^.]+)/.exec(key.slice(prefix.length))?.[1];
        if (tab && tab != me) tabs.set(tab, [...(tabs.get(tab) || []), key]);
      }
      for (const [tab, keys] of tabs) {
        const theirHeartbeat = prefix + 'h' + tab;
        const [owner, time] = (store.get(theirHeartbeat) || ':0').split(':');
        if (owner == me) adopt(keys), store.del(theirHeartbeat);
        else if (options.now() - Number(time) > options.staleMs) store.set(theirHeartbeat, me + ':' + options.now());
      }
    },
  };
};
