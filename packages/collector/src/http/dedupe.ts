/**
 * Remembers the most recent messageIds of each project, up to `window` per project, so an event a
 * client re-sends after a lost response is not stored twice. Ids are claimed before the write and
 * released when the write fails, so a retry of a refused request is never mistaken for a duplicate
 * and two concurrent copies cannot both pass.
 */
export interface Dedupe {
  /** Claims each id; returns a mask, `true` where the id was already seen (a duplicate to skip). */
  claim(project: string, messageIds: readonly string[]): boolean[];
  /** Forgets ids whose write failed, so the client's retry is stored. */
  release(project: string, messageIds: readonly string[]): void;
}

export function createDedupe(window: number): Dedupe {
  const byProject = new Map<string, Set<string>>();
  return {
    claim(project, messageIds) {
      if (window <= 0) return messageIds.map(() => false);
      let seen = byProject.get(project);
      if (!seen) byProject.set(project, (seen = new Set()));
      const duplicate = messageIds.map((id) => {
        if (seen.has(id)) return true;
        seen.add(id);
        return false;
      });
      // A Set iterates in insertion order, so the first entries are the oldest.
      if (seen.size > window) {
        let excess = seen.size - window;
        for (const id of seen) {
          if (excess-- <= 0) break;
          seen.delete(id);
        }
      }
      return duplicate;
    },
    release(project, messageIds) {
      const seen = byProject.get(project);
      if (seen) for (const id of messageIds) seen.delete(id);
    },
  };
}
