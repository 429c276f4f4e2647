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
  const state = { bytes: 0 };
  const issue = walk(value, 1, '', state);
  if (issue) return issue;
  if (state.bytes > LIMITS.maxEventBytes) {
    return {
      reason: `event is about ${state.bytes} bytes as JSON, over the limit of ${LIMITS.maxEventBytes}; move large values out of the event or trim them`,
      path: '',
    };
  }
  return undefined;
}

function walk(value: unknown, depth: number, path: string, state: { bytes: number }): GuardIssue | undefined {
  switch (typeof value) {
    case 'string':
      if (value.length > LIMITS.maxStringLength) {
        return { reason: `string of ${value.length} characters is over the limit of ${LIMITS.maxStringLength}; truncate it before sending`, path };
      }
      if (!isWellFormed(value)) return { reason: LONE_SURROGATE, path };
      state.bytes += value.length + 2;
      return undefined;
    case 'number':
      if (!Number.isFinite(value)) return { reason: 'number must be finite', path };
      state.bytes += 8;
      return undefined;
    case 'boolean':
      state.bytes += 5;
      return undefined;
    case 'object':
      break;
    default:
      return { reason: `a ${typeof value} cannot be sent; use strings, numbers, booleans, null, arrays and plain objects`, path };
  }
  if (value === null) {
    state.bytes += 4;
    return undefined;
  }
  if (depth > LIMITS.maxDepth) {
    return { reason: `nesting is deeper than ${LIMITS.maxDepth} levels; flatten the value`, path };
  }
  if (Array.isArray(value)) {
    if (value.length > LIMITS.maxProperties) {
      return { reason: `array has ${value.length} items, over the limit of ${LIMITS.maxProperties}`, path };
    }
    state.bytes += 2;
    for (let i = 0; i < value.length; i++) {
      const issue = walk(value[i], depth + 1, path ? `${path}.${i}` : String(i), state);
      if (issue) return issue;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return { reason: 'only plain objects can be sent (no class instances, dates, maps or buffers)', path };
  }
  let count = 0;
  state.bytes += 2;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++count > LIMITS.maxProperties) {
      return { reason: `object has more than ${LIMITS.maxProperties} keys; send fewer properties`, path };
    }
    const childPath = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return { reason: `key "${key}" is not allowed`, path: childPath };
    if (!isWellFormed(key)) return { reason: LONE_SURROGATE, path: childPath.slice(0, 64) };
    if (key.length > LIMITS.maxNameLength) {
      return { reason: `key is ${key.length} characters, over the limit of ${LIMITS.maxNameLength}`, path: childPath.slice(0, 64) };
    }
    state.bytes += key.length + 3;
    const issue = walk((value as Record<string, unknown>)[key], depth + 1, childPath, state);
    if (issue) return issue;
  }
  // JSON.parse and msgpack decoders can create an own "__proto__" key that for..in still lists,
  // but an object built by hand may hide it; check explicitly so the rule holds for every caller.
  if (Object.hasOwn(value, '__proto__')) return { reason: 'key "__proto__" is not allowed', path: path ? `${path}.__proto__` : '__proto__' };
  return undefined;
}
