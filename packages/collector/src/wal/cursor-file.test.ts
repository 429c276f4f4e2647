import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CURSOR_FILE, pendingAfter, pendingBatches, readCursor } from './cursor-file';

describe('pending ranges of several batches', () => {
  const range = { first: 11, last: 30, ends: [15, 22, 30] };

  it('splits into the batches that were sent', () => {
    expect(pendingBatches(range)).toEqual([{ first: 11, last: 15 }, { first: 16, last: 22 }, { first: 23, last: 30 }]);
    expect(pendingBatches({ first: 3, last: 9 })).toEqual([{ first: 3, last: 9 }]);
  });

  it('keeps what is left after a batch is committed', () => {
    expect(pendingAfter(range, 15)).toEqual({ first: 16, last: 30, ends: [22, 30] });
    expect(pendingAfter(range, 22)).toEqual({ first: 23, last: 30 });
    expect(pendingAfter(range, 30)).toBeNull();
    expect(pendingAfter(range, 10)).toBe(range);
  });

  it('reads them back from cursor.json, and refuses ends that do not fit the range', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cursor-'));
    try {
      const write = (pending: unknown) => writeFile(join(dir, CURSOR_FILE), JSON.stringify({ version: 1, logId: 'a'.repeat(32), committed: 10, pending }));
      await write(range);
      expect(await readCursor(dir)).toEqual({ ok: true, cursor: { logId: 'a'.repeat(32), committed: 10, pending: range } });
      await write({ first: 11, last: 30, ends: [15, 12, 30] });
      expect(await readCursor(dir)).toMatchObject({ ok: false, reason: 'invalid' });
      await write({ first: 11, last: 30, ends: [15, 22] });
      expect(await readCursor(dir)).toMatchObject({ ok: false, reason: 'invalid' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
