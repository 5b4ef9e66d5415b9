/**
 * The evidence snapshot the verdict machine decides on, one slot per source (rollout, pane, daemon,
 * process; an exec stream is reserved). `src/observe/` gathers it (all IO); the machine itself is
 * pure.
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
  /**
   * How long the rollout has been silent (ms since it was last written), when known. With
   * {@linkcode Evidence.stall_ms} it decides whether an open turn is stalled.
   */
  quiet_ms?: number | null;
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

/**
 * The Codex process, when codexctl knows it. `pid`, `started_at` and `exit` are for sessions that
 * own their process (a headless `codex exec` run): the start time tells a reused pid apart, the
 * exit status says how the run ended.
 */
export interface ProcessEvidence {
  alive: boolean;
  pid?: number | null;
  /** When the process started (ms since the epoch). */
  started_at?: number | null;
  /** How it ended, once it has. */
  exit?: { code: number | null; signal: string | null } | null;
}

/**
 * A headless `codex exec` run's own event stream (`codex exec --json`), the evidence that plays the
 * rollout's part for a session without a pane. Reserved for `start --via exec`: `src/observe/`
 * fills it from the exec reader, and exec rules (in `src/verdict/`, with their own `source`) decide
 * on it. Nothing reads it yet.
 */
export interface ExecEvidence {
  /** The stream's file (null before it exists). */
  events_path: string | null;
  /** `thread.started`'s thread id, once seen. */
  thread_id: string | null;
  /** The last turn marker seen: `turn.started`, `turn.completed` or `turn.failed` (null: none yet). */
  turn: "started" | "completed" | "failed" | null;
  /** The last `agent_message` item's text. */
  last_agent_message: string | null;
  /** The last `error` item or `turn.failed` error. */
  error: string | null;
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
  process: ProcessEvidence | null;
  /** A headless run's event stream (reserved, see {@linkcode ExecEvidence}). */
  exec?: ExecEvidence | null;
  /** The completion marker to look for (null: the one the thread's own messages asked for, if any). */
  marker: string | null;
  artifacts: ArtifactCheck[];
  /**
   * An open turn whose rollout has been silent this long is stalled (`working/stalled`); null or
   * absent: stalls are not judged (e.g. one-shot `status`).
   */
  stall_ms?: number | null;
}
