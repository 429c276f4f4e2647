import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { CURSOR_FILE } from './cursor-file';
import { RECORD_HEADER_BYTES } from './record-codec';
import { createWriteAheadLog } from './write-ahead-log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-wal-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function recordingLogger(): Logger & { lines: { level: string; msg: string | undefined }[] } {
  const lines: { level: string; msg: string | undefined }[] = [];
  const at = (level: string) => (_obj: unknown, msg?: string) => void lines.push({ level, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const text = (records: { payload: Buffer }[]): string[] => records.map((r) => r.payload.toString());

describe('write-ahead log', () => {
  it('appends, reads after the cursor, commits, and reopens where it left off', async () => {
    const wal = await createWriteAheadLog({ dir });
    expect(await wal.append('a')).toBe(1);
    expect(await wal.append(Buffer.from('b'))).toBe(2);
    expect(await wal.append('c')).toBe(3);
    expect(text(await wal.readFrom(0, 10))).toEqual(['a', 'b', 'c']);
    expect((await wal.readFrom(1, 1)).map((r) => r.position)).toEqual([2]);
    await wal.commit(2);
    expect(text(await wal.readFrom(0, 10))).toEqual(['c']);
    expect(wal.bytes()).toBe(RECORD_HEADER_BYTES + 1);
    await wal.close();

    const reopened = await createWriteAheadLog({ dir });
    expect(reopened.logId).toBe(wal.logId);
    expect(reopened.cursor().committed).toBe(2);
    expect(text(await reopened.readFrom(0, 10))).toEqual(['c']);
    expect(await reopened.append('d')).toBe(4);
    expect(text(await reopened.readFrom(2, 10))).toEqual(['c', 'd']);
    await reopened.close();
    await expect(reopened.append('e')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('limits reads by record count and by bytes, returning at least one record', async () => {
    const wal = await createWriteAheadLog({ dir });
    for (let i = 0; i < 10; i++) await wal.append('x'.repeat(100));
    expect((await wal.readFrom(0, 4)).length).toBe(4);
    expect((await wal.readFrom(0, 100, 250)).length).toBe(2);
    expect((await wal.readFrom(0, 100, 1)).length).toBe(1);
    expect(await wal.readFrom(10, 100)).toEqual([]);
    await wal.close();
  });

  it('group commit: concurrent appends share fsyncs', async () => {
    const wal = await createWriteAheadLog({ dir });
    const producers = 32;
    const perProducer = 10;
    const positions: number[] = [];
    await Promise.all(
      Array.from({ length: producers }, async (_, p) => {
        for (let i = 0; i < perProducer; i++) positions.push(await wal.append(`producer ${p} record ${i}`));
      }),
    );
    const stats = wal.stats();
    expect(stats.appends).toBe(producers * perProducer);
    expect(new Set(positions).size).toBe(producers * perProducer);
    // Without group commit this would be 320 (+1 for the segment). With it, about one per round.
    expect(stats.fsyncs).toBeLessThanOrEqual((producers * perProducer) / 8);
    expect(stats.lastFsyncMs).toBeGreaterThan(0);
    const records = await wal.readFrom(0, 1_000);
    expect(records.length).toBe(producers * perProducer);
    await wal.close();
  });

  it('answers overloaded when uncommitted bytes would pass maxBytes, and recovers after a commit', async () => {
    const wal = await createWriteAheadLog({ dir, maxBytes: 10 * (RECORD_HEADER_BYTES + 100) });
    const payload = 'y'.repeat(100);
    for (let i = 0; i < 10; i++) await wal.append(payload);
    const error = await wal.append(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectorError);
    expect(error).toMatchObject({ code: 'overloaded', status: 503, retryAfterSeconds: 5 });
    expect((error as Error).message).toMatch(/write-ahead log is full .* ClickHouse is not keeping up; retry after 5 s/);
    // Concurrent appends count what is queued too: none of these fit.
    const burst = await Promise.allSettled([wal.append(payload), wal.append(payload)]);
    expect(burst.every((r) => r.status === 'rejected')).toBe(true);
    await wal.commit(3);
    expect(await wal.append(payload)).toBe(11);
    await expect(wal.append('z'.repeat(100_000))).rejects.toMatchObject({ code: 'payload_too_large' });
    await wal.close();
  });

  it('bounds what waits for the disk in memory, apart from the log size', async () => {
    const wal = await createWriteAheadLog({ dir, maxQueuedBytes: 4 * (RECORD_HEADER_BYTES + 1_000) });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => wal.append('q'.repeat(1_000))));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(4);
    expect(rejected.length).toBe(6);
    expect(rejected[0]?.reason).toMatchObject({ code: 'overloaded', retryAfterSeconds: 1 });
    expect(String(rejected[0]?.reason.message)).toMatch(/disk under the write-ahead log .* is not keeping up/);
    expect(await wal.append('after')).toBe(5);
    await wal.close();
  });

  it('rotates segments and deletes committed ones', async () => {
    const wal = await createWriteAheadLog({ dir, segmentBytes: 500 });
    for (let i = 0; i < 20; i++) await wal.append('r'.repeat(84)); // 100 bytes per record
    const segments = (await readdir(dir)).filter((n) => n.endsWith('.wal')).sort();
    expect(segments.length).toBeGreaterThanOrEqual(4);
    expect(segments[0]).toBe('0000000000000001.wal');
    expect(wal.stats().segments).toBe(segments.length);
    expect((await wal.readFrom(0, 100)).map((r) => r.position)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await wal.commit(10);
    const after = (await readdir(dir)).filter((n) => n.endsWith('.wal')).sort();
    expect(after.length).toBeLessThan(segments.length);
    expect(text(await wal.readFrom(0, 100)).length).toBe(10);
    await wal.commit(20);
    // The active segment stays; every older one is gone.
    expect((await readdir(dir)).filter((n) => n.endsWith('.wal')).length).toBe(1);
    await wal.close();
  });

  it('keeps committed segments for keepRawMs, then deletes them', async () => {
    let clock = 1_000_000;
    const wal = await createWriteAheadLog({ dir, segmentBytes: 500, keepRawMs: 60_000, now: () => clock });
    for (let i = 0; i < 20; i++) await wal.append('r'.repeat(84));
    const before = wal.stats().segments;
    await wal.commit(20);
    expect(wal.stats().segments).toBe(before);
    clock += 61_000;
    await wal.append('later');
    await wal.commit(21);
    expect(wal.stats().segments).toBe(1);
    await wal.close();
  });

  it('reports the age of the oldest unsent record', async () => {
    let clock = 5_000;
    const wal = await createWriteAheadLog({ dir, now: () => clock });
    expect(wal.oldestUnsentAgeMs()).toBe(0);
    await wal.append('a');
    clock += 2_000;
    await wal.append('b');
    clock += 1_000;
    expect(wal.oldestUnsentAgeMs()).toBe(3_000);
    await wal.commit(1);
    expect(wal.oldestUnsentAgeMs()).toBe(1_000);
    await wal.commit(2);
    expect(wal.oldestUnsentAgeMs()).toBe(0);
    await wal.close();
  });

  it('cursor: replaced atomically; a leftover temp file from a crash is ignored', async () => {
    const wal = await createWriteAheadLog({ dir });
    for (let i = 0; i < 5; i++) await wal.append(`r${i}`);
    await wal.commit(2);
    await wal.markPending({ first: 3, last: 4 });
    await wal.close();
    const cursor = JSON.parse(await readFile(join(dir, CURSOR_FILE), 'utf8')) as Record<string, unknown>;
    expect(cursor).toMatchObject({ version: 1, committed: 2, pending: { first: 3, last: 4 }, logId: wal.logId });
    // A crash while writing the next cursor leaves a half-written temp file beside the good one.
    await writeFile(join(dir, `${CURSOR_FILE}.tmp`), '{"version":1,"comm');
    const reopened = await createWriteAheadLog({ dir });
    expect(reopened.cursor()).toEqual({ logId: wal.logId, committed: 2, pending: { first: 3, last: 4 } });
    expect((await readdir(dir)).includes(`${CURSOR_FILE}.tmp`)).toBe(false);
    await reopened.commit(4);
    expect(reopened.cursor().pending).toBeNull();
    await expect(reopened.markPending({ first: 4, last: 5 })).rejects.toMatchObject({ code: 'internal' });
    await reopened.close();
  });

  it('reports an unreadable cursor and re-sends from the oldest record instead of crashing', async () => {
    const wal = await createWriteAheadLog({ dir });
    await wal.append('a');
    await wal.append('b');
    await wal.commit(1);
    await wal.close();
    await writeFile(join(dir, CURSOR_FILE), 'not json');
    const logger = recordingLogger();
    const reopened = await createWriteAheadLog({ dir, logger });
    expect(logger.lines.some((l) => l.level === 'error' && /cursor .* is unreadable/.test(l.msg ?? ''))).toBe(true);
    expect(text(await reopened.readFrom(0, 10))).toEqual(['a', 'b']);
    expect(reopened.logId).toBe(wal.logId);
    await reopened.close();
  });

  it('continues numbering after every segment was deleted', async () => {
    const wal = await createWriteAheadLog({ dir, segmentBytes: 100 });
    for (let i = 0; i < 3; i++) await wal.append('p'.repeat(70));
    await wal.commit(3);
    await wal.close();
    for (const name of await readdir(dir)) if (name.endsWith('.wal')) await rm(join(dir, name));
    const reopened = await createWriteAheadLog({ dir });
    expect(await reopened.append('next')).toBe(4);
    expect(reopened.logId).toBe(wal.logId);
    await reopened.close();
  });

  it('refuses a second writer on the same directory until the first closes', async () => {
    const wal = await createWriteAheadLog({ dir });
    await expect(createWriteAheadLog({ dir })).rejects.toMatchObject({ code: 'config', message: expect.stringMatching(/is in use by process \d+/) });
    await wal.close();
    const next = await createWriteAheadLog({ dir });
    await next.close();
    // A lock left by a process that died is taken over.
    await writeFile(join(dir, 'LOCK'), '999999999\n');
    const after = await createWriteAheadLog({ dir });
    await after.close();
  });

  it('wakes a waiter when a record becomes durable', async () => {
    const wal = await createWriteAheadLog({ dir });
    let woke = false;
    const waiting = wal.waitForRecords(0).then(() => (woke = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(woke).toBe(false);
    await wal.append('a');
    await waiting;
    expect(woke).toBe(true);
    await wal.close();
  });
});
