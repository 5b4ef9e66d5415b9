/**
 * The rollout evidence: read what a thread's rollout gained since a saved progress, finding the
 * file by thread id when its path is unknown or it moved (archiving renames it), and report how
 * long it has been silent. One way for every watcher: `status`, sessions, `watch`, the hooks.
 *
 * @module
 */
import { type Located, locateThread } from "../codex/rollout/locate.ts";
import { freshProgress, readThread, type ThreadProgress, type ThreadRead } from "../codex/rollout/reader.ts";

/** Which rollout to read, and from where. */
export interface RolloutSpec {
  /** The rollout path known so far (null: find it by `thread`). */
  path: string | null;
  /** The thread, to find its rollout when `path` is unknown or gone (null: do not look). */
  thread: string | null;
  /** The Codex home to look in. */
  codexHome: string;
  /** Continue from this progress (null: from the start). A replaced file starts over by itself. */
  from: ThreadProgress | null;
  /** Read at most about this many bytes now; `read.more` says when there is more. */
  maxBytes?: number;
  /**
   * Extract the facts of each new tool output (`tool_output` transitions, for the failure rule).
   * Only a read that continues from a saved progress does: the first read is the baseline.
   */
  toolOutputs?: boolean;
}

/** A rollout as read for one observation. */
export interface RolloutReading {
  /** The file read. */
  path: string;
  /** True when it was found anew by thread id (the known path was missing or gone). */
  located: boolean;
  /** How it was found, when `located`. */
  via: Located["via"] | null;
  /** The progress after the read: cursor, folded state, counters. */
  progress: ThreadProgress;
  /** What this read added (transitions, bytes, restarts, whether more is left). */
  read: ThreadRead;
}

/**
 * Reads what the rollout gained since `spec.from`. Null when there is no rollout to read: no path
 * and no thread, or the thread's rollout cannot be found.
 */
export async function readRollout(spec: RolloutSpec): Promise<RolloutReading | null> {
  const options = {
    keepEvents: false,
    maxBytes: spec.maxBytes,
    toolOutputs: !!spec.toolOutputs && !!spec.from,
  };
  if (spec.path) {
    try {
      const read = await readThread(spec.path, spec.from ?? freshProgress(), options);
      return { path: spec.path, located: false, via: null, progress: read.progress, read };
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  if (!spec.thread) return null;
  const found = await locateThread(spec.codexHome, spec.thread).catch(() => null);
  if (!found) return null;
  try {
    const read = await readThread(found.path, spec.from ?? freshProgress(), options);
    return { path: found.path, located: true, via: found.via, progress: read.progress, read };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null; // moved again meanwhile: the next look finds it
    throw err;
  }
}

/** How long a rollout has been silent at `now` (ms since its last write; null when unknown). */
export function quietMs(reading: RolloutReading | null, now: number): number | null {
  const mtime = reading?.read.mtime ?? null;
  return mtime === null ? null : Math.max(0, now - mtime);
}
