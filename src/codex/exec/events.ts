/**
 * The `codex exec --json` event stream (codex.md §3.2): what one JSONL line of it says, and the
 * fold of a run's lines into what the run has shown so far. The stream is dot-cased
 * (`thread.started`, `turn.completed`, `item.completed` …) and is not a rollout: it has its own
 * parser, shared with nothing. The fold only accumulates; judging it is the verdict's job
 * (`src/verdict/exec_rules.ts`).
 *
 * Facts (observed with Codex 0.169.0 and 0.130.0): a run prints `thread.started{thread_id}`, then
 * `turn.started`, items, and `turn.completed{usage}` or — after a top-level `error{message}` —
 * `turn.failed{error:{message}}`. An interrupted or killed run prints no terminal event at all.
 * `item.completed` of type `error` carries warnings (e.g. unknown model metadata), not failures.
 *
 * @module
 */

import { FINAL_MESSAGE_MAX } from "../../envelope.ts";
import { jsonObject } from "../../json.ts";

/** The longest agent message kept whole in the fold (the rest is in the run's `-o` file). */
export const MAX_MESSAGE_CHARS = FINAL_MESSAGE_MAX;

/** How much of the end of an over-long message is kept too (for the marker and the transcript tail). */
export const MESSAGE_TAIL_CHARS = 4 * 1024;

/** Token usage of a completed turn (`turn.completed.usage`). */
export interface ExecUsage {
  input: number;
  cached_input: number;
  output: number;
  reasoning_output: number;
}

/** One command Codex ran in the turn. */
export interface ExecCommand {
  id: string;
  command: string;
  status: string;
  exit_code: number | null;
}

/** A normalised exec event (null: a line that says nothing the fold keeps). */
export type ExecEvent =
  | { k: "thread_started"; thread_id: string }
  | { k: "turn_started" }
  | { k: "turn_completed"; usage: ExecUsage | null }
  | { k: "turn_failed"; message: string }
  | { k: "error"; message: string }
  | { k: "warning"; message: string }
  | { k: "agent_message"; text: string }
  | { k: "command"; phase: "started" | "updated" | "completed"; command: ExecCommand }
  | { k: "file_change"; paths: string[] }
  | { k: "item"; type: string }
  | { k: "unknown"; type: string };

/** What a run's stream has shown so far. Plain JSON, so it can be persisted between reads. */
export interface ExecRunState {
  /** `thread.started`'s thread id (the rollout id), once seen. */
  thread_id: string | null;
  /** The last turn marker: `started`, `completed`, `failed` (null: no turn yet). */
  turn: "started" | "completed" | "failed" | null;
  /** How many turns the stream started (one per `codex exec` run). */
  turns: number;
  /** The last agent message of the current turn, at most {@linkcode MAX_MESSAGE_CHARS}. */
  last_agent_message: string | null;
  /** Its full length in characters (more than the kept text when it was cut). */
  last_agent_message_chars: number;
  /** When cut: the message's last {@linkcode MESSAGE_TAIL_CHARS} characters. */
  last_agent_message_tail: string | null;
  /** `turn.failed`'s error message. */
  turn_error: string | null;
  /** The last top-level `error` event's message (a failure, or a retry Codex recovered from). */
  last_error: string | null;
  /** Warnings Codex printed as `error` items (counted; the last one kept). */
  warnings: number;
  last_warning: string | null;
  /** The command running now (started, not completed), if any. */
  running: ExecCommand | null;
  /** Commands completed in the current turn. */
  commands: number;
  /** Files the current turn changed (at most 50 paths). */
  changed_files: string[];
  usage: ExecUsage | null;
  /** Lines read, lines that were not JSON objects, and unknown event types by name. */
  lines: number;
  invalid: number;
  unknown: Record<string, number>;
}

