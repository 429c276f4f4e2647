import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../defaults';
import { weighDisk } from './disk-budget';

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
