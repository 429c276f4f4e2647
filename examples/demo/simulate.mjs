// The demo's story: simulated visitors arriving anonymously from campaigns over several days,
// landing on the site, then some signing up (identify), activating and ordering, with drop-off,
// and some of them coming back. Seeded, so every run tells the same story and prints the same numbers.

/** Landing page → signup → activation → purchase: a funnel across the anonymous-to-known boundary. */
export const STEPS = ['Page Viewed', 'Signup Completed', 'Activated', 'Order Placed'];

const CAMPAIGNS = [
  { source: 'google', medium: 'cpc', name: 'spring-sale', weight: 4 },
  { source: 'newsletter', medium: 'email', name: 'launch', weight: 3 },
  { source: 'twitter', medium: 'social', name: 'launch', weight: 2 },
  { source: '', medium: '', name: '', weight: 3 },
];
const PAGES = ['/', '/pricing', '/docs', '/blog/clickhouse-at-scale', '/changelog'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: a tiny seeded generator, so the demo is reproducible. */
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

function pick(random, items) {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let roll = random() * total;
  for (const item of items) if ((roll -= item.weight) < 0) return item;
  return items[items.length - 1];
}

/**
 * Yields one journey per visitor: `{ userId?, calls }`, where each call is
 * `{ kind: 'page' | 'track' | 'identify', from: 'browser' | 'server', at: epoch ms, ... }` in time
 * order. The browser knows the visitor by its own anonymous id, and by the userId once it has
 * identified them; the server knows signed-up users by their userId only.
 * `start` is the first day of event time; visitors arrive over `days` days.
 */
export function* journeys({ users, days, start, seed = 7 }) {
  const random = seeded(seed);
  for (let i = 0; i < users; i++) {
    const userId = `user-${String(i).padStart(6, '0')}`;
    const campaign = pick(random, CAMPAIGNS);
    let at = start + Math.floor(random() * days) * DAY + Math.floor(random() * 14 + 8) * HOUR + Math.floor(random() * HOUR);
    const calls = [];
    const page = (path, search = '') => {
      calls.push({ kind: 'page', from: 'browser', at, path, search, campaign: search ? campaign : undefined });
      at += Math.floor(random() * 90_000) + 5_000;
    };
    const search = campaign.source ? `?utm_source=${campaign.source}&utm_medium=${campaign.medium}&utm_campaign=${campaign.name}` : '';
    page('/', search);
    if (random() < 0.7) page('/pricing');
    if (random() < 0.3) page(PAGES[2 + Math.floor(random() * 3)]);

    // Campaign visitors sign up more often than direct ones: the funnel differs by utm_source.
    const signupRate = campaign.source === 'newsletter' ? 0.6 : campaign.source ? 0.45 : 0.35;
    let signedUp = false;
    if (random() < signupRate) {
      signedUp = true;
      const plan = random() < 0.8 ? 'free' : 'pro';
      // The signup form identifies the visitor in the browser, then reports the signup.
      calls.push({ kind: 'identify', from: 'browser', at, traits: { plan, email: `${userId}@example.com` } });
      calls.push({ kind: 'track', from: 'browser', at: at + 1, event: 'Signup Completed', properties: { plan, method: random() < 0.5 ? 'email' : 'google' } });
      at += Math.floor(random() * 2 * DAY);
      if (random() < 0.6) {
        calls.push({ kind: 'track', from: 'server', at, event: 'Activated', properties: { feature: random() < 0.5 ? 'dashboard' : 'api' } });
        at += Math.floor(random() * 3 * DAY);
        if (random() < 0.4) {
          const total = Math.round((random() * 180 + 20) * 100) / 100;
          calls.push({ kind: 'track', from: 'server', at, event: 'Order Placed', properties: { total, currency: random() < 0.7 ? 'EUR' : 'USD', items: 1 + Math.floor(random() * 4) } });
        }
      }
    }
    // Returning visits: on days 1, 2, 3 and 7 after arrival, with a chance that decays. Users open
    // their dashboard (reported by the server); visitors who never signed up browse again.
    const firstDay = calls[0].at - (calls[0].at % DAY);
    for (const offset of [1, 2, 3, 7]) {
      if (random() < (signedUp ? 0.5 : 0.15) / Math.sqrt(offset)) {
        const when = firstDay + offset * DAY + Math.floor(random() * 12 + 8) * HOUR;
        if (signedUp) calls.push({ kind: 'track', from: 'server', at: when, event: 'Dashboard Viewed', properties: { widgets: 1 + Math.floor(random() * 6) } });
        else calls.push({ kind: 'page', from: 'browser', at: when, path: '/', search: '' });
      }
    }
    calls.sort((a, b) => a.at - b.at);
    yield { userId: signedUp ? userId : undefined, calls };
  }
}
