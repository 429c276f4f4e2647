// Demo-like events for every benchmark: track / page / identify from simulated users arriving from
// campaigns, with the context a browser SDK sends (page, campaign, library, userAgent, locale, session).
// About 550 bytes of JSON per event. Seeded, so every run sends the same shapes.
//
// Ids and rows come from the product's own entry points, as a user's code would get them:
// UUIDv7 from `@sluice/schema/wire`, rows of `events` from `toEventRow` of `@sluice/collector`.
import { DEFAULTS, toEventRow } from '@sluice/collector';
import { createUuidV7 } from '@sluice/schema/wire';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** mulberry32: tiny seeded generator. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CAMPAIGNS = [
  { source: 'google', medium: 'cpc', name: 'spring-sale', weight: 4 },
  { source: 'newsletter', medium: 'email', name: 'launch', weight: 3 },
  { source: 'twitter', medium: 'social', name: 'launch', weight: 2 },
  { source: 'linkedin', medium: 'social', name: 'webinar-q3', weight: 1 },
  { source: '', medium: '', name: '', weight: 4 },
];
const PAGES = [
  ['/', 'Sluice: product analytics into ClickHouse'],
  ['/pricing', 'Pricing | Sluice'],
  ['/docs', 'Documentation | Sluice'],
  ['/docs/getting-started', 'Getting started | Sluice'],
  ['/blog/clickhouse-at-scale', 'ClickHouse at scale | Sluice blog'],
  ['/changelog', 'Changelog | Sluice'],
  ['/signup', 'Create your account | Sluice'],
  ['/app/dashboard', 'Dashboard | Sluice'],
];
const REFERRERS = ['', 'https://www.google.com/', 'https://news.ycombinator.com/', 'https://twitter.com/', 'https://duckduckgo.com/'];
const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/128.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0',
];
const LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'ja-JP'];
const TRACKS = [
  ['Signup Completed', (r) => ({ plan: r() < 0.8 ? 'free' : 'pro', method: r() < 0.5 ? 'email' : 'google' })],
  ['Activated', (r) => ({ feature: r() < 0.5 ? 'dashboard' : 'api', step: 1 + Math.floor(r() * 4) })],
  ['Order Placed', (r) => ({ total: Math.round((r() * 180 + 20) * 100) / 100, currency: r() < 0.7 ? 'EUR' : 'USD', items: 1 + Math.floor(r() * 4), coupon: r() < 0.2 ? 'SPRING' : null })],
  ['Dashboard Viewed', (r) => ({ widgets: 1 + Math.floor(r() * 6), dashboard: `db-${Math.floor(r() * 50)}` })],
  ['Button Clicked', (r) => ({ label: ['Start trial', 'Book demo', 'Copy snippet'][Math.floor(r() * 3)], section: 'hero' })],
];

function pick(random, items) {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let roll = random() * total;
  for (const item of items) if ((roll -= item.weight) < 0) return item;
  return items[items.length - 1];
}

/** A seeded byte source for `createUuidV7`, so every run makes the same ids. */
const seededBytes = (random) => (bytes) => {
  for (let i = 0; i < bytes.length; i++) bytes[i] = random() * 256;
  return bytes;
};

/**
 * An endless stream of demo-like events: users arrive over `days` days before `end`, each visit is a
 * few pages, some tracks and sometimes an identify. `users` bounds cardinality of user ids.
 */
export function* eventStream({ seed = 7, users = 20_000, days = 30, end = Date.now() } = {}) {
  const random = seeded(seed);
  const uuidv7 = createUuidV7(seededBytes(seeded(seed + 1)));
  /** One anonymous id per simulated user, made the first time the user shows up. */
  const anonymousIds = new Map();
  const start = end - days * DAY;
  for (;;) {
    const n = Math.floor(random() * users);
    let anonymousId = anonymousIds.get(n);
    if (anonymousId === undefined) anonymousIds.set(n, (anonymousId = uuidv7(start + n * 997)));
    const userId = random() < 0.5 ? `user-${String(n).padStart(6, '0')}` : undefined;
    const campaign = pick(random, CAMPAIGNS);
    const ua = USER_AGENTS[n % USER_AGENTS.length];
    const locale = LOCALES[n % LOCALES.length];
    const sessionId = Math.floor(start / 1000) + Math.floor(random() * days * 86_400);
    let at = start + Math.floor(random() * (days * DAY - HOUR));
    const visit = 2 + Math.floor(random() * 5);
    for (let i = 0; i < visit; i++) {
      const [path, title] = PAGES[Math.floor(random() * PAGES.length)];
      const context = {
        page: { path, referrer: REFERRERS[Math.floor(random() * REFERRERS.length)], url: `https://sluice.dev${path}` },
        ...(campaign.source ? { campaign: { source: campaign.source, medium: campaign.medium, name: campaign.name } } : {}),
        library: { name: 'sluice.js', version: '0.1.0' },
        userAgent: ua,
        locale,
        sessionId,
      };
      const base = { messageId: uuidv7(at), anonymousId, ...(userId ? { userId } : {}), timestamp: new Date(at).toISOString() };
      const roll = random();
      if (roll < 0.45) {
        yield { type: 'page', ...base, name: title, properties: { path }, context };
      } else if (roll < 0.93) {
        const [event, props] = TRACKS[Math.floor(random() * TRACKS.length)];
        yield { type: 'track', ...base, event, properties: props(random), context };
      } else {
        yield { type: 'identify', ...base, userId: userId ?? `user-${String(n).padStart(6, '0')}`, traits: { plan: random() < 0.8 ? 'free' : 'pro', email: `user-${n}@example.com`, company: `Company ${n % 500}` }, context };
      }
      at += 5_000 + Math.floor(random() * 90_000);
    }
  }
}

/** `count` events from a fresh stream. */
export function takeEvents(count, options) {
  const out = [];
  for (const e of eventStream(options)) {
    out.push(e);
    if (out.length >= count) break;
  }
  return out;
}

/** Batches of `size` events, each `{ batch, sentAt }` like an SDK sends. */
export function makeBatches(count, size = 100, options) {
  const events = takeEvents(count * size, options);
  const sentAt = new Date((options?.end ?? Date.now())).toISOString();
  const out = [];
  for (let i = 0; i < count; i++) out.push({ batch: events.slice(i * size, (i + 1) * size), sentAt });
  return out;
}

/**
 * A row of `events` for one validated event (timestamps in epoch ms, as `parseBatch` returns them),
 * built by the collector's own enrichment with its default IP policy and clock-skew bound.
 */
export function toRow(event, project, receivedAt, sentAt) {
  return toEventRow(event, { project, receivedAt, sentAt, requestIp: undefined, ipPolicy: DEFAULTS.ipPolicy, maxClockSkewMs: DEFAULTS.maxClockSkewMs });
}
