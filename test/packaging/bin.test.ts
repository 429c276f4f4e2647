import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npx sluice` in the repository: npm links a workspace's bin only if the file exists at install
 * time, so the bin is a committed shim that loads dist/cli.js (built later) and says what to do
 * when it is not built.
 */
const root = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'packages/collector/package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
const temp = mkdtempSync(join(tmpdir(), 'sluice-bin-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('the sluice bin', () => {
  it('is a committed file that npm links and publishes', () => {
    expect(manifest.bin).toEqual({ sluice: './bin/sluice.js' });
    expect(manifest.files).toContain('bin');
    const tracked = execFileSync('git', ['ls-files', 'packages/collector/bin/sluice.js'], { cwd: root, encoding: 'utf8' });
    expect(tracked.trim()).toBe('packages/collector/bin/sluice.js');
  });

  it('runs the built CLI through node_modules/.bin, as npx does', () => {
    const out = execFileSync(join(root, 'node_modules/.bin/sluice'), ['--help'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/sluice serve/);
  });

  it('says how to build when dist is missing, and exits non-zero', () => {
    mkdirSync(join(temp, 'bin'));
    copyFileSync(join(root, 'packages/collector/bin/sluice.js'), join(temp, 'bin/sluice.js'));
    const run = spawnSync(process.execPath, [join(temp, 'bin/sluice.js'), '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not built yet; run `npm run build` at the repository root/);
  });
});
