/**
 * The evidence snapshot the verdict machine decides on, one slot per source (rollout, pane, daemon,
 * process, a headless run's exec stream). `src/observe/` gathers it (all IO); the machine itself is
 * pure.
 *
 * @module
 */
import type { ThreadState } from "../codex/rollout/fold.ts";
import type { DaemonEvidence } from "../codex/daemon/evidence.ts";
import type { Review } from "../envelope.ts";

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
 * A headless `codex exec` run (`start --via exec`): its own event stream (`codex exec --json`,
 * folded by `codex/exec/`), the final message Codex wrote, and what it printed on stderr. It plays
 * the rollout's part for a session without a pane; the exec rules (`exec_rules.ts`, source `exec`)
 * decide on it together with {@linkcode ProcessEvidence} (liveness and exit status) and, when the
 * thread's rollout is known, the rollout. `src/observe/` fills it.
 */
export interface ExecEvidence {
  /** The current run's stream file (null before it exists). */
  events_path: string | null;
  /** Which run of the session this is: 1 for `start`, one more per `send`. */
  run: number;
  /** `thread.started`'s thread id, once seen. */
  thread_id: string | null;
  /** The last turn marker seen: `turn.started`, `turn.completed` or `turn.failed` (null: none yet). */
  turn: "started" | "completed" | "failed" | null;
  /**
   * Codex's final message of the run: the `-o` file when the turn completed, else the last
   * `agent_message` — whole up to `MAX_MESSAGE_CHARS` (64 Ki) characters (its start when longer).
   */
  last_agent_message: string | null;
  /** The final message's full length in characters. */
  message_chars: number;
  /** When the message is longer than the kept text: its last few KiB (the marker is printed last). */
  message_tail: string | null;
  /** The file holding the whole final message, when it is longer than the kept text. */
  message_path: string | null;
  /** `turn.failed`'s error, else the last top-level `error` event (null: none). */
  error: string | null;
  /** The command Codex runs right now, if any. */
  running: string | null;
  /** How long the stream has been silent (ms since its last write; null when unknown). */
  quiet_ms?: number | null;
  /** The last lines Codex wrote to stderr (for a run that ended before its turn), bounded. */
  stderr_tail: string | null;
  /**
   * With `--output-schema`: the final message parsed as JSON (`value`, null when it is not JSON)
   * and the schema check's complaints (empty: it matches). Null without a schema.
   */
  output?: { value: unknown; errors: string[] } | null;
}

/**
 * A review run (`codexctl review`): the review Codex recorded when the run's turn ended — read from
 * the thread's rollout (structured), else from the final message's text — already cut to the
 * session's `--min-priority`. `review` is null while the run goes, and when the run ended without
 * one. `src/observe/` fills it.
 */
export interface ReviewEvidence {
  review: Review | null;
  /** `rollout` (Codex's review output), `text` (the final message), or null. */
  source: "rollout" | "text" | null;
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
  /** A headless run's event stream (see {@linkcode ExecEvidence}). */
  exec?: ExecEvidence | null;
  /** The run is a review: what it found (see {@linkcode ReviewEvidence}). */
  review?: ReviewEvidence | null;
  /** The completion marker to look for (null: the one the thread's own messages asked for, if any). */
  marker: string | null;
  artifacts: ArtifactCheck[];
  /**
   * An open turn whose rollout has been silent this long is stalled (`working/stalled`); null or
   * absent: stalls are not judged (e.g. one-shot `status`).
   */
  stall_ms?: number | null;
}
