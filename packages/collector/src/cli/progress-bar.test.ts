import { describe, expect, it } from 'vitest';
import { formatBytes, renderProgressBar } from './progress-bar';

describe('progress bar', () => {
  it('renders a bar, percentage, detail and time left', () => {
    expect(renderProgressBar({ label: 'replay', done: 5, total: 10, width: 10, detail: '5/10 records', elapsedMs: 12_000 })).toBe(
      'replay [#####.....]  50%  5/10 records  0:12 left',
    );
    expect(renderProgressBar({ label: 'replay', done: 10, total: 10, width: 4, elapsedMs: 61_000 })).toBe('replay [####] 100%  done in 1:01');
    expect(renderProgressBar({ label: 'r', done: 0, total: 0, width: 2 })).toBe('r [##] 100%');
  });

  it('formats bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});
