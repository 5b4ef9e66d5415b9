/**
 * Reading a `codex exec --json` stream incrementally: from a saved byte cursor, complete lines
 * only (the rollout tailer's line reader, `codex/rollout/tail.ts`: a half-written last line waits
 * for the next read, UTF-8 is never split, a replaced or truncated file starts over), folded into
 * the run's state. The progress is plain JSON, so watchers and hooks can keep it between looks.
 *
 * @module
 */
import { scanLines, START, type TailCursor } from "../rollout/tail.ts";
import {
  type ExecEvent,
  type ExecRunState,
  foldExecEvent,
  initialExecState,
  parseExecLine,
} from "./events.ts";

/** A reader's position in one exec stream and what it learned so far. */
export interface ExecProgress {
  cursor: TailCursor;
  state: ExecRunState;
}

/** Where a new reader starts. */
export function freshExecProgress(): ExecProgress {
  return { cursor: { ...START }, state: initialExecState() };
}

/** What one read produced. */
export interface ExecRead {
  progress: ExecProgress;
  /** Bytes consumed by this read. */
  bytes: number;
  /** The file shrank or was replaced: the read started over (the state was reset). */
  restarted: boolean;
  /** More is available than this read took (`maxBytes`). */
  more: boolean;
  /** The file's last modification time (ms since the epoch; null when unknown). */
  mtime: number | null;
}

const decoder = new TextDecoder();

/**
 * Reads and folds what the stream at `path` gained since `progress`. A missing file reads as
 * nothing new (the run may not have printed yet); lines over 16 MiB are skipped by the tailer.
 */
export async function readExecStream(
  path: string,
  progress: ExecProgress = freshExecProgress(),
  options: { maxBytes?: number } = {},
): Promise<ExecRead> {
  const events: (ExecEvent | null)[] = [];
  try {
    const scan = await scanLines(path, progress.cursor, (bytes) => {
      events.push(parseExecLine(decoder.decode(bytes)));
    }, { maxBytes: options.maxBytes });
    // a shrunk or replaced file was read from 0: what was folded before belongs to content that is gone
    const restarted = scan.truncated || scan.replaced;
    let state = restarted ? initialExecState() : progress.state;
    for (const event of events) state = foldExecEvent(state, event);
    return {
      progress: { cursor: scan.cursor, state },
      bytes: restarted ? scan.cursor.offset : scan.cursor.offset - progress.cursor.offset,
      restarted,
      more: scan.more,
      mtime: scan.mtime,
    };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { progress, bytes: 0, restarted: false, more: false, mtime: null };
    }
    throw err;
  }
}
