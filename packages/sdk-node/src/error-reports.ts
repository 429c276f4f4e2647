import type { Rejection } from '@sluice/schema';
import { SluiceSdkError } from './errors';

/** Hands each problem to the user's `onError`; a throwing callback never breaks delivery. */
export function createErrorReports(onError: ((error: SluiceSdkError) => void) | undefined): (error: SluiceSdkError) => void {
  return (error) => {
    if (!onError) return;
    try {
      onError(error);
    } catch {
      // a throwing callback must not break delivery
    }
  };
}

/** The error for a 200 that listed rejections: how many, and the first one as an example. */
export function rejectionError(rejected: Rejection[], count: number): SluiceSdkError {
  const first = rejected[0];
  const example = first ? `, e.g. ${first.messageId ?? `#${first.index}`}: ${first.reason} (at "${first.path}")` : '';
  return new SluiceSdkError('rejected', `the collector rejected ${rejected.length} of ${count} events${example}`, {
    status: 200,
    count: rejected.length,
    rejected,
    messageIds: rejected.map((r) => r.messageId ?? ''),
  });
}
