import { open, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger';
import { createWriteAheadLog } from '../../src/wal';

/**
 * A log whose tail was torn by a crash mid-append (or hit by a flipped bit) must reopen: the damage
 * is reported, cut off and saved aside, every earlier record is intact, and appends continue.
 */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-wal-corrupt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Line = { level: string; obj: unknown; msg: string };
function recordingLogger(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg: msg ?? '' });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const payloadOf = (i: number): string => JSON.stringify({ id: `rec-${i}`, pad: 'p'.repeat(200 + i) });

async function writeRecords(count: number, segmentBytes?: number): Promise<void> {
  const wal = await createWriteAheadLog(segmentBytes === undefined ? { dir } : { dir, segmentBytes });
  for (let i = 1; i <= count; i++) expect(await wal.append(payloadOf(i))).toBe(i);
  await wal.close();
}

async function segmentPaths(): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.wal')).sort().map((n) => join(dir, n));
}

async function reopenAndCheck(expectIntact: number, logger: Logger & { lines: Line[] }): Promise<void> {
  const wal = await createWriteAheadLog({ dir, logger });
  const records = await wal.readFrom(0, 1_000);
  expect(records.map((r) => r.position)).toEqual(Array.from({ length: expectIntact }, (_, i) => i + 1));
  records.forEach((r, i) => expect(r.payload.toString()).toBe(payloadOf(i + 1)));
  // Appends continue right after the last intact record, and survive another reopen.
  expect(await wal.append('after repair')).toBe(expectIntact + 1);
  await wal.close();
  const again = await createWriteAheadLog({ dir });
  expect(again.repairs).toEqual([]);
  const all = await again.readFrom(0, 1_000);
  expect(all.length).toBe(expectIntact + 1);
  expect(all.at(-1)?.payload.toString()).toBe('after repair');
  await again.close();
}

describe('write-ahead log: corrupt tail', () => {
  it('truncated last record (torn write): reported, cut, earlier records intact, appends continue', async () => {
    await writeRecords(20);
    const [segment] = await segmentPaths();
    const size = (await stat(segment as string)).size;
    const lastRecordBytes = 16 + payloadOf(20).length;
    await truncate(segment as string, size - Math.floor(lastRecordBytes / 2));

    const logger = recordingLogger();
    await reopenAndCheck(19, logger);
    const report = logger.lines.find((l) => l.level === 'warn' && /tail was torn/.test(l.msg));
    expect(report, JSON.stringify(logger.lines)).toBeDefined();
    expect(report?.msg).toMatch(/after record 19/);
    const saved = (await readdir(dir)).filter((n) => n.includes('.corrupt-'));
    expect(saved.length).toBe(1);
    expect((await stat(join(dir, saved[0] as string))).size).toBe(lastRecordBytes - Math.floor(lastRecordBytes / 2));
  });

  it('flipped byte in the middle of the last record: reported as a checksum failure, cut, appends continue', async () => {
    await writeRecords(20);
    const [segment] = await segmentPaths();
    const size = (await stat(segment as string)).size;
    const lastRecordBytes = 16 + payloadOf(20).length;
    const handle = await open(segment as string, 'r+');
    const at = size - Math.floor(lastRecordBytes / 2);
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = (byte[0] as number) ^ 0x10;
    await handle.write(byte, 0, 1, at);
    await handle.close();

    const logger = recordingLogger();
    await reopenAndCheck(19, logger);
    expect(logger.lines.some((l) => l.level === 'error' && /failed its checksum/.test(l.msg) && /after record 19/.test(l.msg))).toBe(true);
  });

  it('a zero-filled tail (file extended, data never written) is cut too', async () => {
    await writeRecords(5);
    const [segment] = await segmentPaths();
    const handle = await open(segment as string, 'a');
    await handle.write(Buffer.alloc(4096));
    await handle.close();
    const logger = recordingLogger();
    await reopenAndCheck(5, logger);
    expect(logger.lines.some((l) => /after record 5/.test(l.msg))).toBe(true);
  });

  it('corruption in an older segment: later segments are set aside, never replayed as garbage', async () => {
    await writeRecords(30, 1_500);
    const segments = await segmentPaths();
    expect(segments.length).toBeGreaterThanOrEqual(3);
    const second = segments[1] as string;
    const content = await readFile(second);
    content[content.length - 10] = (content[content.length - 10] as number) ^ 0xff;
    await writeFile(second, content);
    const firstOfSecond = Number((second.split('/').pop() as string).slice(0, 16));
    const firstOfThird = Number((segments[2]?.split('/').pop() as string).slice(0, 16));

    const logger = recordingLogger();
    const wal = await createWriteAheadLog({ dir, logger });
    const records = await wal.readFrom(0, 1_000);
    expect(records.length).toBe(firstOfThird - 2); // everything before the damaged record
    expect(records.at(-1)?.position).toBe(firstOfThird - 2);
    expect(firstOfSecond).toBeLessThan(firstOfThird);
    records.forEach((r) => expect(r.payload.toString()).toBe(payloadOf(r.position)));
    expect(logger.lines.filter((l) => l.level === 'error').length).toBeGreaterThanOrEqual(2);
    expect((await readdir(dir)).filter((n) => n.includes('.corrupt-')).length).toBeGreaterThanOrEqual(segments.length - 2 + 1);
    expect(await wal.append('next')).toBe(firstOfThird - 1);
    await wal.close();
  });

  it('a segment whose header was torn while being created is set aside', async () => {
    await writeRecords(3);
    await writeFile(join(dir, '0000000000000004.wal'), Buffer.from('SLUICE'));
    const logger = recordingLogger();
    await reopenAndCheck(3, logger);
    expect(logger.lines.some((l) => /0000000000000004\.wal set aside/.test(l.msg))).toBe(true);
  });
});
