/**
 * A cheap upper-leaning estimate of a value's JSON size in bytes, without serialising it.
 * Strings count their UTF-16 length plus quotes (exact for ASCII; the batch is measured again after
 * encoding, so an underestimate for non-ASCII text cannot produce an oversized request). Recursion
 * stops at `maxDepth`, and anything deeper counts as `deepBytes`.
 */
export function estimateJsonBytes(value: unknown, maxDepth = 12): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 12;
    case 'boolean':
      return 5;
    case 'object':
      break;
    default:
      return 4;
  }
  if (value === null) return 4;
  if (maxDepth <= 0) return 1024;
  if (Array.isArray(value)) {
    let bytes = 2;
    for (let i = 0; i < value.length; i++) bytes += estimateJsonBytes(value[i], maxDepth - 1) + 1;
    return bytes;
  }
  let bytes = 2;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    // Strings and numbers, most properties, without a call (a third less time on flat properties).
    bytes += key.length + 4 + (typeof item === 'string' ? item.length + 2 : typeof item === 'number' ? 12 : estimateJsonBytes(item, maxDepth - 1));
  }
  return bytes;
}
