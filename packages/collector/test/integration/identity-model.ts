import type { IdEvent } from './identity-fixtures';

/**
 * A plain-JS reference of docs/identity.md and of the funnel and retention questions, written from
 * the rules rather than from the SQL, so that the property test can compare the two.
 */

interface Edge {
  t: number;
  target: string;
}

/** The earlier (time, target) of two edges; the later one is ignored. */
function earlier(a: Edge | undefined, b: Edge): Edge {
  if (a === undefined) return b;
  if (b.t !== a.t) return b.t < a.t ? b : a;
  return b.target < a.target ? b : a;
}

export function createIdentityModel(events: readonly IdEvent[]) {
  const aliases = new Map<string, Edge>();
  const links = new Map<string, Edge>();
  for (const e of events) {
    const user = e.userId ?? '';
    const anon = e.anonymousId ?? '';
    if (user && anon && anon !== user) links.set(anon, earlier(links.get(anon), { t: e.t, target: user }));
    const previous = e.previousId ?? '';
    if (e.type === 'alias' && user && previous && previous !== user) {
      aliases.set(previous, earlier(aliases.get(previous), { t: e.t, target: user }));
    }
  }

  /** Follows earliest aliases to the end; a loop ends at the previousId of its latest alias. */
  function aliasRoot(id: string): string | undefined {
    const first = aliases.get(id);
    if (!first) return undefined;
    const path = [id];
    const times = [first.t];
    let node = first.target;
    for (;;) {
      const edge = aliases.get(node);
      if (!edge) return node;
      path.push(node);
      times.push(edge.t);
      const loopAt = path.indexOf(edge.target);
      if (loopAt >= 0) {
        let best = loopAt;
        for (let i = loopAt + 1; i < path.length; i++) {
          const t = times[i] ?? 0;
          const bestT = times[best] ?? 0;
          if (t > bestT || (t === bestT && (path[i] ?? '') > (path[best] ?? ''))) best = i;
        }
        return path[best];
      }
      node = edge.target;
    }
  }

  function personOf(e: IdEvent): string {
    const user = e.userId ?? '';
    const anon = e.anonymousId ?? '';
    const counted = user || anon;
    const aliased = aliasRoot(counted);
    if (aliased !== undefined) return aliased;
    if (user) return user;
    const link = links.get(anon);
    if (link) return aliasRoot(link.target) ?? link.target;
    return anon;
  }

  return { personOf, aliasRoot };
}

/** ClickHouse's windowFunnel (default mode), per person: the deepest step reached. */
export function modelFunnel(
  events: readonly IdEvent[],
  steps: readonly string[],
  windowMs: number,
  from: number,
  to: number,
): Array<{ step: string; users: number }> {
  const { personOf } = createIdentityModel(events);
  const byPerson = new Map<string, Array<{ t: number; step: number }>>();
  for (const e of events) {
    const step = steps.indexOf(e.event ?? '');
    if (step < 0 || e.t < from || e.t >= to) continue;
    const person = personOf(e);
    const list = byPerson.get(person) ?? [];
    list.push({ t: e.t, step });
    byPerson.set(person, list);
  }
  const reached = new Array<number>(steps.length).fill(0);
  for (const list of byPerson.values()) {
    list.sort((a, b) => a.t - b.t);
    const startOf: Array<number | undefined> = new Array(steps.length).fill(undefined);
    let level = 0;
    for (const { t, step } of list) {
      if (step === 0) startOf[0] = t;
      else {
        const start = startOf[step - 1];
        if (start !== undefined && t <= start + windowMs) startOf[step] = start;
      }
      if (startOf[step] !== undefined) level = Math.max(level, step + 1);
    }
    for (let i = 0; i < level; i++) reached[i] = (reached[i] ?? 0) + 1;
  }
  return steps.map((step, i) => ({ step, users: reached[i] ?? 0 }));
}

const DAY = 86_400_000;

/** Daily retention: cohort = day of the first `start` in [from, to); retained[k] = came back `k` days later. */
export function modelRetention(
  events: readonly IdEvent[],
  start: string,
  returning: string,
  periods: number,
  from: number,
  to: number,
): Map<string, { size: number; retained: number[] }> {
  const { personOf } = createIdentityModel(events);
  const dayOf = (t: number): number => Math.floor(t / DAY) * DAY;
  const first = Math.floor(from / DAY) * DAY;
  const end = Math.ceil(to / DAY) * DAY;
  const until = end + periods * DAY;
  const cohortOf = new Map<string, number>();
  for (const e of events) {
    if (e.event !== start || e.t < first || e.t >= end) continue;
    const person = personOf(e);
    const day = dayOf(e.t);
    cohortOf.set(person, Math.min(cohortOf.get(person) ?? Infinity, day));
  }
  const cohorts = new Map<string, { size: number; retained: number[] }>();
  for (let day = first; day < end; day += DAY) {
    cohorts.set(new Date(day).toISOString().slice(0, 10), { size: 0, retained: new Array<number>(periods + 1).fill(0) });
  }
  for (const day of cohortOf.values()) {
    const c = cohorts.get(new Date(day).toISOString().slice(0, 10));
    if (c) c.size++;
  }
  const returned = new Set<string>();
  for (const e of events) {
    if (e.event !== returning || e.t < first || e.t >= until) continue;
    const person = personOf(e);
    const cohort = cohortOf.get(person);
    if (cohort === undefined) continue;
    const k = (dayOf(e.t) - cohort) / DAY;
    if (k < 0 || k > periods) continue;
    const key = `${person}\u0000${k}`;
    if (returned.has(key)) continue;
    returned.add(key);
    const c = cohorts.get(new Date(cohort).toISOString().slice(0, 10));
    if (c) c.retained[k] = (c.retained[k] ?? 0) + 1;
  }
  return cohorts;
}