/** The state of a stream nothing was read from yet. */
export function initialExecState(): ExecRunState {
  return {
    thread_id: null,
    turn: null,
    turns: 0,
    last_agent_message: null,
    last_agent_message_chars: 0,
    last_agent_message_tail: null,
    turn_error: null,
    last_error: null,
    warnings: 0,
    last_warning: null,
    running: null,
    commands: 0,
    changed_files: [],
    usage: null,
    lines: 0,
    invalid: 0,
    unknown: {},
  };
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

function usageOf(v: unknown): ExecUsage | null {
  if (!v || typeof v !== "object") return null;
  const u = v as Record<string, unknown>;
  return {
    input: num(u.input_tokens),
    cached_input: num(u.cached_input_tokens),
    output: num(u.output_tokens),
    reasoning_output: num(u.reasoning_output_tokens),
  };
}

function itemEvent(phase: "started" | "updated" | "completed", item: Record<string, unknown>): ExecEvent {
  const type = str(item.type) ?? "";
  switch (type) {
    case "agent_message":
      return phase === "completed" ? { k: "agent_message", text: str(item.text) ?? "" } : { k: "item", type };
    case "error":
      return { k: "warning", message: str(item.message) ?? "" };
    case "command_execution":
      return {
        k: "command",
        phase,
        command: {
          id: str(item.id) ?? "",
          command: str(item.command) ?? "",
          status: str(item.status) ?? (phase === "completed" ? "completed" : "in_progress"),
          exit_code: typeof item.exit_code === "number" ? item.exit_code : null,
        },
      };
    case "file_change": {
      const changes = Array.isArray(item.changes) ? item.changes : [];
      const paths = changes.map((c) => str((c as Record<string, unknown> | null)?.path)).filter((
        p,
      ): p is string => p !== null);
      return phase === "completed" ? { k: "file_change", paths } : { k: "item", type };
    }
    default:
      return { k: "item", type: type || "unknown" };
  }
}

/**
 * Parses one line of the stream. Null when the line is not a JSON object with a string `type`
 * (counted as invalid by the fold).
 */
export function parseExecLine(text: string): ExecEvent | null {
  const d = jsonObject(text);
  if (!d) return null;
  const type = str(d.type);
  if (type === null) return null;
  switch (type) {
    case "thread.started": {
      const id = str(d.thread_id);
      return id ? { k: "thread_started", thread_id: id } : { k: "unknown", type };
    }
    case "turn.started":
      return { k: "turn_started" };
    case "turn.completed":
      return { k: "turn_completed", usage: usageOf(d.usage) };
    case "turn.failed": {
      const error = d.error as Record<string, unknown> | null | undefined;
      return { k: "turn_failed", message: str(error?.message) ?? "the turn failed" };
    }
    case "error":
      return { k: "error", message: str(d.message) ?? "error" };
    case "item.started":
    case "item.updated":
    case "item.completed": {
      const item = d.item;
      if (!item || typeof item !== "object" || Array.isArray(item)) return { k: "unknown", type };
      return itemEvent(type.slice(5) as "started" | "updated" | "completed", item as Record<string, unknown>);
    }
    default:
      return { k: "unknown", type };
  }
}

/** Folds one event into the state (returns a new state; the input is not changed). */
export function foldExecEvent(state: ExecRunState, event: ExecEvent | null): ExecRunState {
  const s: ExecRunState = { ...state, lines: state.lines + 1 };
  if (event === null) {
    s.invalid++;
    return s;
  }
  switch (event.k) {
    case "thread_started":
      s.thread_id = event.thread_id;
      break;
    case "turn_started":
      s.turn = "started";
      s.turns++;
      s.last_agent_message = null;
      s.last_agent_message_chars = 0;
      s.last_agent_message_tail = null;
      s.turn_error = null;
      s.last_error = null;
      s.running = null;
      s.commands = 0;
      s.changed_files = [];
      s.usage = null;
      break;
    case "turn_completed":
      s.turn = "completed";
      s.usage = event.usage;
      s.running = null;
      break;
    case "turn_failed":
      s.turn = "failed";
      s.turn_error = event.message;
      s.running = null;
      break;
    case "error":
      s.last_error = event.message;
      break;
    case "warning":
      s.warnings++;
      s.last_warning = event.message;
      break;
    case "agent_message": {
      const text = event.text;
      s.last_agent_message_chars = text.length;
      if (text.length > MAX_MESSAGE_CHARS) {
        s.last_agent_message = text.slice(0, MAX_MESSAGE_CHARS);
        s.last_agent_message_tail = text.slice(-MESSAGE_TAIL_CHARS);
      } else {
        s.last_agent_message = text;
        s.last_agent_message_tail = null;
      }
      break;
    }
    case "command":
      if (event.phase === "completed") {
        s.commands++;
        if (s.running?.id === event.command.id) s.running = null;
      } else s.running = event.command;
      break;
    case "file_change":
      s.changed_files = [...new Set([...s.changed_files, ...event.paths])].slice(-50);
      break;
    case "item":
      break;
    case "unknown":
      s.unknown = { ...s.unknown, [event.type]: (s.unknown[event.type] ?? 0) + 1 };
      break;
  }
  return s;
}

/** Folds every line of a whole stream (for tests and one-shot reads). */
export function foldExecText(text: string, state: ExecRunState = initialExecState()): ExecRunState {
  for (const line of text.split("\n")) {
    if (line.trim()) state = foldExecEvent(state, parseExecLine(line));
  }
  return state;
}
