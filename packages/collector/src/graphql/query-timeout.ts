import { randomUUID } from 'node:crypto';
import type { QueryClient } from '../query/types';
import { QUERY_API_DEFAULTS } from './defaults';

/** Thrown (as the `cause` of the query layer's error) when a question ran past its timeout. */
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
  constructor(readonly timeoutMs: number, options?: { cause?: unknown }) {
    super(`the query ran past its ${timeoutMs} ms timeout and was cancelled`, options);
  }
}

export interface QueryTimeoutOptions {
  timeoutMs?: number;
  /** Called with the query's id when the client gives up (a server: `KILL QUERY`); chDB stops by `max_execution_time` alone. */
  kill?: (queryId: string) => Promise<unknown>;
  graceMs?: number;
}

const TIMEOUT = /TIMEOUT_EXCEEDED|Timeout exceeded|aborted/i;

/**
 * Wraps a client so each query stops at the timeout:
 * - in ClickHouse: `max_execution_time` (with `timeout_overflow_mode = 'throw'`) in the statement's
 *   own SETTINGS clause, which stops the query in the engine (chDB and a server alike; chDB's
 *   `clickhouse_settings` would become session-wide `SET`s, so the clause is used instead; a
 *   statement that has its own SETTINGS clause keeps it and relies on the next point);
 * - in the client: an AbortSignal a little after, and `kill(queryId)` (on a server, `KILL QUERY`),
 *   should the engine not have stopped by then.
 */
export function withQueryTimeout(client: QueryClient, options: QueryTimeoutOptions = {}): QueryClient {
  const timeoutMs = options.timeoutMs ?? QUERY_API_DEFAULTS.queryTimeoutMs;
  const graceMs = options.graceMs ?? QUERY_API_DEFAULTS.abortGraceMs;
  const seconds = Math.max(0.001, timeoutMs / 1000);
  return {
    query: (async (params: Parameters<QueryClient['query']>[0]) => {
      const queryId = params.query_id ?? randomUUID();
      const hasSettings = /\bSETTINGS\b[^)]*$/i.test(params.query);
      const query = hasSettings ? params.query : `${params.query}\nSETTINGS max_execution_time = ${seconds}, timeout_overflow_mode = 'throw'`;
      const controller = new AbortController();
      const timer = setTimeout(() => {
        controller.abort();
        options.kill?.(queryId).catch(() => {});
      }, timeoutMs + graceMs);
      try {
        const result = await client.query({
          ...params,
          query,
          query_id: queryId,
          abort_signal: controller.signal,
        } as never);
        return result;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (controller.signal.aborted || TIMEOUT.test(message)) throw new QueryTimeoutError(timeoutMs, { cause: error });
        throw error;
      } finally {
        clearTimeout(timer);
      }
    }) as QueryClient['query'],
  };
}
