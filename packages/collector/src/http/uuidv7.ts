import { createUuidV7 } from '@sluice/schema/wire';

export { UUIDV7_PATTERN } from '@sluice/schema/wire';

const nextId = createUuidV7();

/**
 * A messageId for an event that came without one: a UUIDv7 from `@sluice/schema/wire`, the one
 * implementation the SDKs use too, so ids sort by time whoever made them.
 */
export const uuidv7 = (now: number = Date.now()): string => nextId(now);
