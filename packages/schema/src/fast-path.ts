import { batchSchema, eventSchemas } from './envelope';
import { LIMITS } from './limits';
import { toEpochMillis } from './timestamp';
import { EVENT_TYPES, type EventType } from './types';

/**
 * A hand-written reading of the envelope schemas (envelope.ts) for the events that clients send
 * every day, because zod costs about five times JSON.parse on them. It never rejects: it either
 * returns exactly what zod's `safeParse(...).data` would (same values, same keys, same key order),
 * or `undefined` for "not sure", and the caller asks zod, which stays the only source of rejections
 * and their messages. The property test fast-path.property.test.ts holds the two paths equal.
 *
 * Which fields each type has, and their order, is read from the zod shapes themselves; only how
 * each kind of field reads is written out here (`KINDS`). A field added to a shape without a kind
 * here sends every event of that type to zod, so the two can never silently drift apart.
 */

/**
 * How each field of the envelope reads, named after the helpers in envelope.ts. `required` fields
 * make an absent value "not sure" (zod rejects it); optional ones are left out of the result.
 */
type Kind = 'optionalId' | 'requiredId' | 'timestamp' | 'record' | 'name' | 'optionalName' | 'text' | 'writeKey' | 'type' | 'batch';

const KINDS: Readonly<Record<string, Kind>> = {
  messageId: 'optionalId',
  userId: 'optionalId',
  anonymousId: 'optionalId',
  timestamp: 'timestamp',
  originalTimestamp: 'timestamp',
  sentAt: 'timestamp',
  context: 'record',
  integrations: 'record',
  properties: 'record',
  traits: 'record',
  type: 'type',
  event: 'name',
  name: 'optionalName',
  category: 'text',
  groupId: 'requiredId',
  previousId: 'requiredId',
  writeKey: 'writeKey',
  batch: 'batch',
};

const REQUIRED: ReadonlySet<Kind> = new Set<Kind>(['requiredId', 'name', 'type', 'batch']);

/** "Not sure": zod decides. */
const UNSURE: unique symbol = Symbol('unsure');

interface Plan {
  /** The shape's fields, in the shape's order, which is the order of zod's output. */
  fields: ReadonlyArray<readonly [key: string, kind: Kind]>;
  keys: ReadonlySet<string>;
}

/** A plan for a zod shape, or `undefined` when a field has no known kind (then zod reads every event). */
function planOf(shape: Record<string, unknown>): Plan | undefined {
  const fields: Array<readonly [string, Kind]> = [];
  for (const key of Object.keys(shape)) {
    const kind = KINDS[key];
    if (kind === undefined) return undefined;
    fields.push([key, kind]);
  }
  return { fields, keys: new Set(Object.keys(shape)) };
}

const EVENT_PLANS = new Map<EventType, Plan | undefined>(EVENT_TYPES.map((type) => [type, planOf(eventSchemas[type].shape)]));
const BATCH_PLAN = planOf(batchSchema.shape);

/**
 * What `eventSchemas[type].safeParse(raw.type === undefined ? { ...raw, type } : raw).data` would
 * be, or `undefined` when zod has to decide. `raw` is a plain object that `guardEvent` accepted.
 */
export function fastEventData(raw: Record<string, unknown>, type: EventType): Record<string, unknown> | undefined {
  const plan = EVENT_PLANS.get(type);
  if (plan === undefined) return undefined;
  if (raw.type !== undefined && raw.type !== type) return undefined;
  return readObject(raw, plan, type);
}

/**
 * What `batchSchema.safeParse(input).data` would be, or `undefined` when zod has to decide.
 * `input` is a plain object whose `batch` is an array.
 */
export function fastBatchData(input: Record<string, unknown>): Record<string, unknown> | undefined {
  if (BATCH_PLAN === undefined) return undefined;
  return readObject(input, BATCH_PLAN, undefined);
}

function readObject(raw: Record<string, unknown>, plan: Plan, type: EventType | undefined): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, kind] of plan.fields) {
    const value = kind === 'type' ? type : raw[key];
    if (value === undefined) {
      // guardEvent refuses `undefined` values, so undefined here means the key is absent.
      if (REQUIRED.has(kind)) return undefined;
      continue;
    }
    const read = readField(kind, value);
    if (read === UNSURE) return undefined;
    out[key] = read;
  }
  // Unknown top-level fields are kept as they came (looseObject), after the shape's own fields.
  for (const key in raw) {
    if (plan.keys.has(key)) continue;
    if (key === '__proto__') return undefined;
    out[key] = raw[key];
  }
  return out;
}

function readField(kind: Kind, value: unknown): unknown {
  switch (kind) {
    case 'optionalId':
      if (value === null || value === '') return undefined;
      if (typeof value === 'string') return value.length <= LIMITS.maxIdLength ? value : UNSURE;
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : UNSURE;
    case 'requiredId':
      if (typeof value === 'string') return value.length >= 1 && value.length <= LIMITS.maxIdLength ? value : UNSURE;
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : UNSURE;
    case 'timestamp':
      if (value === null) return undefined;
      if (typeof value !== 'string' && typeof value !== 'number') return UNSURE;
      return toEpochMillis(value) ?? UNSURE;
    case 'record':
      if (value === null) return undefined;
      return isPlainRecord(value) ? { ...value } : UNSURE;
    case 'name':
      return typeof value === 'string' && value.length >= 1 && value.length <= LIMITS.maxNameLength ? value : UNSURE;
    case 'optionalName':
      if (value === null || value === '') return undefined;
      return typeof value === 'string' && value.length <= LIMITS.maxNameLength ? value : UNSURE;
    case 'text':
      if (value === null) return undefined;
      return typeof value === 'string' && value.length <= LIMITS.maxStringLength ? value : UNSURE;
    case 'writeKey':
      if (value === null) return undefined;
      return typeof value === 'string' && value.length <= LIMITS.maxIdLength ? value : UNSURE;
    case 'type':
      return value;
    case 'batch':
      // z.array(z.unknown()) copies the array.
      return Array.isArray(value) ? value.slice() : UNSURE;
  }
}

/** A plain object zod's `z.record` copies key for key: no `__proto__` key, which zod would drop. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(value, '__proto__');
}
