/**
 * The seam between driving Codex and where Codex runs. Every way Codex runs — a tmux pane, a herdr
 * pane, a headless `codex exec` run, a thread reached through the Codex daemon — is one
 * {@linkcode Substrate}: it starts Codex, reads the evidence it has, delivers input, and stops Codex.
 * The driver (`src/driver/`) and the answer path (`src/policy/answer.ts`) only talk to this
 * interface; what a substrate can do is its {@linkcode Capabilities}, asked, never assumed from its
 * name.
 *
 * What each method must guarantee:
 * - `start(request)` starts Codex with `request.argv` (an argv array, never a shell string) in
 *   `request.cwd` with exactly `request.env`, and returns the {@linkcode Handle} that finds it
 *   again (JSON, persisted in the session record's `pane` field). It never moves the human's focus.
 *   A substrate that cannot start Codex (`can.start` false: a daemon thread is started elsewhere)
 *   throws `usage/CANNOT_START`.
 * - `read(handle)` returns one {@linkcode Reading} and never throws for a Codex that is gone: a
 *   missing pane, an exited run, an unloaded thread read as `alive: false`. It reads only; it never
 *   types, answers or decides. A substrate fills the slots it has (a screen only when `can.screen`).
 * - `deliver(handle, input)` hands one {@linkcode Input} over, unchanged and exactly once, or throws
 *   (`environment/SEND_FAILED`, a daemon error, `not_found/STALE_REQUEST` when the request it
 *   answers is no longer pending). It does not decide whether the input is allowed: callers go
 *   through the answer path (`src/policy/answer.ts`), which classifies every input aimed at an open
 *   gate first. An input kind the substrate cannot take (see `can`) is `usage/CANNOT_DELIVER`.
 * - `stop(handle)` stops Codex there and removes what codexctl created around it (pane, window,
 *   workspace, process group); it is idempotent (`already gone` the second time). It says `already
 *   gone` only when that is known: a substrate it cannot reach is an environment error (e.g.
 *   `environment/TMUX_UNREACHABLE`). A substrate that does not own Codex (`can.own` false) stops
 *   nothing and says `not owned`.
 *
 * @module
 */
import { usageError } from "../errors.ts";
import type { ExecEvidence, PaneEvidence, ProcessEvidence } from "../verdict/evidence.ts";
import type { AttachedThread } from "../codex/daemon/operations.ts";
import type { DaemonThreadStatus } from "../codex/daemon/protocol.ts";
import type { PendingRequest } from "../codex/daemon/requests.ts";
import type { AppServerReviewTarget } from "../codex/app_server/inline_review.ts";

/** Every way Codex runs. */
export type SubstrateName = "tmux" | "herdr" | "exec" | "daemon";

/** Where a Codex pane is opened: beside the caller, in a new tab/window, or in a new space/session. */
export type PaneMode = "pane" | "tab" | "space";

/** Keys the driver presses (each substrate maps them to its own vocabulary). */
export type Key = "Enter" | "Esc" | "Up" | "Down" | "Tab" | "BTab" | "C-c" | "C-u";

/** What a substrate can do. The driver asks these instead of testing the substrate's name. */
export interface Capabilities {
  /** codexctl starts Codex there (`start` works). */
  start: boolean;
  /** codexctl owns what runs there, so `stop` may end it. */
  own: boolean;
  /** It shows Codex's TUI: a screen to read (dialogs, menus, the composer). */
  screen: boolean;
  /** It takes typed text and key presses into that screen (`text` and `keys` inputs). */
  keys: boolean;
  /** It takes a whole follow-up message as one input (`message`): a new turn or a resumed run. */
  message: boolean;
  /** It answers what Codex waits on as a structured request (`request`: the daemon's pending approvals and questions). */
  requests: boolean;
  /** A run that has finished can take a follow-up on the same thread. */
  resume: boolean;
  /** It runs a Codex review inside the session's thread (`review`: Codex keeps the review in that thread). */
  review: boolean;
}

/** What a pane running the Codex TUI can do (tmux and herdr alike). */
export const PANE_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  start: true,
  own: true,
  screen: true,
  keys: true,
  message: false,
  requests: false,
  resume: true,
  review: false,
});

/** What to start. */
export interface StartRequest {
  /** The command, as an argv array (never a shell string). */
  argv: string[];
  cwd: string;
  /** The environment the Codex process gets (codexctl's own, not a multiplexer's). */
  env: Record<string, string>;
  /** A short human label (pane/window/session name). */
  label: string;
  /** Where a pane opens (substrates without panes ignore it). */
  mode: PaneMode;
  /** What only a headless run needs (the exec substrate; others ignore it). */
  exec?: ExecPlan;
}

/**
 * How a headless session makes its runs (the exec substrate's `start`): its `argv` is the Codex
 * binary followed by the options every run takes; these are the rest.
 */
