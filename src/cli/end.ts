/**
 * `codexctl end --session …`: close the pane, remove the worktree when merged, delete the state.
 *
 * @module
 */
import { z } from "zod";
import { endSession } from "../driver/end.ts";
import { cleanedUp } from "../verdict/ended.ts";
import { next } from "../verdict/next.ts";
import { Store } from "../store/store.ts";
import { defineVerb } from "./verb.ts";
import { SESSION_FLAG, sessionArg } from "./session_flags.ts";

/** The `end` verb. */
export const endVerb = defineVerb({
  name: "end",
  summary: "End a session: close its pane, remove its worktree when merged and clean, delete its state",
  usage: "end --session ID [--force]",
  description: `
Closes the session's pane (not its tab), or keeps it when the session was started with --keep;
removes its worktree and branch only when the branch has no commits the caller's branch lacks and
the tree is clean (otherwise keeps it and says why); deletes the session's state. Idempotent: a
session whose Codex or pane already died ends cleanly (ok:true), and ending it again says so. A
corrupt session record is no obstacle: end closes the pane it still names (else stops the Codex
process by its pid), tears down a readable worktree, removes the record, and lists what it could
not clean in not_cleaned (salvaged: true).

A headless session (start --via exec) has no pane: a run still going is stopped — interrupted, then
terminated, then its whole process group killed, each after a short grace — and reaped, so no
Codex process is left (pane_state "closed"; "already gone" when it had exited).
A pane whose tmux server (or herdr) cannot be reached is never taken for gone: end fails with an
environment error (exit 3, e.g. TMUX_UNREACHABLE) and keeps the session, unless Codex's own process
is known to have exited. --force deletes the state anyway and says the pane was not reached (Codex
may keep running there).`,
  flags: {
    session: SESSION_FLAG,
    force: {
      type: "boolean",
      description: "Delete the state even when the pane cannot be reached (it is left as it is)",
    },
  },
  examples: ["codexctl end --session cdx-1a2b"],
  args: z.object({ session: sessionArg, force: z.boolean().optional() }),
  async run(args, ctx) {
    const ended = await endSession(Store.fromEnv(ctx.env), args.session, ctx.env, { force: args.force });
    const parts = ended.already ? ["already ended; nothing left to clean up"] : [
      ended.salvaged ? "its record was corrupt, so from what could be read" : null,
      ended.substrate === "exec"
        ? (ended.pane === "closed" ? "Codex stopped (no process left)" : "Codex had already exited")
        : ended.pane === "not reached"
        ? "pane not reached (left as it is; Codex may still run there)"
        : `pane ${ended.pane}`,
      ended.stopped_pid ? `Codex process ${ended.stopped_pid} stopped` : null,
      ended.worktree
        ? (ended.worktree.kept ? `worktree kept (${ended.worktree.reason})` : "worktree removed")
        : null,
      "state deleted",
      ended.not_cleaned?.length ? `not cleaned: ${ended.not_cleaned.length} (see not_cleaned)` : null,
    ].filter(Boolean);
    return {
      kind: "result",
      session: args.session,
      result: {
        ...cleanedUp(`Session ended: ${parts.join(", ")}.`, next("nothing", null, "the session is gone")),
        pane_state: ended.pane,
        worktree: ended.worktree,
        ...(ended.salvaged
          ? { salvaged: true, not_cleaned: ended.not_cleaned ?? [], stopped_pid: ended.stopped_pid ?? null }
          : {}),
      },
    };
  },
});
