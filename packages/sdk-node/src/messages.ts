import type { AnyTaxonomy, Context, EventName, Identity, Properties, PropertiesField, Traits } from '@sluice/schema';

/** When the event happened: a Date, an ISO-8601 string or epoch milliseconds (default: now). */
export type Timestamp = Date | string | number;

/** Fields every call accepts besides its own. */
export interface CommonFields {
  timestamp?: Timestamp;
  /** Merged over the `context` option; `library` is always the SDK's. */
  context?: Context;
  /** Defaults to a UUIDv7 generated at the call; pass your own only to make a replay idempotent. */
  messageId?: string;
  integrations?: Record<string, unknown>;
}

/** `traits` of an identify call: required when the taxonomy's traits have required fields. */
export type TraitsField<T> = {} extends Traits<T> ? { traits?: Traits<T> } : { traits: Traits<T> };

/** `track({ event, userId | anonymousId, properties })`, typed by the taxonomy `T` when there is one. */
export type TrackMessage<T, N extends EventName<T> = EventName<T>> = Identity & CommonFields & { event: N } & PropertiesField<T, N>;

export type IdentifyMessage<T> = Identity & CommonFields & TraitsField<T>;

export type PageMessage = Identity & CommonFields & { name?: string; category?: string; properties?: Properties };

export type ScreenMessage = PageMessage;

export type GroupMessage = Identity & CommonFields & { groupId: string; traits?: Properties };

/** Links `previousId` (an anonymousId or an old userId) to the new `userId`. */
export type AliasMessage = CommonFields & { userId: string; previousId: string; anonymousId?: string };

/** A taxonomy type or `undefined` (no taxonomy: every call is open). */
export type TaxonomyParam = AnyTaxonomy | undefined;
