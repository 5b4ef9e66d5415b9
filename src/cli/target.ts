/**
 * What a driving verb (`reply`, `send`) acts on. Today: a Codex thread reached through the daemon
 * (`--thread <uuid|codex://threads/uuid>`). The pane driver adds `--session cdx-…` here; a verb then
 * takes exactly one of the two, and everything after target resolution dispatches on `kind`.
 *
 * @module
 */
import { usageError } from "../errors.ts";
import { parseThreadRef } from "../codex/rollout/locate.ts";
import type { FlagSpec } from "./verb.ts";

/** The target flags every driving verb declares. */
export const TARGET_FLAGS: Record<string, FlagSpec> = {
  thread: {
    type: "string",
    placeholder: "ID",
    description:
      "The Codex thread: its UUID or codex://threads/<uuid> (a 0.169+ TUI, reached through the daemon)",
  },
};

/** A resolved target. */
export type Target = { kind: "thread"; threadId: string };

/** Resolves the target flags; `usage/NO_TARGET` or `usage/BAD_THREAD` (exit 2) when wrong. */
export function resolveTarget(verb: string, args: { thread?: string }): Target {
  if (args.thread === undefined) {
    throw usageError(
      "NO_TARGET",
      `codexctl ${verb} needs a target: --thread <id>`,
      `run: codexctl ${verb} --thread <uuid> …  (the TUI's /status shows the Session id)`,
    );
  }
  return { kind: "thread", threadId: parseThreadRef(args.thread) };
}
