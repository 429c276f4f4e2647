import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration';
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

describe('parseDuration', () => {
  it('reads --keep-raw values', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('7 days')).toBeUndefined();
    expect(parseDuration('10')).toBeUndefined();
  });
});
