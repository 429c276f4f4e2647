/**
 * The tables the migrations create and everything else reads or writes, by role. Their names are
 * part of the contract (DESIGN.md, "ClickHouse"): users write SQL against them.
 */
export const TABLES = {
  events: 'events',
  quarantine: 'events_quarantine',
  hourly: 'events_hourly',
  daily: 'events_daily',
  /** Each event's id key, name and time, ordered by id, for person-level funnels, retention and counts of people. */
  eventsById: 'events_by_id',
  /** The identity graph (ddl-identity.ts): anonymous id → user, and alias → user. */
  identityLinks: 'identity_links',
  identityAliases: 'identity_aliases',
  /** `identity_links` in 64-bit id keys (ddl-identity-keys.ts), the form person-level queries read. */
  identityLinkKeys: 'identity_link_keys',
  migrations: 'schema_migrations',
} as const;

export type TableName = (typeof TABLES)[keyof typeof TABLES];
