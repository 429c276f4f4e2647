/**
 * What to do with a failed insert:
 * - `retry`: transient (network, timeouts, 5xx, TOO_MANY_PARTS, memory): back off and send the same
 *   batch with the same dedup token;
 * - `poison`: ClickHouse rejected the data itself: split the batch to isolate the bad row;
 * - `fatal`: retrying cannot help (unknown table, auth, syntax): fail the batch and say so.
 */
export type FailureKind = 'retry' | 'poison' | 'fatal';

const RETRY_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  164, // READONLY
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  225, // NO_ZOOKEEPER
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  425, // SYSTEM_ERROR
  439, // CANNOT_SCHEDULE_TASK
  999, // KEEPER_EXCEPTION
  1000, // POCO_EXCEPTION
]);

const POISON_CODES = new Set([
  6, 25, 26, 27, 32, 33, 38, 41, 53, 69, 70, 72, 117, 130, 131, 321, 349,
]);

const RETRY_MESSAGE =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ECONNABORTED|socket hang up|timed? ?out|timeout|network|Too many parts|TOO_MANY_PARTS|memory limit|Service Unavailable|Bad Gateway|Gateway Timeout|status(?: code)?:? 5\d\d/i;

const POISON_MESSAGE =
  /Cannot parse|Cannot read DateTime|CANNOT_PARSE|INCORRECT_DATA|Incorrect data|Type mismatch|JSON object should|Cannot convert|out of range of data type|Cannot insert NULL/i;

export function classifyFailure(error: unknown): FailureKind {
  const code = errorCode(error);
  if (code !== undefined) {
    if (POISON_CODES.has(code)) return 'poison';
    if (RETRY_CODES.has(code)) return 'retry';
  }
  const message = error instanceof Error ? `${error.message} ${String((error as { code?: unknown }).code ?? '')}` : String(error);
  if (RETRY_MESSAGE.test(message)) return 'retry';
  if (POISON_MESSAGE.test(message)) return 'poison';
  return 'fatal';
}

/** The numeric ClickHouse code: from `ClickHouseError.code`, else from `Code: N` in the text (old servers). */
export function errorCode(error: unknown): number | undefined {
  const raw = (error as { code?: unknown } | null)?.code;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^\d+$/.test(raw)) return Number(raw);
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = /Code: (\d+)/.exec(message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
