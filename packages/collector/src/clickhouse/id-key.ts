/**
 * The 64-bit key of an id (a distinct_id, a userId, an anonymousId), the one expression that the
 * `events_by_id` table stores and person-level queries compute, so the two always agree.
 *
 * People are counted by this key rather than by the id itself: grouping, joining and counting
 * distinct UInt64s costs a fraction of doing it on strings. On 10M events and 1M people
 * (BENCHMARKS.md) the person-level funnel took 0.6× the CPU. Two of 1.3M ids share a key with a
 * probability of about 5 × 10⁻⁸, which would count two people as one.
 */
export function idKey(expr: string): string {
  return `cityHash64(${expr})`;
}
