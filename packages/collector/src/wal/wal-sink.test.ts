import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRow, RowBatch } from '../rows';
import type { WalBatch } from './wal-batch';
import { encodeSinkPayload } from './sink-payload';
import { eventLineValues } from '../clickhouse/ndjson';
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
  batch.events.toString('utf8').split('\n').filter(Boolean).map((line) => String(eventLineValues(line).message_id));

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
    const payloadBytes = encodeSinkPayload(batchOf(['id-00'])).length;
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

  it('backs off between failed inserts by retry.baseMs and retry.capMs, with the injected sleep and random', async () => {
    const wal = await createWriteAheadLog({ dir });
    const slept: number[] = [];
    let failures = 4;
    const sink = createWalSink({
      wal,
      batchMaxRows: 1,
      retry: { baseMs: 100, capMs: 300 },
      random: () => 0.999_999,
      sleep: async (ms) => void slept.push(ms),
      insert: async () => {
        if (failures-- > 0) throw new Error('ECONNREFUSED');
      },
    });
    await sink.write(batchOf(['only']));
    await sink.drained();
    expect(slept).toEqual([99, 199, 299, 299]);
    await sink.close(1_000);
  });

  it('with insertConcurrency, sends a backlog as several batches at once and re-sends exactly those after a crash', async () => {
    const first = await createWriteAheadLog({ dir });
    // A backlog of seven one-row records before the sink starts: three full batches, and a partial
    // one that waits for the next round (only full batches are sent alongside the first).
    for (let i = 0; i < 7; i++) await first.append(encodeSinkPayload(batchOf([`c${i}`])));
    const inFlight: WalBatch[] = [];
    const hanging = createWalSink({
      wal: first,
      ...fast,
      batchMaxRows: 2,
      insertConcurrency: 3,
      insert: (b, signal) => {
        inFlight.push(b);
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    });
    while (inFlight.length < 3) await new Promise((r) => setTimeout(r, 5));
    expect(inFlight.map((b) => [b.first, b.last])).toEqual([[1, 2], [3, 4], [5, 6]]);
    await hanging.close(50);
    expect(first.cursor().pending).toEqual({ first: 1, last: 6, ends: [2, 4, 6] });

    const second = await createWriteAheadLog({ dir });
    const batches: WalBatch[] = [];
    const sink = createWalSink({ wal: second, ...fast, insert: async (b) => void batches.push(b) });
    await sink.drained();
    expect(batches.slice(0, 3).map((b) => b.token)).toEqual(inFlight.map((b) => b.token));
    expect(batches.map((b) => [b.first, b.last]).at(-1)).toEqual([7, 7]);
    expect(second.cursor()).toMatchObject({ committed: 7, pending: null });
    await sink.close(1_000);
  });

  it('with maxBufferedRows, bounds the rows in the log, those from before a restart included', async () => {
    const first = await createWriteAheadLog({ dir });
    for (let i = 0; i < 3; i++) await first.append(encodeSinkPayload(batchOf([`old-${i}-a`, `old-${i}-b`])));
    await first.close();
    const wal = await createWriteAheadLog({ dir });
    let down = true;
    const sink = createWalSink({ wal, ...fast, maxBufferedRows: 8, insert: async () => { if (down) throw new Error('ECONNREFUSED'); } });
    await sink.write(batchOf(['new-1', 'new-2']));
    await expect(sink.write(batchOf(['new-3']))).rejects.toMatchObject({ code: 'overloaded', message: expect.stringContaining('holds 8 rows') });
    expect(await sink.ready()).toBe(false);
    down = false;
    await sink.drained();
    await sink.write(batchOf(['new-3']));
    await sink.close(1_000);
  });
});
