/**
 * What became of the events a Sluice SDK was given, with one meaning in every SDK. Each event ends
 * in exactly one of these (or is still queued or in flight).
 */
export interface DeliveryCounts {
  /** Events the collector accepted. */
  sent: number;
  /** Events the collector received but rejected as invalid (listed in a 200's `rejected`); never resent. */
  rejected: number;
  /**
   * Events the SDK discarded by its own policy, never accepted by the collector: the queue or storage
   * was full (the oldest go), an event was too large or invalid, or it came after shutdown.
   */
  dropped: number;
  /**
   * Events that were sent and never accepted: the status table said `drop`, a single event was still
   * too large after splitting, the retries ran out, or a shutdown deadline cut them off.
   */
  failed: number;
}
