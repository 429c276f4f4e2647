/** What a client does with one answer to `POST /v1/batch`. */
export type WireAction =
  /** The collector has the batch (events it lists as `rejected` are invalid and never resent). */
  | 'accept'
  /** The same request may succeed later: wait (backoff, never less than `Retry-After`) and resend it. */
  | 'retry'
  /** The body is too large: send each half on its own; a single event that is still too large is given up. */
  | 'split'
  /** Resending cannot help (bad body, unknown key, unsupported type): give the batch up and count it. */
  | 'drop';

/**
 * The one table from an answer to what every Sluice SDK does with it. Exact statuses win over their
 * class (`408` before `4xx`); `network` is a failed connection or a request timeout, with no status.
 */
export const STATUS_ACTIONS = {
  '2xx': 'accept',
  /** Request Timeout: the server gave up waiting for the body; the same request may go through. */
  '408': 'retry',
  /** Content Too Large: smaller requests will go through. */
  '413': 'split',
  /** Too Many Requests: the collector is overloaded; wait at least `Retry-After`. */
  '429': 'retry',
  /** 400 (undecodable body), 401 (unknown key), 415 (unsupported type or encoding) and the rest. */
  '4xx': 'drop',
  /** 500, 502, 503 (overloaded or log full, with `Retry-After`), 504 …: the collector or a proxy may recover. */
  '5xx': 'retry',
  network: 'retry',
  /** 1xx and 3xx never end a `fetch` to the collector; treat them as a misconfigured endpoint. */
  other: 'drop',
} as const satisfies Record<string, WireAction>;

/** The action for `status`, or for a network failure when `status` is undefined. */
export const statusAction = (status: number | undefined): WireAction => {
  if (status === undefined) return STATUS_ACTIONS.network;
  const table: Partial<Record<string, WireAction>> = STATUS_ACTIONS;
  return table[status] ?? table[((status / 100) | 0) + 'xx'] ?? STATUS_ACTIONS.other;
};
