/** Largest single event, measured as its JSON size in bytes (Segment's limit is 32 KB). */
export const MAX_EVENT_BYTES = 32 * 1024;
/** Most events in one batch. */
export const MAX_BATCH_EVENTS = 2_000;

/**
 * Every size limit of the Sluice wire protocol, in one place. The collector enforces them, the SDKs
 * batch within them, and the docs quote them from here. The two a browser SDK needs are constants of
 * their own too: a bundler inlines a constant, but keeps every property of an object it reads one of.
 */
export const LIMITS = {
  /** Largest single event, measured as its JSON size in bytes (Segment's limit is 32 KB). */
  maxEventBytes: MAX_EVENT_BYTES,
  /** Largest request body after decompression, 512 KiB (Segment's limit is 500 KB); a literal, as an object holding an expression is not dropped from bundles. */
  maxBatchBytes: 524_288,
  /** Most events in one batch. */
  maxBatchEvents: MAX_BATCH_EVENTS,
  /** Longest string value anywhere in an event, in UTF-16 code units. */
  maxStringLength: 8_192,
  /** Deepest nesting of objects and arrays inside an event (the event itself is depth 1). */
  maxDepth: 10,
  /** Most keys in any one object, and most items in any one array, inside an event. */
  maxProperties: 256,
  /** Longest event name (`event` of a track call, `name` of a page or screen). */
  maxNameLength: 200,
  /** Longest id: `messageId`, `userId`, `anonymousId`, `groupId`, `previousId`, `writeKey`. */
  maxIdLength: 256,
} as const;

export type Limits = typeof LIMITS;
