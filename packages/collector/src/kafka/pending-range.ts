import { createHash } from 'node:crypto';

/**
 * A partition's batch, `first`…`last` offsets inclusive. Before a consumer inserts a batch it
 * commits the group offset `first` with this range as the offset's metadata:
 *
 *   sluice:pending:<first>-<last>
 *
 * so whoever owns the partition next (the same consumer after a crash, or another one after a
 * rebalance) re-forms exactly that batch and re-sends it with the same dedup token. After the
 * insert, the offset `last + 1` is committed with empty metadata.
 */
export interface OffsetRange {
  first: bigint;
  last: bigint;
}

const PREFIX = 'sluice:pending:';

export function encodePending(range: OffsetRange): string {
  return `${PREFIX}${range.first}-${range.last}`;
}

/** The pending range in an offset's metadata, or undefined (none, or written by another tool). */
export function decodePending(metadata: string | null | undefined): OffsetRange | undefined {
  if (!metadata?.startsWith(PREFIX)) return undefined;
  const match = /^(\d+)-(\d+)$/.exec(metadata.slice(PREFIX.length));
  if (!match) return undefined;
  const range = { first: BigInt(match[1] as string), last: BigInt(match[2] as string) };
  return range.last >= range.first ? range : undefined;
}

/**
 * `kafka-<topic>-<partition>-<first>-<last>`: the same range of the same partition always gets the
 * same `insert_deduplication_token`, whichever consumer sends it. Topics whose name would make the
 * token longer than ClickHouse-friendly 200 characters are replaced by a hash of the name.
 */
export function batchToken(topic: string, partition: number, range: OffsetRange): string {
  const token = `kafka-${topic}-${partition}-${range.first}-${range.last}`;
  if (token.length <= 200) return token;
  const digest = createHash('sha256').update(topic).digest('hex').slice(0, 32);
  return `kafka-${digest}-${partition}-${range.first}-${range.last}`;
}
