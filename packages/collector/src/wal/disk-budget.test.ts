import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../defaults';
import { weighDisk } from './disk-budget';
import { createWriteAheadLog } from './write-ahead-log';

describe('weighDisk', () => {
  it('keeps the configured cap when the disk has room for it', () => {
    expect(weighDisk({ maxBytes: 1_000_000, segmentBytes: 200_000 }, 100_000_000)).toEqual({ maxBytes: 1_000_000, segmentBytes: 200_000 });
  });

  it('lowers the cap and the segment size to what a small disk holds, and says so', () => {
    const budget = weighDisk({ maxBytes: 1024 ** 3, segmentBytes: 64 * 1024 ** 2 }, 3 * 1024 * 1024);
    expect(budget.maxBytes).toBe(Math.floor((3 * 1024 * 1024 - DEFAULTS.walDiskReserveBytes) * DEFAULTS.walDiskShare));
    expect(budget.segmentBytes).toBe(Math.floor(budget.maxBytes / 4));
    // Uncommitted records plus one partly committed segment fit on the disk.
    expect(budget.maxBytes + budget.segmentBytes + DEFAULTS.walDiskReserveBytes).toBeLessThan(3 * 1024 * 1024);
    expect(budget.limitedBy).toMatch(/free space or pass a smaller wal.maxBytes/);
  });
});

describe('a log opened on a small disk', () => {
  it('lowers its cap to what the disk holds, says so, and answers overloaded at it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-disk-budget-'));
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (_: unknown, message?: string) => void warnings.push(String(message)), error() {} };
    try {
      const room = DEFAULTS.walDiskReserveBytes + 400 * 1024;
      const wal = await createWriteAheadLog({ dir, logger, freeBytes: async () => room });
      expect(wal.maxBytes).toBe(Math.floor(400 * 1024 * DEFAULTS.walDiskShare));
      expect(warnings.join('\n')).toMatch(/the disk has room for .* so the log holds at most 307200/);
      const record = Buffer.alloc(10 * 1024);
      let refused: unknown;
      for (let i = 0; i < 100 && refused === undefined; i++) await wal.append(record).catch((error: unknown) => (refused = error));
      expect(refused).toMatchObject({ code: 'overloaded', message: expect.stringMatching(/write-ahead log is full/) });
      expect(wal.bytes()).toBeLessThanOrEqual(wal.maxBytes);
      await wal.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
