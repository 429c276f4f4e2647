import type { DropReason, DropReport } from './options';

/**
 * Counts events dropped on purpose and tells `onDrop` about them, coalesced: every drop of one
 * synchronous run is reported once per reason, in a microtask, so a burst of a million dropped
 * `track()` calls costs a million additions and a handful of callbacks. `afterReport` runs after each
 * report (dropped events settle pending flushes).
 */
export function createDropReports(onDrop: ((drop: DropReport) => void) | undefined, afterReport: () => void) {
  const pending = new Map<DropReason, number>();
  let dropped = 0;

  const report = () => {
    const drops = [...pending];
    pending.clear();
    for (const [reason, count] of drops) {
      try {
        onDrop?.({ reason, count });
      } catch {
        // a throwing callback must not break delivery
      }
    }
    afterReport();
  };

  return {
    drop(reason: DropReason, count: number): void {
      dropped += count;
      const before = pending.get(reason);
      pending.set(reason, (before ?? 0) + count);
      if (pending.size === 1 && before === undefined) queueMicrotask(report);
    },
    /** Events dropped so far. */
    get dropped(): number {
      return dropped;
    },
  };
}
