import { CollectorError } from './errors';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;

/**
 * The one duration parser of the collector (query windows, `--since`, `--keep-raw`):
 * `'7d'`, `'12h'`, `'30m'`, `'45s'`, `'2w'`, `'500ms'`, or a number of milliseconds, to milliseconds.
 * A duration is always positive: zero is refused like any other non-duration. A caller for whom 0
 * means "off" (`--keep-raw 0`) says so before calling. Throws a `config` error that shows the
 * accepted forms.
 */
export function parseDuration(value: string | number, what = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return Math.round(value);
    throw new CollectorError('config', `${what} ${value} must be a positive number of milliseconds`);
  }
  const text = value.trim();
  if (/^\d+$/.test(text) && Number(text) > 0) return Number(text);
  const match = DURATION.exec(text);
  const unit = match?.[2];
  const ms = match && unit ? Number(match[1]) * (UNIT_MS[unit] ?? 0) : 0;
  if (ms > 0) return Math.round(ms);
  throw new CollectorError(
    'config',
    `${what} "${value}" is not a duration: use a number and a unit such as 30m, 12h, 7d or 2w (or milliseconds)`,
  );
}
