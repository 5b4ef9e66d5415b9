/**
 * The small interface every pane substrate (tmux, herdr) implements, so the driver never knows
 * which one it talks to.
 *
 * @module
 */

/** Where a Codex pane is opened: beside the caller, in a new tab/window, or in a new space/session. */
export type PaneMode = "pane" | "tab" | "space";

/** Keys the driver sends (each substrate maps them to its own vocabulary). */
export type Key = "Enter" | "Esc" | "Up" | "Down" | "Tab" | "BTab" | "C-c" | "C-u";

/** What to start. */
export interface SpawnRequest {
  /** The command, as an argv array (never a shell string). */
  argv: string[];
  cwd: string;
  /** The environment the Codex process gets (codexctl's own, not the multiplexer's). */
  env: Record<string, string>;
  /** A short human label (pane/window/session name). */
  label: string;
  mode: PaneMode;
}

/** Substrate-specific identity of a pane, persisted in the session record. */
export type PaneId = Record<string, unknown>;

/** One reading of a pane. */
export interface PaneRead {
  /** The pane exists and its process has not exited. */
  alive: boolean;
  /** The pane's process (Codex), when known. */
  pid: number | null;
  /** herdr's agent status; null where the substrate has none (tmux). */
  status: "idle" | "working" | "blocked" | "done" | "unknown" | null;
  /** The visible screen. */
  screen: string;
  /** Scrollback plus screen, when asked for. */
  recent: string | null;
}

/** A terminal multiplexer codexctl can drive Codex in. */
export interface Substrate {
  readonly name: "tmux" | "herdr";
  /** Opens a pane running `argv`; returns its identity. */
  spawn(request: SpawnRequest): Promise<PaneId>;
  /** Reads the pane (a missing pane reads as `alive: false` with an empty screen). */
  read(pane: PaneId, options?: { recent?: boolean }): Promise<PaneRead>;
  /** Types text literally (no Enter). */
  sendText(pane: PaneId, text: string): Promise<void>;
  /** Presses keys, in order. */
  sendKeys(pane: PaneId, keys: Key[]): Promise<void>;
  /** Closes the pane (and what codexctl created around it); idempotent. */
  close(pane: PaneId): Promise<"closed" | "already gone">;
}
