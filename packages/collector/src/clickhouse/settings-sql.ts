/**
 * An insert may hold events of any number of months. ClickHouse refuses a block that spans more than
 * 100 partitions by default, with TOO_MANY_PARTS, and a writer takes that error for back-pressure
 * and retries it forever: one batch that imports nine years of history would stall the log for
 * good (measured on chDB: 101 months in one INSERT). 0 lifts the limit. Every insert into `events`
 * and the quarantine carries it (`insertSettings`); the tables stay partitioned by month.
 */
export const ANY_PARTITIONS = { max_partitions_per_insert_block: 0 } as const;

/**
 * `name = value, …` for a SETTINGS clause. A string value is put in single quotes as it is: pass only
 * values already checked to hold no quote (insert tokens are, by `checkToken`).
 */
export function settingsSql(settings: Readonly<Record<string, string | number>>): string {
  return Object.entries(settings)
    .map(([name, value]) => `${name} = ${typeof value === 'string' ? `'${value}'` : value}`)
    .join(', ');
}
