// Demo-like events for every benchmark: track / page / identify from simulated users arriving from
// campaigns, with the context a browser SDK sends (page, campaign, library, userAgent, locale, session).
// About 550 bytes of JSON per event. Seeded, so every run sends the same shapes.

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

const hex = (random, n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += ((random() * 16) | 0).toString(16);
  return s;
};

/** A UUIDv7-shaped id (what the SDKs send) for time `ms`, random bits from `random`. */
export function uuidv7(ms, random) {
  const t = Math.floor(ms).toString(16).padStart(12, '0');
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex(random, 3)}-${'89ab'[(random() * 4) | 0]}${hex(random, 3)}-${hex(random, 12)}`;
}

/**
 * An endless stream of demo-like events: users arrive over `days` days before `end`, each visit is a
 * few pages, some tracks and sometimes an identify. `users` bounds cardinality of user ids.
 */
export function* eventStream({ seed = 7, users = 20_000, days = 30, end = Date.now() } = {}) {
  const random = seeded(seed);
  const start = end - days * DAY;
  for (;;) {
    const n = Math.floor(random() * users);
    const anonymousId = uuidv7(start + n * 997, seeded(n + 1));
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
      const base = { messageId: uuidv7(at, random), anonymousId, ...(userId ? { userId } : {}), timestamp: new Date(at).toISOString() };
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

// The context fields `events` keeps in typed columns; the collector's enrichment (toEventRow in
// packages/collector/src/http/enrich.ts) leaves them out of the `context` JSON column.
const CONTEXT_IN_COLUMNS = [['page', ['url', 'path', 'referrer']], ['campaign', ['source', 'medium', 'name']], ['library', ['name', 'version']], ['locale'], ['sessionId']];
const movable = (v) => typeof v === 'string' || typeof v === 'number';

/** `context` minus the fields that typed columns hold, as the collector stores it. */
export function contextRest(context) {
  const out = { ...context };
  for (const [key, fields] of CONTEXT_IN_COLUMNS) {
    const value = out[key];
    if (fields === undefined) {
      if (movable(value)) delete out[key];
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const rest = { ...value };
      for (const f of fields) if (movable(rest[f])) delete rest[f];
      if (Object.keys(rest).length === 0) delete out[key];
      else out[key] = rest;
    }
  }
  return out;
}

/** A simplified row builder, as the collector's enrichment does (for the ceiling and the baseline). */
export function toRow(event, project, receivedAt, sentAt) {
  const context = event.context ?? {};
  const page = context.page ?? {};
  const campaign = context.campaign ?? {};
  const library = context.library ?? {};
  const userId = event.userId ?? '';
  const anonymousId = event.anonymousId ?? '';
  const original = event.timestamp ?? sentAt ?? receivedAt;
  const offset = sentAt === undefined ? 0 : receivedAt - sentAt;
  return {
    project,
    message_id: event.messageId ?? '',
    type: event.type,
    event: event.type === 'track' ? event.event : event.type === 'page' || event.type === 'screen' ? (event.name ?? '') : '',
    user_id: userId,
    anonymous_id: anonymousId,
    distinct_id: userId || anonymousId,
    session_id: context.sessionId == null ? '' : String(context.sessionId),
    group_id: event.groupId ?? '',
    previous_id: event.previousId ?? '',
    timestamp: Math.min(original + offset, receivedAt),
    original_timestamp: original,
    sent_at: sentAt ?? receivedAt,
    received_at: receivedAt,
    properties: event.properties ?? {},
    traits: event.traits ?? {},
    context: contextRest(context),
    page_url: page.url ?? '',
    page_path: page.path ?? '',
    referrer: page.referrer ?? '',
    utm_source: campaign.source ?? '',
    utm_medium: campaign.medium ?? '',
    utm_campaign: campaign.name ?? '',
    locale: context.locale ?? '',
    library_name: library.name ?? '',
    library_version: library.version ?? '',
  };
}
