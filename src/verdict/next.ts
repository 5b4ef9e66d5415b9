/**
 * `next_action` builders: the exact command to run next, for a session or a thread target.
 *
 * @module
 */
import type { NextAction, Verdict } from "../envelope.ts";
import type { Evidence, VerdictTarget } from "./evidence.ts";

/** The program name used in suggested commands (the plugin puts `codexctl` on the Bash PATH). */
export const PROGRAM = "codexctl";

/** `--session <id>` when the target has one, else `--thread <uuid>`. */
export function targetFlag(target: VerdictTarget): string {
  return target.session ? `--session ${target.session}` : `--thread ${target.thread}`;
}

/** Builds a next action. */
export function next(intent: NextAction["intent"], command: string | null, why: string): NextAction {
  return { intent, command: command === null ? null : `${PROGRAM} ${command}`, why };
}

/** Where to look for the full detail of a target. */
export function statusCommand(target: VerdictTarget): string {
  return `${PROGRAM} status ${targetFlag(target)}`;
}

/** The command that waits for the next settled state of a target. */
export function waitCommand(target: VerdictTarget): string {
  return target.session ? `await ${targetFlag(target)}` : `watch ${targetFlag(target)} --until settled`;
}

/**
 * The command a listing (`sessions`, `threads`) names for a target: the verdict's own when it has
 * one, else the wait for a target still working, else its status.
 */
export function listedNext(target: VerdictTarget, state: string, command: string | null = null): string {
  if (command) return command;
  return state === "working" ? `${PROGRAM} ${waitCommand(target)}` : statusCommand(target);
}

/**
 * A session that completed while its pane is still open: the next command is `end` — at once when
 * the marker verified the work (intent `end`), after checking it otherwise (intent `verify`). A
 * verdict that already names a command (e.g. checking missing files) keeps it.
 */
export function endOpenSession(verdict: Verdict, e: Evidence): Verdict {
  const session = e.target.session;
  if (verdict.state !== "completed" || !session || !e.pane?.alive || verdict.next_action.command !== null) {
    return verdict;
  }
  const end = `end --session ${session}`;
  return {
    ...verdict,
    next_action: verdict.next_action.intent === "nothing"
      ? next(
        "end",
        end,
        `${verdict.next_action.why}; Codex's pane is still open: end the session once you have the result`,
      )
      : next("verify", end, `${verdict.next_action.why}, then end the session (Codex's pane is still open)`),
  };
}
