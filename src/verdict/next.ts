/**
 * `next_action` builders: the exact command to run next, for a session or a thread target.
 *
 * @module
 */
import type { NextAction } from "../envelope.ts";
import type { VerdictTarget } from "./evidence.ts";

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
