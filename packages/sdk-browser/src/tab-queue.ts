import type { WireEvent } from '@sluice/schema';
import { parse, type Store } from './store';

export interface Stats {
  /** Events the collector accepted. */
  sent: number;
  /** Events dropped by policy: storage bounds, too large, 4xx, retries exhausted. */
  dropped: number;
  /** Events the collector rejected as invalid (never retried). */
  rejected: number;
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

/**
 * One queue per tab in storage (`<prefix>q<tab>`), so tabs never write the same key and never send
 * the same event. Each tab with queued events keeps a heartbeat `<prefix>h<tab>` = `owner:time`.
 * A queue whose heartbeat is stale is claimed (the heartbeat now names the claimer) and adopted on
 * the claimer's next tick if no one, including a returning owner, has written the heartbeat since.
 */
export const createTabQueue = (o: TabQueueOptions) => {
  const { store: st, prefix: p, tabId: me } = o;
  const qk = p + 'q' + me;
  const hk = p + 'h' + me;
  const beat = () => me + ':' + o.now();
  const load = (k = qk) => parse<WireEvent[]>(st.get(k)) || [];
  /** Stores the queue within its bounds, dropping (and counting) the oldest: each event is serialised once. */
  const save = (q: WireEvent[]) => {
    if (!q.length) return st.del(qk), st.del(hk);
    const parts = q.map((e) => JSON.stringify(e));
    let drop = Math.max(0, q.length - o.maxEvents);
    // The stored text is `[` + parts joined by `,` + `]`: 1 + Σ(part + 1) characters.
    let size = parts.reduce((n, x) => n + x.length + 1, 1);
    for (let i = 0; i < drop; i++) size -= parts[i]!.length + 1;
    while (q.length - drop > 1 && size > o.maxBytes) size -= parts[drop++]!.length + 1;
    q.splice(0, drop);
    o.stats.dropped += drop;
    st.set(qk, '[' + parts.slice(drop).join(',') + ']');
    st.set(hk, beat());
  };
  /** Read, change and write this tab's queue: the stored copy is the truth (another tab may have adopted it). */
  const write = (f: (q: WireEvent[]) => unknown) => {
    const q = load();
    f(q);
    save(q);
    stored = q.length;
    return q;
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
    write((q) => q.push(...add));
  };
  const update = (f: (q: WireEvent[]) => unknown) => (commit(), write(f));
  return {
    load: () => (commit(), load()),
    update,
    /** Queues an event; returns the queue's length counting it. */
    push(e: WireEvent) {
      if (pending.push(e) == 1) queueMicrotask(commit);
      return stored + pending.length;
    },
    remove: (ids: Set<string>) => update((q) => q.splice(0, q.length, ...q.filter((e) => !ids.has(e.messageId)))),
    /** Heartbeat, then claim stale queues of other tabs and adopt the ones claimed last tick. */
    tick() {
      commit();
      if (load().length) st.set(hk, beat());
      for (const k of st.keys()) {
        if (!k.startsWith(p + 'q') || k == qk) continue;
        const h = p + 'h' + k.slice(p.length + 1);
        const [owner, t] = (st.get(h) || ':0').split(':');
        if (owner == me) {
          const theirs = load(k);
          st.del(k);
          st.del(h);
          update((q) => q.push(...theirs));
        } else if (o.now() - Number(t) > o.staleMs) st.set(h, beat());
      }
    },
  };
};
