/**
 * Every size limit of the Sluice wire protocol, in one place. The collector enforces them, the SDKs
 * batch within them, and the docs quote them from here.
 */
export const LIMITS = {
  /** Largest single event, measured as its JSON size in bytes (Segment's limit is 32 KB). */
  maxEventBytes: 32 * 1024,
  /** Largest request body after decompression (Segment's limit is 500 KB). */
  maxBatchBytes: 512 * 1024,
  /** Most events in one batch. */
  maxBatchEvents: 2_000,
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
