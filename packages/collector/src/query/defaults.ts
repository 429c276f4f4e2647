/** Every default of the query layer and `sluice query`, in one place. */
export const QUERY_DEFAULTS = {
  /** How far back a question looks when `from` is not given. */
  sinceMs: 30 * 24 * 3600 * 1000,
  /** Funnel conversion window when none is given. */
  funnelWindow: '7d',
  /** Who every query counts: people, with their ids linked (docs/identity.md). */
  actor: 'person' as const,
  retentionPeriod: 'week' as const,
  retentionPeriods: 8,
  topEventsLimit: 10,
  /** windowFunnel takes at most 32 conditions. */
  maxFunnelSteps: 32,
  /** Largest number of buckets a trend or cohorts a retention may return, so a typo cannot ask for millions. */
  maxBuckets: 10_000,
  /** Width of the unicode bars `sluice query` prints. */
  barWidth: 30,
} as const;
