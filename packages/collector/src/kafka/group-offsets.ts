import type { Connection, Consumer } from '@platformatic/kafka';
import type { KafkaModule } from './client-module';


export interface CommittedOffset {
  /** The next offset to read; -1n when the group never committed this partition. */
  offset: bigint;
  metadata: string;
}

export type CommitResult = { ok: true } | { ok: false; fenced: boolean; error: unknown };

export interface GroupOffsets {
  /** The group's committed offsets, with their metadata, for these partitions. */
  fetch(partitions: readonly number[]): Promise<Map<number, CommittedOffset>>;
  /**
   * Commits one partition's offset with metadata as member `memberId` of `generationId`. The
   * broker refuses it (`fenced`) when that generation is over, i.e. after a rebalance: the
   * partition may belong to another consumer now, and nothing is retried under a newer generation.
   */
  commit(partition: number, offset: bigint, metadata: string, generationId: number, memberId: string): Promise<CommitResult>;
  close(): Promise<void>;
}

/** Errors after which the commit must not be retried: this member's view of the group is stale. */
const FENCING = new Set(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID', 'STALE_MEMBER_EPOCH']);
/** Errors after which the coordinator is looked up again. */
const MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);

/**
 * Offset commits and fetches that carry metadata, on a connection of its own to the group
 * coordinator. The client's `commit()` sends no metadata and, on a stale generation, rejoins and
 * commits again under the new one, which would let a consumer that lost a partition move its
 * offset; exactly-once needs the opposite, so these requests are sent as they are.
 */
export function createGroupOffsets(kafka: KafkaModule, consumer: Consumer, topic: string): GroupOffsets {
  let connection: Connection | undefined;

  /**
   * A connection emits 'error' when its broker goes away; without a listener Node would throw it
   * and end the process. The request in flight fails with it, and the next one reconnects.
   */
  function quiet(opened: Connection): Connection {
    opened.on('error', () => {
      if (connection === opened) connection = undefined;
    });
    return opened;
  }

  /** Asks each known broker in turn which one coordinates the group (the client's own answer is cached). */
  async function coordinator(): Promise<Connection> {
    if (connection?.isConnected()) return connection;
    await connection?.close().catch(() => {});
    connection = undefined;
    const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true });
    let lastError: unknown;
    for (const broker of metadata.brokers.values()) {
      const probe = quiet(new kafka.Connection(`${consumer.clientId}-offsets`));
      try {
        await probe.connect(broker.host, broker.port);
        const found = await kafka.findCoordinatorV6.api.async(probe, 0, [consumer.groupId]);
        const target = found.coordinators[0];
        if (!target || target.errorCode !== 0) throw new Error(`no coordinator for group ${consumer.groupId} yet`);
        if (target.host === broker.host && target.port === broker.port) {
          connection = probe;
          return probe;
        }
        await probe.close().catch(() => {});
        const opened = quiet(new kafka.Connection(`${consumer.clientId}-offsets`));
        await opened.connect(target.host, target.port);
        connection = opened;
        return opened;
      } catch (error) {
        lastError = error;
        await probe.close().catch(() => {});
      }
    }
    throw lastError ?? new Error('no broker answered');
  }

  async function forget(error: unknown): Promise<void> {
    if (codes(error).some((code) => MOVED.has(code)) || !connection?.isConnected()) {
      await connection?.close().catch(() => {});
      connection = undefined;
    }
  }

  return {
    async fetch(partitions) {
      const conn = await coordinator();
      try {
        const response = await kafka.offsetFetchV9.api.async(
          conn,
          [{ groupId: consumer.groupId, memberId: null, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: [...partitions] }] }],
          true,
        );
        const out = new Map<number, CommittedOffset>();
        for (const group of response.groups) {
          for (const each of group.topics) {
            for (const partition of each.partitions) out.set(partition.partitionIndex, { offset: partition.committedOffset, metadata: partition.metadata ?? '' });
          }
        }
        return out;
      } catch (error) {
        await forget(error);
        throw error;
      }
    },

    async commit(partition, offset, metadata, generationId, memberId) {
      let conn: Connection;
      try {
        conn = await coordinator();
      } catch (error) {
        return { ok: false, fenced: false, error };
      }
      try {
        await kafka.offsetCommitV9.api.async(conn, consumer.groupId, generationId, memberId, null, [
          { name: topic, partitions: [{ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: metadata }] },
        ]);
        return { ok: true };
      } catch (error) {
        await forget(error);
        return { ok: false, fenced: codes(error).some((code) => FENCING.has(code)), error };
      }
    },

    async close() {
      await connection?.close().catch(() => {});
      connection = undefined;
    },
  };
}

/** The broker error names inside a client error (`apiId` of each ProtocolError). */
export function codes(error: unknown): string[] {
  const out: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (!value || typeof value !== 'object' || depth > 4) return;
    const apiId = (value as { apiId?: unknown }).apiId;
    if (typeof apiId === 'string') out.push(apiId);
    const inner = (value as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const each of inner) visit(each, depth + 1);
    visit((value as { cause?: unknown }).cause, depth + 1);
  };
  visit(error, 0);
  return out;
}
