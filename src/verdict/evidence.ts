/**
 * The evidence snapshot the verdict machine decides on. Readers and drivers gather it (all IO);
 * the machine itself is pure.
 *
 * @module
 */
import type { ThreadState } from "../codex/rollout/fold.ts";
import type { DaemonEvidence } from "../codex/daemon/evidence.ts";

/** What a verdict is about: a codexctl session, a bare Codex thread, or both. */
export interface VerdictTarget {
  session: string | null;
  thread: string | null;
}

/** One `--expect` path, already checked by the IO layer. */
export interface ArtifactCheck {
  path: string;
  exists: boolean;
  bytes: number;
}

/** Rollout evidence: the folded thread state and how well its format was understood. */
export interface ThreadEvidence {
  state: ThreadState;
  rollout_path: string | null;
  confidence: "high" | "low";
  /** Warnings of the compatibility report, for the summary when confidence is low. */
  warnings: string[];
}

/** What the pane shows: herdr's agent status (null under tmux), the visible screen and scrollback. */
export interface PaneEvidence {
  /** The pane exists and its Codex process runs. */
  alive: boolean;
  status: "idle" | "working" | "blocked" | "done" | "unknown" | null;
  /** The visible screen. */
  screen: string;
  /** Recent scrollback (plan body, transcript), when read. */
  recent: string | null;
}

/** A snapshot of everything known about one Codex at one moment. */
export interface Evidence {
  target: VerdictTarget;
  /** ms since the epoch, for ages (e.g. how long a call has been pending). */
  now: number;
  thread: ThreadEvidence | null;
  /** The pane Codex runs in, when there is one. */
  pane: PaneEvidence | null;
  /** What the Codex daemon says (0.169+ TUIs); when present it decides what Codex waits on. */
  daemon?: DaemonEvidence | null;
  /** Whether the Codex process is alive, when codexctl knows its process. */
  process: { alive: boolean } | null;
  /** The completion marker to look for (null: the one the thread's own messages asked for, if any). */
  marker: string | null;
  artifacts: ArtifactCheck[];
}
