import { LIMITS } from './limits';

/** Keys that could reach `Object.prototype` if a consumer ever merged the object naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A string with half of a UTF-16 surrogate pair (`"\ud800"`) is valid JSON text but not Unicode:
 * ClickHouse refuses the row at insert, so it is rejected here, visibly, rather than accepted and
 * lost to the writer's quarantine.
 */
const LONE_SURROGATE = 'string is not valid Unicode (it has half of a surrogate pair, such as "\\ud800"); send well-formed UTF-16/UTF-8 text';

/** `String.prototype.isWellFormed` (Node 20+), typed here because the ES2022 lib does not declare it. */
function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}

export interface GuardIssue {
  reason: string;
  path: string;
}

/**
 * Walks a decoded event before any schema sees it and rejects what could hurt a consumer:
 * non-plain objects, prototype keys, deep nesting, huge strings, too many keys, non-finite numbers.
 * It also estimates the event's JSON size, so an oversized event is refused without re-serialising it.
 * Returns `undefined` when the value is acceptable.
 */
export function guardEvent(value: unknown): GuardIssue | undefined {
  const state: WalkState = { bytes: 0, path: [] };
  const issue = walk(value, 1, state);
  if (issue) return issue;
  if (state.bytes > LIMITS.maxEventBytes) {
    return {
      reason: `event is about ${state.bytes} bytes as JSON, over the limit of ${LIMITS.maxEventBytes}; move large values out of the event or trim them`,
      path: '',
    };
  }
  return undefined;
}

/**
 * The walk's running size, and the keys from the event down to the value being checked. The dotted
 * path is joined only for an issue: building it for every value was a string per key of every
 * accepted event.
 */
interface WalkState {
  bytes: number;
  path: Array<string | number>;
}

function issueAt(state: WalkState, reason: string, key?: string | number): GuardIssue {
  const path = key === undefined ? state.path : [...state.path, key];
  return { reason, path: path.join('.') };
}

function walk(value: unknown, depth: number, state: WalkState): GuardIssue | undefined {
  switch (typeof value) {
    case 'string':
      if (value.length > LIMITS.maxStringLength) {
        return issueAt(state, `string of ${value.length} characters is over the limit of ${LIMITS.maxStringLength}; truncate it before sending`);
      }
      if (!isWellFormed(value)) return issueAt(state, LONE_SURROGATE);
      state.bytes += value.length + 2;
      return undefined;
    case 'number':
      if (!Number.isFinite(value)) return issueAt(state, 'number must be finite');
      state.bytes += 8;
      return undefined;
    case 'boolean':
      state.bytes += 5;
      return undefined;
    case 'object':
      break;
    default:
      return issueAt(state, `a ${typeof value} cannot be sent; use strings, numbers, booleans, null, arrays and plain objects`);
  }
  if (value === null) {
    state.bytes += 4;
    return undefined;
  }
  if (depth > LIMITS.maxDepth) {
    return issueAt(state, `nesting is deeper than ${LIMITS.maxDepth} levels; flatten the value`);
  }
  if (Array.isArray(value)) {
    if (value.length > LIMITS.maxProperties) {
      return issueAt(state, `array has ${value.length} items, over the limit of ${LIMITS.maxProperties}`);
    }
    state.bytes += 2;
    for (let i = 0; i < value.length; i++) {
      state.path.push(i);
      const issue = walk(value[i], depth + 1, state);
      state.path.pop();
      if (issue) return issue;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return issueAt(state, 'only plain objects can be sent (no class instances, dates, maps or buffers)');
  }
  let count = 0;
  state.bytes += 2;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++count > LIMITS.maxProperties) {
      return issueAt(state, `object has more than ${LIMITS.maxProperties} keys; send fewer properties`);
    }
    if (FORBIDDEN_KEYS.has(key)) return issueAt(state, `key "${key}" is not allowed`, key);
    if (!isWellFormed(key)) return clipped(issueAt(state, LONE_SURROGATE, key));
    if (key.length > LIMITS.maxNameLength) {
      return clipped(issueAt(state, `key is ${key.length} characters, over the limit of ${LIMITS.maxNameLength}`, key));
    }
    state.bytes += key.length + 3;
    state.path.push(key);
    const issue = walk((value as Record<string, unknown>)[key], depth + 1, state);
    state.path.pop();
    if (issue) return issue;
  }
  // JSON.parse and msgpack decoders can create an own "__proto__" key that for..in still lists,
  // but an object built by hand may hide it; check explicitly so the rule holds for every caller.
  if (Object.hasOwn(value, '__proto__')) return issueAt(state, 'key "__proto__" is not allowed', '__proto__');
  return undefined;
}

/** A path that ends in an unreadable or overlong key, cut to 64 characters. */
function clipped(issue: GuardIssue): GuardIssue {
  return { ...issue, path: issue.path.slice(0, 64) };
}
