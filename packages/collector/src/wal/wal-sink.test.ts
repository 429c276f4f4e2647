import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRow, RowBatch } from '../rows';
import type { WalBatch } from './wal-batch';
import { createWalSink } from './wal-sink';
import { createWriteAheadLog } from './write-ahead-log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-wal-sink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function event(id: string): EventRow {
  return {
    project: 'p', message_id: id, type: 'track', event: 'Clicked', user_id: 'u', anonymous_id: '', distinct_id: 'u',
    session_id: '', group_id: '', previous_id: '', timestamp: 1_700_000_000_000, original_timestamp: 1_700_000_000_000,
    sent_at: 1_700_000_000_000, received_at: 1_700_000_000_000, properties: { n: 1 }, traits: {}, context: {},
    page_url: '', page_path: '', referrer: '', utm_source: '', utm_medium: '', utm_campaign: '', locale: '',
    library_name: 'test', library_version: '0',
  };
}

const batchOf = (ids: string[], quarantined = 0): RowBatch => ({
  events: ids.map(event),
  quarantine: Array.from({ length: quarantined }, (_, i) => ({ project: 'p', received_at: 1, message_id: `q${i}`, reason: 'bad', path: '', raw: '{}' })),
});

const idsOf = (batch: WalBatch): string[] =>
  batch.events.toString('utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as EventRow).message_id);

const fast = { batchMaxDelayMs: 20, retry: { baseMs: 5, capMs: 20 }, random: () => 1 };

describe('WAL sink', () => {
  it('drains written rows into inserts with range tokens, and commits after each', async () => {
    const wal = await createWriteAheadLog({ dir });
    const batches: WalBatch[] = [];
    const sink = createWalSink({ wal, insert: async (b) => void batches.push(b), ...fast, batchMaxRows: 25 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => sink.write(batchOf(Array.from({ length: 10 }, (_, j) => `m${i}-${j}`), 1))));
    await sink.drained();
    const ids = batches.flatMap(idsOf);
    expect(ids.length).toBe(100);
    expect(new Set(ids).size).toBe(100);
    expect(batches.reduce((n, b) => n + b.quarantineRows, 0)).toBe(10);
    for (const b of batches) {
      expect(b.token).toBe(`wal-${wal.logId}-${b.first}-${b.last}`);
      expect(b.eventRows + b.quarantineRows).toBeLessThanOrEqual(25);
    }
    // Ranges are contiguous, in order, and cover the log exactly once.
    expect(batches.map((b) => [b.first, b.last]).flat()).toEqual(batches.map((b) => [b.first, b.last]).flat().sort((a, b) => a - b));
    expect(batches[0]?.first).toBe(1);
    expect(batches.at(-1)?.last).toBe(10);
    expect(wal.cursor()).toMatchObject({ committed: 10, pending: null });
    await sink.close(1_000);
  });

  it('keeps retrying a failing insert with the same token; the log fills, write answers overloaded, ready turns false', async () => {
    const payloadBytes = 1_000;
    const wal = await createWriteAheadLog({ dir, maxBytes: 20 * payloadBytes });
    let down = true;
    const tokens: string[] = [];
    const landed: string[] = [];
    const sink = createWalSink({
      wal,
      ...fast,
      insert: async (b) => {
        tokens.push(b.token);
        if (down) throw new Error('ECONNREFUSED');
        landed.push(...idsOf(b));
      },
    });
    expect(await sink.ready()).toBe(true);
    let accepted = 0;
    let overloaded = 0;
    for (let i = 0; i < 40; i++) {
      try {
        await sink.write(batchOf([`id-${i}`]));
        accepted++;
      } catch (error) {
        expect(error).toMatchObject({ code: 'overloaded', status: 503 });
        overloaded++;
      }
    }
    expect(accepted).toBeGreaterThan(5);
    expect(overloaded).toBeGreaterThan(0);
    expect(await sink.ready()).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(tokens.length).toBeGreaterThan(2);
    expect(new Set(tokens).size).toBe(1); // the same batch, the same token, every time
    down = false;
    await sink.drained();
    expect(landed.length).toBe(accepted);
    expect(await sink.ready()).toBe(true);
    await sink.close(1_000);
  });

  it('re-sends exactly the recorded range after a crash, even when more records arrived since', async () => {
    const first = await createWriteAheadLog({ dir });
    const attempts: WalBatch[] = [];
    const hanging = createWalSink({
      wal: first,
      ...fast,
      insert: (b, signal) => {
        attempts.push(b);
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    });
    await hanging.write(batchOf(['a1', 'a2']));
    await hanging.write(batchOf(['a3']));
    while (attempts.length === 0) await new Promise((r) => setTimeout(r, 5));
    const lost = attempts[0] as WalBatch;
    await hanging.close(50); // deadline passes with the insert in flight: like a crash after sending
    expect(first.cursor().pending).toEqual({ first: lost.first, last: lost.last });

    const second = await createWriteAheadLog({ dir });
    const batches: WalBatch[] = [];
    const sink = createWalSink({ wal: second, ...fast, batchMaxDelayMs: 1, insert: async (b) => void batches.push(b) });
    await sink.write(batchOf(['b1']));
    await sink.drained();
    expect(batches[0]?.token).toBe(lost.token);
    expect(idsOf(batches[0] as WalBatch)).toEqual(idsOf(lost));
    expect(batches.flatMap(idsOf).sort()).toEqual(['a1', 'a2', 'a3', 'b1']);
    await sink.close(1_000);
  });

  it('close drains what was acknowledged, then refuses writes', async () => {
    const wal = await createWriteAheadLog({ dir });
    const landed: string[] = [];
    const sink = createWalSink({ wal, insert: async (b) => void landed.push(...idsOf(b)), batchMaxDelayMs: 60_000 });
    await sink.write(batchOf(['x', 'y']));
    await sink.close(5_000);
    expect(landed).toEqual(['x', 'y']);
    await expect(sink.write(batchOf(['z']))).rejects.toMatchObject({ code: 'unavailable' });
    expect(await sink.ready()).toBe(false);
  });
});