export interface ExecPlan {
  /** A unique, path-safe name for the session's exec directory (the session id). */
  key: string;
  /** The subcommand words of the first run (default `exec`; e.g. `exec review --uncommitted`). */
  first?: string[];
  /** Options only the first run takes (`-s MODE`: `exec resume` has no `-s`). */
  first_options?: string[];
  /** The `--output-schema` file (null: none). */
  schema?: string | null;
  /** This Codex's `exec resume` takes `--output-schema` too. */
  resume_schema?: boolean;
  /** After each run, mark the thread as the IDE extension's (`--ide-visible`). */
  ide_visible?: boolean;
  /** An existing Codex thread the session works on: its first run resumes it (`review --thread`). */
  thread?: string | null;
}

/**
 * Substrate-specific identity of one running Codex (tmux: socket and pane id; herdr: terminal and
 * pane ids; a daemon thread: its id), plain JSON, persisted in the session record's `pane` field.
 */
export type Handle = Record<string, unknown>;

/** What the daemon says about a thread, for the substrate that reaches threads through it. */
export interface ThreadReading {
  attached: AttachedThread;
  /** The thread's status now (idle, active with its flags …). */
  status: DaemonThreadStatus;
  /** What Codex waits on that nobody has answered yet, oldest first. */
  pending: PendingRequest[];
}

/** Options of {@linkcode Substrate.read}. */
export interface ReadOptions {
  /** Read the scrollback too (screen substrates). */
  recent?: boolean;
  /** Bound for substrates that ask over a connection (ms). */
  timeoutMs?: number;
}

/** One reading: every slot the substrate has; the others are null or absent. */
export interface Reading {
  /** Codex is there: the pane exists and its process runs, the run lives, the thread is loaded. */
  alive: boolean;
  /** The Codex process, when known. */
  pid: number | null;
  /** herdr's agent status; null where the substrate has none. */
  status: PaneEvidence["status"];
  /** The visible screen ("" when the substrate has none: `can.screen` false). */
  screen: string;
  /** Scrollback plus screen, when asked for and available. */
  recent: string | null;
  /** Process facts beyond `alive`/`pid` (a headless run: start time, exit status). */
  process?: ProcessEvidence | null;
  /** A headless run's event stream. */
  exec?: ExecEvidence | null;
  /** The daemon's view of the thread (the daemon substrate). */
  thread?: ThreadReading | null;
  /**
   * Set when the substrate could not be asked at all (e.g. no tmux server answers at the recorded
   * socket): says why. Then `alive`, `screen` and `status` mean nothing — an unreachable server is no
   * evidence that the pane or Codex is gone; `process` says what Codex's own process shows, if known.
   */
  unreachable?: string;
}

/** One input for Codex. Which kinds a substrate takes is in its {@linkcode Capabilities}. */
export type Input =
  /** Typed literally into the screen, no Enter (`can.keys`). */
  | { kind: "text"; text: string }
  /** Pressed in order (`can.keys`). */
  | { kind: "keys"; keys: Key[] }
  /** A whole follow-up message: a new turn on the thread or a resumed run (`can.message`). */
  | { kind: "message"; text: string }
  /** The result for a pending daemon request (`can.requests`). */
  | { kind: "request"; request: PendingRequest; result: unknown }
  /** A review of `target` inside the session's thread, as a turn of that thread (`can.review`). */
  | { kind: "review"; target: AppServerReviewTarget };

/** Options of {@linkcode Substrate.deliver}. */
export interface DeliverOptions {
  /** Bound for substrates that wait for a confirmation (ms). */
  timeoutMs?: number;
}

/** What a delivery did. */
export type Delivered =
  /** Typed or pressed (screen substrates confirm nothing themselves: the driver verifies). */
  | { kind: "typed" }
  /** A message that started a turn (`new_turn`) or joined the running one (`running_turn`). */
  | { kind: "turn"; turn_id: string; delivery: "new_turn" | "running_turn" }
  /** A request answered; `confirmed` once Codex reported it resolved. */
  | { kind: "answered"; sent: unknown; confirmed: boolean };

/** What `stop` did. */
export type Stopped = "closed" | "already gone" | "not owned";

/** One way Codex runs (see the module doc for what each method guarantees). */
export interface Substrate {
  readonly name: SubstrateName;
  readonly can: Readonly<Capabilities>;
  /** Starts Codex; returns its handle. */
  start(request: StartRequest): Promise<Handle>;
  /** Reads what the substrate knows about Codex now. */
  read(handle: Handle, options?: ReadOptions): Promise<Reading>;
  /** Hands one input over. */
  deliver(handle: Handle, input: Input, options?: DeliverOptions): Promise<Delivered>;
  /** Stops Codex and removes what codexctl created around it; idempotent. */
  stop(handle: Handle): Promise<Stopped>;
}

/** The reading of a Codex that is not there. */
export function goneReading(): Reading {
  return { alive: false, pid: null, status: null, screen: "", recent: null };
}

/** `usage/CANNOT_DELIVER`: `substrate` does not take `input`'s kind. */
export function cannotDeliver(substrate: SubstrateName, input: Input): Error {
  return usageError(
    "CANNOT_DELIVER",
    `Codex running in ${substrate} cannot take a ${input.kind} input`,
    "this is a codexctl bug if a verb got here; please report it",
  );
}
