/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds or an HTTP date.
 * Returns the wait in ms from `nowMs` (0 for a date in the past), or `undefined` when the header is
 * missing or unparseable. Fractional seconds, which some servers send, are accepted and rounded up.
 */
export const parseRetryAfter = (header: string | null | undefined, nowMs: number): number | undefined => {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // HTTP dates always name a month (IMF-fixdate, RFC 850, asctime); Date.parse alone reads '-5' as a year.
  const at = /[A-Za-z]{3}/.test(value) ? Date.parse(value) : NaN;
  return at >= 0 ? Math.max(0, at - nowMs) : undefined;
};
