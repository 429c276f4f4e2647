/**
 * Where each not-yet-committed record ends and when it was appended, for sequence numbers
 * `firstSeq … firstSeq + length - 1`. 16 bytes per record in two growable ring buffers, so memory
 * follows the uncommitted records (bounded by the log's maxBytes), not the history.
 *
 * Offsets are "logical": record bytes only, contiguous across segments (segment headers excluded).
 */
export interface RecordIndex {
  readonly firstSeq: number;
  readonly length: number;
  push(end: number, appendedAt: number): void;
  /** Drops every entry with a sequence number ≤ seq. */
  dropThrough(seq: number): void;
  end(seq: number): number;
  appendedAt(seq: number): number;
}

export function createRecordIndex(firstSeq: number): RecordIndex {
  let ends = new Float64Array(1024);
  let times = new Float64Array(1024);
  let head = 0;
  let length = 0;
  let first = firstSeq;

  function slot(seq: number): number {
    const i = seq - first;
    if (i < 0 || i >= length) throw new RangeError(`record ${seq} is not in the index (${first}…${first + length - 1})`);
    return (head + i) % ends.length;
  }

  function grow(): void {
    const capacity = ends.length * 2;
    const nextEnds = new Float64Array(capacity);
    const nextTimes = new Float64Array(capacity);
    for (let i = 0; i < length; i++) {
      const from = (head + i) % ends.length;
      nextEnds[i] = ends[from] as number;
      nextTimes[i] = times[from] as number;
    }
    ends = nextEnds;
    times = nextTimes;
    head = 0;
  }

  return {
    get firstSeq() {
      return first;
    },
    get length() {
      return length;
    },
    push(end, appendedAt) {
      if (length === ends.length) grow();
      const at = (head + length) % ends.length;
      ends[at] = end;
      times[at] = appendedAt;
      length++;
    },
    dropThrough(seq) {
      const n = Math.min(Math.max(seq - first + 1, 0), length);
      head = (head + n) % ends.length;
      length -= n;
      first += n;
      if (length === 0) first = Math.max(first, seq + 1);
    },
    end: (seq) => ends[slot(seq)] as number,
    appendedAt: (seq) => times[slot(seq)] as number,
  };
}
