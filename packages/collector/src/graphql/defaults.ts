/** Every default of the query API (`POST /graphql`), its answer cache and the dashboard's questions, in one place. */
export const QUERY_API_DEFAULTS = {
  /** An answer is reused from memory while younger than this, unless rows landed since (see docs/querying.md). */
  cacheTtlMs: 60_000,
  /** Memory the cached answers may take (estimated as UTF-16 bytes of their JSON); least recently used go first. */
  cacheMaxBytes: 32 * 1024 * 1024,
  /** ClickHouse stops a question's query after this (`max_execution_time`), and the answer is an error. */
  queryTimeoutMs: 10_000,
  /** How long after the timeout the client stops waiting if ClickHouse did not stop first. */
  abortGraceMs: 1_000,
  /** Deepest selection a GraphQL document may have (introspection is not counted). */
  maxDepth: 6,
  /** Largest cost of one GraphQL document: the sum of its fields' costs (see FIELD_COSTS). */
  maxCost: 40,
  /** Bytes a GraphQL request body may have. */
  maxBodyBytes: 64 * 1024,
  /** How far back `since` looks when no range is given. */
  since: '30d',
  /** Event names listed for autocompletion. */
  maxEventNames: 500,
  /** Rows the quarantine question returns (largest counts first). */
  maxQuarantineRows: 200,
} as const;

/**
 * What each field costs toward `maxCost`: a scan of raw events costs most, an answer from rollups
 * less, a listing least. Fields not named cost 0 (the object fields of an answer).
 */
export const FIELD_COSTS: Readonly<Record<string, number>> = {
  funnel: 10,
  retention: 10,
  trends: 5,
  topEvents: 3,
  users: 3,
  quarantine: 3,
  live: 3,
  eventNames: 2,
  properties: 2,
  range: 0,
};
