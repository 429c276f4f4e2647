/** Every error the collector reports, by code. The HTTP status of each lives in one table below. */
export type CollectorErrorCode =
  | 'invalid_body'
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden_origin'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'overloaded'
  | 'unavailable'
  | 'config'
  | 'engine'
  | 'internal';

export const STATUS_BY_CODE: Record<CollectorErrorCode, number> = {
  invalid_body: 400,
  invalid_request: 400,
  unauthorized: 401,
  forbidden_origin: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  overloaded: 503,
  unavailable: 503,
  config: 500,
  engine: 500,
  internal: 500,
};

/**
 * The collector's one error class. `message` always says what to do about it; `retryAfterSeconds`
 * is set on 429 and 503 and becomes the `Retry-After` header.
 */
export class CollectorError extends Error {
  override readonly name = 'CollectorError';
  readonly code: CollectorErrorCode;
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: CollectorErrorCode, message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Wraps anything thrown into a CollectorError once, at a boundary. */
export function toCollectorError(error: unknown): CollectorError {
  if (error instanceof CollectorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CollectorError('internal', `unexpected error: ${message}; this is a bug in Sluice, please report it`, { cause: error });
}
