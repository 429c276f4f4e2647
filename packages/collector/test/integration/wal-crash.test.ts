import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteAheadLog } from '../../src/wal';

/**
 * kill -9 a process appending under concurrency; every append it acknowledged must be in the log,
 * intact, when the log is reopened. Three rounds on the same directory, so recovery after a kill is
 * itself killed and recovered.
 *
 * The child runs the log's current source, bundled here with esbuild (the package's `dist` does
 * not expose the log until the collector wires it in).
 */
const here = fileURLToPath(new URL('.', import.meta.url));
let work: string;
let moduleUrl: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-wal-crash-'));
  const outfile = join(work, 'wal.mjs');
  await build({ entryPoints: [join(here, '../../src/wal/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'silent' });
  moduleUrl = pathToFileURL(outfile).href;
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Ack {
  position: number;
  id: string;
}

function runAndKill(dir: string, concurrency: number, killAfterAcks: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'fixtures/wal-append-child.mjs'), moduleUrl, dir, String(concurrency)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not reach ${killAfterAcks} acks in time (${acks.length}); stderr: ${stderr}`));
    }, 30_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, position, id] = line.split(' ');
        if (kind === 'ack') acks.push({ position: Number(position), id: id as string });
      }
      if (!killed && acks.length >= killAfterAcks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (${code}); stderr: ${stderr}`));
      else resolve(acks); // a partial last line was never complete: not counted
    });
  });
}

describe('write-ahead log: kill -9 mid-stream', () => {
  it('every acknowledged append survives, intact, across three kills', { timeout: 60_000 }, async () => {
    const dir = join(work, 'log');
    const acknowledged = new Map<number, string>();
    for (let round = 0; round < 3; round++) {
      const acks = await runAndKill(dir, 32, 1_500);
      expect(acks.length).toBeGreaterThanOrEqual(1_500);
      for (const ack of acks) {
        expect(acknowledged.has(ack.position), `position ${ack.position} acknowledged twice`).toBe(false);
        acknowledged.set(ack.position, ack.id);
      }
      const wal = await createWriteAheadLog({ dir });
      const records = await wal.readFrom(0, 1_000_000, Number.MAX_SAFE_INTEGER);
      const byPosition = new Map(records.map((r) => [r.position, JSON.parse(r.payload.toString()) as { id: string; pad: string }]));
      for (const [position, id] of acknowledged) {
        const record = byPosition.get(position);
        expect(record?.id, `acknowledged record ${position} (${id}) after round ${round + 1}`).toBe(id);
        expect(record?.pad.length).toBe(2_000);
      }
      // Positions are dense: nothing garbage in between.
      expect(records.map((r) => r.position)).toEqual(Array.from({ length: records.length }, (_, i) => i + 1));
      expect(wal.stats().segments).toBeGreaterThan(1);
      await wal.close();
    }
  });
});
