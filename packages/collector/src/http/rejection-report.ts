import { createHash } from 'node:crypto';
import type { Rejection } from '@sluice/schema';
import type { Logger } from '../logger';

export interface RejectionReporter {
  /** Counts a request's rejections by project, key and code, and logs one line per key and code at most once per interval. */
  report(project: string, writeKey: string, rejections: readonly Rejection[]): void;
}

export interface RejectionReporterDeps {
  count: (project: string, key: string, reason: string, count: number) => void;
  logger: Logger;
  now: () => number;
  /** At most one warning per key and code in this many milliseconds. */
  intervalMs: number;
  /** Key-and-code pairs remembered at once; the oldest is forgotten beyond it (dynamic write keys are unbounded). */
  maxTracked: number;
}

/** A reason can quote what the client sent (an event name, say): it is cut to one short line. */
const MAX_LOGGED_REASON = 300;

interface Tracked {
  loggedAt: number;
  /** Rejections of this key and code since the last line. */
  since: number;
}

/**
 * A 200 that carries a rejection is a silent loss for Segment and RudderStack clients, which never
 * resend it; this makes each one visible: a counter per project, key and code for `/metrics`, and a
 * one-line warning per key and code at most once per interval, with an example reason and how many
 * were rejected since the last line.
 */
export function createRejectionReporter(deps: RejectionReporterDeps): RejectionReporter {
  const tracked = new Map<string, Tracked>();
  const fingerprints = new Map<string, string>();

  const fingerprint = (writeKey: string): string => {
    let id = fingerprints.get(writeKey);
    if (id === undefined) {
      id = keyFingerprint(writeKey);
      if (fingerprints.size >= deps.maxTracked) fingerprints.clear();
      fingerprints.set(writeKey, id);
    }
    return id;
  };

  return {
    report(project, writeKey, rejections) {
      if (rejections.length === 0) return;
      const key = fingerprint(writeKey);
      const byCode = new Map<string, Rejection[]>();
      for (const rejection of rejections) {
        const code = rejection.code ?? 'invalid_field';
        const list = byCode.get(code);
        if (list) list.push(rejection);
        else byCode.set(code, [rejection]);
      }
      const now = deps.now();
      for (const [code, list] of byCode) {
        deps.count(project, key, code, list.length);
        const id = `${key}\u0000${code}`;
        const entry = tracked.get(id);
        if (entry && now - entry.loggedAt < deps.intervalMs) {
          entry.since += list.length;
          continue;
        }
        const since = (entry?.since ?? 0) + list.length;
        tracked.delete(id);
        if (tracked.size >= deps.maxTracked) tracked.delete(tracked.keys().next().value as string);
        tracked.set(id, { loggedAt: now, since: 0 });
        const example = list[0]!;
        const reason = example.reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, MAX_LOGGED_REASON);
        deps.logger.warn(
          { project, key, reason: code, rejected: since, path: example.path, messageId: example.messageId },
          `${since} event(s) rejected for project "${project}" (key ${key}), ${code}: ${reason}; they are in events_quarantine, and the client will not resend them`,
        );
      }
    },
  };
}

/** The first 8 hex digits of the key's SHA-256: names a key in /metrics and logs without showing it (`printf %s KEY | sha256sum | cut -c1-8`). */
export function keyFingerprint(writeKey: string): string {
  return createHash('sha256').update(writeKey, 'utf8').digest('hex').slice(0, 8);
}
