/**
 * A thread's review, as codexctl reports it: read from the thread's rollout (the `review_output`
 * Codex keeps there — structured), or, when no rollout can be found or it holds no review, from the
 * text of the review's final message (`structured: false`). Files are made relative to the
 * repository the review ran in.
 *
 * @module
 */
import { locateThread } from "./locate.ts";
import { readThread } from "./reader.ts";
import { type Review, reviewFromOutput, reviewFromText } from "./review.ts";
import type { CodexReviewTarget } from "./events.ts";

/** Where a review was read from. */
export interface ReadReview {
  /** Null while the review runs, when it was interrupted, or when nothing says what it found. */
  review: Review | null;
  /** `rollout` (Codex's review output), `text` (the final message), or null. */
  source: "rollout" | "text" | null;
  /** What the review turn looked at, when the rollout says. */
  target: CodexReviewTarget | null;
  /** The rollout read (null when none was found). */
  rollout_path: string | null;
}

/** Options of {@linkcode readReview}. */
export interface ReadReviewOptions {
  codexHome: string;
  /** The thread the review ran in (null: only `finalMessage` can tell). */
  threadId: string | null;
  /** The repository's top-level directory (files inside it are reported relative to it). */
  repoRoot: string | null;
  /** The review turn's final message, for when the rollout cannot tell. */
  finalMessage: string | null;
}

/** Reads the latest review of a thread. Never throws for a missing or unreadable rollout. */
export async function readReview(o: ReadReviewOptions): Promise<ReadReview> {
  let rolloutPath: string | null = null;
  if (o.threadId) {
    try {
      const located = await locateThread(o.codexHome, o.threadId);
      if (located) {
        rolloutPath = located.path;
        const { progress } = await readThread(located.path, undefined, { keepEvents: false });
        const state = progress.state.review ?? null;
        if (state && state.done && state.output) {
          return {
            review: reviewFromOutput(state.output, { repoRoot: o.repoRoot }),
            source: "rollout",
            target: state.target,
            rollout_path: rolloutPath,
          };
        }
        if (state && !state.done) {
          return { review: null, source: null, target: state.target, rollout_path: rolloutPath };
        }
      }
    } catch {
      // unreadable: the final message may still tell
    }
  }
  if (o.finalMessage && o.finalMessage.trim()) {
    return {
      review: reviewFromText(o.finalMessage, { repoRoot: o.repoRoot }),
      source: "text",
      target: null,
      rollout_path: rolloutPath,
    };
  }
  return { review: null, source: null, target: null, rollout_path: rolloutPath };
}
