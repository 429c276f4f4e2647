import type { z } from 'zod';
import { LIMITS } from './limits';
import type { Properties } from './types';

/** The zod schema of each event's `properties`, by event name. */
export type EventSchemas = Record<string, z.ZodType>;

export interface Taxonomy<E extends EventSchemas = EventSchemas, T extends z.ZodType | undefined = z.ZodType | undefined> {
  readonly events: E;
  /** Schema of `identify` traits, when given. */
  readonly traits: T;
  /** What the collector does with a track event whose name is not in `events`. */
  readonly unknownEvents: 'allow' | 'reject';
}

export type AnyTaxonomy = Taxonomy<EventSchemas, z.ZodType | undefined>;

export interface TaxonomyDefinition<E extends EventSchemas, T extends z.ZodType | undefined> {
  events: E;
  traits?: T;
  /** `'allow'` (the default) stores unknown track events unchecked; `'reject'` quarantines them. */
  unknownEvents?: 'allow' | 'reject';
}

/**
 * Defines the event taxonomy once. Pass the result (or its type) to the SDKs for typed `track()`
 * calls and to the collector for validation and ClickHouse type hints.
 *
 * ```ts
 * const taxonomy = defineTaxonomy({
 *   events: { 'Order Placed': z.object({ total: z.number(), currency: z.enum(['EUR', 'USD']) }) },
 * });
 * ```
 */
export function defineTaxonomy<const E extends EventSchemas, T extends z.ZodType | undefined = undefined>(
  definition: TaxonomyDefinition<E, T>,
): Taxonomy<E, T> {
  for (const name of Object.keys(definition.events)) {
    if (name.length === 0 || name.length > LIMITS.maxNameLength) {
      throw new TypeError(`defineTaxonomy: event name "${name.slice(0, 40)}" must be 1 to ${LIMITS.maxNameLength} characters long`);
    }
  }
  return Object.freeze({
    events: definition.events,
    traits: definition.traits as T,
    unknownEvents: definition.unknownEvents ?? 'allow',
  });
}

// ---- Types that make SDK calls checked against a taxonomy, and open when there is none ----

/** Event names a `track()` call accepts: the taxonomy's names, or any string without a taxonomy. */
export type EventName<T> = [T] extends [AnyTaxonomy] ? Extract<keyof T['events'], string> : string;

/** The `properties` a `track()` call of event `N` accepts. */
export type EventProperties<T, N> = [T] extends [AnyTaxonomy]
  ? N extends keyof T['events']
    ? z.input<T['events'][N]>
    : never
  : Properties;

/** The traits an `identify()` call accepts. */
export type Traits<T> = [T] extends [AnyTaxonomy] ? (T['traits'] extends z.ZodType ? z.input<T['traits']> : Properties) : Properties;

/** Positional properties argument: optional when every property is optional, required otherwise. */
export type PropertiesArgs<T, N> = {} extends EventProperties<T, N>
  ? [properties?: EventProperties<T, N>]
  : [properties: EventProperties<T, N>];

/** The `properties` field of an object-style call: optional when every property is optional. */
export type PropertiesField<T, N> = {} extends EventProperties<T, N>
  ? { properties?: EventProperties<T, N> }
  : { properties: EventProperties<T, N> };

/** Who an event is about: a `userId`, an `anonymousId`, or both. */
export type Identity = { userId: string; anonymousId?: string } | { userId?: string; anonymousId: string };
