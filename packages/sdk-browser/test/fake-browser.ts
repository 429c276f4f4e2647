/**
 * An injectable browser for the SDK's unit tests: a shared clock with manual timers, a recording
 * network (what crossed it, gunzipped and parsed), Storage that can be made to fail, and tabs
 * with their own window, document and navigator over one shared storage.
 */
import { gunzipSync } from 'node:zlib';
import type { WireBatch, WireEvent } from '@sluice/schema';
import { createAnalytics, type Options } from '../src/index';
import type { Platform } from '../src/platform';

export class MemoryStorage implements Storage {
  map = new Map<string, string>();
  /** Throw QuotaExceededError on every write. */
  full = false;
  /** Throw on writes that would make the total above this many characters. */
  quota = Infinity;
  /** The key of every successful `setItem`, in order. */
  writes: string[] = [];
  /** The key of every `removeItem`, in order. */
  removals: string[] = [];
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.map.delete(k);
    this.removals.push(k);
  }
  setItem(k: string, v: string) {
    let total = v.length;
    for (const [key, val] of this.map) if (key != k) total += val.length;
    if (this.full || total > this.quota) throw new DOMException('quota', 'QuotaExceededError');
    this.map.set(k, String(v));
    this.writes.push(k);
  }
}

/** The stored queues of every tab: chunks `<prefix>c<tab>.<n>`, and an earlier version's `<prefix>q<tab>`. */
export const queueKeys = (storage: MemoryStorage) => [...storage.map.keys()].filter((k) => /^sluice:[^:]+:[cq]/.test(k));

export interface Sent {
  url: string;
  via: 'fetch' | 'beacon';
  headers: Record<string, string>;
  keepalive?: boolean;
  body: WireBatch;
  rawBytes: number;
  /** The status the fake collector answered (beacons: 200). */
  status: number;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | 'network-error';

/** A batch's events with its `context` merged under each event's own, key by key, as the collector's `parseBatch` does (docs/protocol.md). */
export const eventsOf = (body: WireBatch): WireEvent[] =>
  body.context ? body.batch.map((event) => ({ ...event, context: { ...body.context, ...event.context } })) : body.batch;

export const createWorld = (start = Date.parse('2025-06-01T12:00:00Z')) => {
  let now = start;
  let seq = 0;
  const timers: { at: number; fn: () => void; id: number; alive: () => boolean }[] = [];
  const sent: Sent[] = [];
  let replies: Reply[] = [];
  let defaultReply: Reply = { status: 200, body: { success: true, accepted: 0, rejected: [] } };
  const storage = new MemoryStorage();
  let gate: Promise<void> | undefined;
  const decode = (data: unknown, gz: boolean): { text: string; raw: number } => {
    if (typeof data == 'string') return { text: data, raw: Buffer.byteLength(data) };
    const buf = Buffer.from(data as ArrayBuffer);
    return { text: (gz ? gunzipSync(buf) : buf).toString(), raw: buf.length };
  };
  const ticks = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };

  const world = {
    storage,
    sent,
    get now() {
      return now;
    },
    /** Queue replies for the next fetches; after them, 200s. */
    reply(...r: Reply[]) {
      replies.push(...r);
    },
    /** Holds every response until the returned function is called. */
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    setDefaultReply(r: Reply) {
      defaultReply = r;
    },
    /** Every event that crossed the network, in order, as the collector reads it: with the batch's `context` merged under its own. */
    events: () => sent.flatMap((s) => eventsOf(s.body)),
    /** Events in requests the collector accepted (2xx) and in beacons. */
    delivered: () => sent.flatMap((s) => (s.status < 300 ? eventsOf(s.body) : [])),
    /** Runs due timers in time order, letting promises settle in between. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        await ticks();
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        now = Math.max(now, due.at);
        if (due.alive()) due.fn();
      }
      now = end;
      await ticks();
    },
    settle: ticks,
    /** Runs the timers due now, without letting promises settle (to stop a tab mid-send). */
    fire() {
      for (const due of timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.id - b.id)) {
        timers.splice(timers.indexOf(due), 1);
        if (due.alive()) due.fn();
      }
    },
    /** A new page (tab or reload). gzip is off unless asked for: CompressionStream settles on the thread pool, outside the fake clock. */
    tab(options: Partial<Options> = {}, url = 'https://shop.example/cart?utm_source=news&utm_medium=email&utm_campaign=spring&x=1') {
      let alive = true;
      const u = new URL(url);
      const win = Object.assign(new EventTarget(), {
        location: { href: u.href, pathname: u.pathname, search: u.search },
        screen: { width: 1440, height: 900 },
        devicePixelRatio: 2,
      });
      const doc = Object.assign(new EventTarget(), { title: 'Cart', referrer: 'https://ref.example/', visibilityState: 'visible', cookie: '' });
      const nav = {
        onLine: true,
        userAgent: 'FakeBrowser/1.0',
        language: 'de-DE',
        doNotTrack: null as string | null,
        globalPrivacyControl: false,
        /** Whether the browser accepts beacons. */
        acceptBeacons: true,
        sendBeacon(url: string, data: string) {
          if (!nav.acceptBeacons) return false;
          sent.push({ url, via: 'beacon', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.parse(data), rawBytes: Buffer.byteLength(data), status: 200 });
          return true;
        },
      };
      const platform: Partial<Platform> = {
        storage,
        now: () => now,
        random: Math.random,
        setTimeout(fn, ms) {
          const id = ++seq;
          timers.push({ at: now + ms, fn, id, alive: () => alive });
          return id;
        },
        idle(fn) {
          platform.setTimeout!(fn, 0);
        },
        clearTimeout(id) {
          const i = timers.findIndex((t) => t.id === id);
          if (i >= 0) timers.splice(i, 1);
        },
        window: win,
        document: doc,
        navigator: nav,
        async fetch(url, init) {
          if (!nav.onLine) throw new TypeError('Failed to fetch');
          const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
          const { text, raw } = decode(init.body, headers['content-encoding'] == 'gzip');
          const reply = replies.shift() ?? defaultReply;
          if (reply == 'network-error') throw new TypeError('Failed to fetch');
          const body = JSON.parse(text) as WireBatch;
          sent.push({ url, via: 'fetch', headers, keepalive: init.keepalive, body, rawBytes: raw, status: reply.status });
          await gate;
          return new Response(JSON.stringify(reply.body ?? { success: true, accepted: body.batch.length, rejected: [] }), {
            status: reply.status,
            headers: reply.headers,
          });
        },
      };
      const analytics = createAnalytics({ writeKey: 'wk_test', endpoint: 'https://collect.example/', autoPage: false, compression: false, ...options, platform: { ...platform, ...options.platform } });
      return {
        analytics,
        win,
        doc,
        nav,
        /** Fires pagehide; the tab's timers stop, as when the tab is closed. */
        close() {
          win.dispatchEvent(new Event('pagehide'));
          alive = false;
        },
        /** The tab is killed: no pagehide, no more timers. */
        crash() {
          alive = false;
        },
        hide() {
          doc.visibilityState = 'hidden';
          doc.dispatchEvent(new Event('visibilitychange'));
        },
        setOnline(on: boolean) {
          nav.onLine = on;
          win.dispatchEvent(new Event(on ? 'online' : 'offline'));
        },
      };
    },
  };
  return world;
};
