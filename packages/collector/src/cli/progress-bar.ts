/**
 * One line of a terminal progress bar, e.g.
 * `replay [##########..........]  50%  1.0/2.0 MiB  500/1000 records  0:12 left`.
 * Pure: the CLI writes it with `\r` to stderr when stderr is a TTY.
 */
export interface ProgressLine {
  label: string;
  done: number;
  total: number;
  /** Shown after the bar, e.g. `500/1000 records`. */
  detail?: string;
  elapsedMs?: number;
  width?: number;
}

export function renderProgressBar(line: ProgressLine): string {
  const width = line.width ?? 30;
  const ratio = line.total > 0 ? Math.min(1, Math.max(0, line.done / line.total)) : 1;
  const filled = Math.round(ratio * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  const parts = [`${line.label} [${bar}] ${percent}`];
  if (line.detail) parts.push(line.detail);
  if (line.elapsedMs !== undefined && ratio > 0 && ratio < 1) {
    parts.push(`${formatDuration((line.elapsedMs * (1 - ratio)) / ratio)} left`);
  } else if (line.elapsedMs !== undefined && ratio >= 1) {
    parts.push(`done in ${formatDuration(line.elapsedMs)}`);
  }
  return parts.join('  ');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
