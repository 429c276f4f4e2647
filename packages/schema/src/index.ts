export { LIMITS } from './limits';
export type { Limits } from './limits';
export { EVENT_TYPES } from './types';
export type { Context, EventType, Properties, Rejection, RejectionCode, SluiceEvent, WireBatch, WireEvent } from './types';
export { batchSchema, contextSchema, eventSchemas } from './envelope';
export { parseBatch, parseEvent, withBatchContext } from './parse-batch';
export type { BatchErrorCode, ParseBatchResult, ParseEventResult, ParsedEvent, ParseOptions } from './parse-batch';
export { toEpochMillis } from './timestamp';
export { defineTaxonomy } from './taxonomy';
export type {
  AnyTaxonomy,
  EventName,
  EventProperties,
  EventSchemas,
  Identity,
  PropertiesArgs,
  PropertiesField,
  Taxonomy,
  TaxonomyDefinition,
  Traits,
} from './taxonomy';
export { propertyTypeHints } from './clickhouse-hints';
export { taxonomyToJsonSchema } from './json-schema';
