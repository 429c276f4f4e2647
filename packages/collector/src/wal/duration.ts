const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--keep-raw 7d` → milliseconds. Accepts `<number><unit>` with ms, s, m, h, d or w, or `0`.
 * Returns undefined for anything else, so the CLI can say what it expected.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2];
  if (unit === undefined) return value === 0 ? 0 : undefined;
  return Math.round(value * (UNITS[unit] as number));
}
