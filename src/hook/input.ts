/**
 * What a Claude Code hook is given: the event names codexctl serves, the hook JSON on stdin — read
 * whole and checked by hand (no zod: this is on the hook's hot path; anything that is not a JSON
 * object with a `session_id` string is garbage and gets no answer at all) — and the tuning numbers
 * of its environment (`CODEXCTL_HOOK_*`).
 *
 * @module
 */

/** `codexctl hook <name>` → the Claude Code event it serves. */
export const HOOK_EVENTS = {
  "post-tool-use": "PostToolUse",
  "stop": "Stop",
  "session-start": "SessionStart",
  "user-prompt-submit": "UserPromptSubmit",
} as const;

/** A Claude Code event codexctl handles. */
export type HookEvent = (typeof HOOK_EVENTS)[keyof typeof HOOK_EVENTS];

/** A background task Claude Code lists in Stop input. */
export interface BackgroundTask {
  type: string | null;
  status: string | null;
  command: string | null;
  description: string | null;
}

/** The fields of Claude Code's hook input that codexctl uses. */
export interface HookInput {
  session_id: string;
  hook_event_name: string | null;
  /** Stop: true on the re-check after a block. */
  stop_hook_active: boolean;
  /** SessionStart: startup, resume, clear, compact or fork. */
  source: string | null;
  cwd: string | null;
  /** Stop: shells, monitors, subagents… still running. */
  background_tasks: BackgroundTask[];
  /** PostToolUse: the tool's stdout when it has one (Bash), as Claude saw it; at most 256 KiB. */
  tool_stdout: string | null;
}

/** The most stdin the hook reads (Claude Code's inputs are a few KB). */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/** Something to read stdin from (`Deno.stdin`, or a test's stand-in). */
export interface InputSource {
  readSync(buffer: Uint8Array): number | null;
  isTerminal(): boolean;
}

/**
 * Reads all of `source` as UTF-8 text; null past `maxBytes`, or when stdin is a
 * terminal (a person ran the hook by hand: nothing to read). Synchronous, with no timer and no
 * stream: on the hook's hot path the first `setTimeout` alone costs several milliseconds. A pipe
 * that never closes is bounded by the hook's `timeout` in hooks.json.
 */
export function readInput(source: InputSource, maxBytes: number = MAX_INPUT_BYTES): string | null {
  if (source.isTerminal()) return null;
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  let size = 0;
  try {
    for (;;) {
      const n = source.readSync(buffer);
      if (n === null) break;
      size += n;
      if (size > maxBytes) return null;
      chunks.push(buffer.slice(0, n));
    }
  } catch {
    return null;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  try {
    // not fatal: bad bytes become U+FFFD and the JSON check below rejects what matters
    return new TextDecoder().decode(all);
  } catch {
    return null;
  }
}

/** Parses hook input; null for anything that is not a JSON object with a non-empty `session_id`. */
export function parseInput(text: string | null): HookInput | null {
  if (text === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  const d = data as Record<string, unknown>;
  if (typeof d.session_id !== "string" || !d.session_id.trim() || d.session_id.length > 200) return null;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const tasks = Array.isArray(d.background_tasks) ? d.background_tasks : [];
  const response = d.tool_response as { stdout?: unknown } | null | undefined;
  const stdout = response && typeof response === "object" && typeof response.stdout === "string"
    ? response.stdout.slice(0, 256 * 1024)
    : null;
  return {
    session_id: d.session_id.trim(),
    hook_event_name: str(d.hook_event_name),
    stop_hook_active: d.stop_hook_active === true,
    source: str(d.source),
    cwd: str(d.cwd),
    background_tasks: tasks.filter((t): t is Record<string, unknown> => !!t && typeof t === "object").map((
      t,
    ) => ({
      type: str(t.type),
      status: str(t.status),
      command: str(t.command),
      description: str(t.description),
    })),
    tool_stdout: stdout,
  };
}

/**
 * A number from the environment: `fallback` when `key` is unset, blank or not a finite number, or
 * is not more than 0 (with `allowZero`: is negative).
 */
export function envNumber(
  env: { get(key: string): string | undefined },
  key: string,
  fallback: number,
  allowZero = false,
): number {
  const raw = env.get(key);
  const n = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  return Number.isFinite(n) && (allowZero ? n >= 0 : n > 0) ? n : fallback;
}
