/**
 * `codexctl hook <event>`: the Claude Code hook handlers. `src/main.ts` sends `codexctl hook …`
 * straight to the lean hook module; this definition gives the verb its `--help` and serves the
 * rare call that reaches the full CLI (e.g. `codexctl --json hook stop`).
 *
 * @module
 */
import { z } from "zod";
import { HOOK_EVENTS, runHook } from "../hook/run.ts";
import { defineVerb } from "./verb.ts";

/** The `hook` verb. */
export const hookVerb = defineVerb({
  name: "hook",
  summary: "Claude Code hook handlers (used by the plugin): push Codex state into Claude exactly once",
  usage: "hook post-tool-use|stop|session-start|user-prompt-submit   (hook JSON on stdin)",
  description: `
Run by the codexctl Claude Code plugin (hooks/hooks.json), one process per hook event. Each reads
Claude Code's hook JSON on stdin and prints Claude Code hook output (not a codexctl envelope), or
nothing; it always exits 0 — a hook never breaks Claude Code. Errors go to the hook log,
<state>/logs/hooks.jsonl.

The hooks speak only about the codexctl sessions the calling Claude Code session owns (started from
it) and what it follows (codexctl follow).

  post-tool-use       after each tool call: one factual line per change (turn completed, question,
                      plan waiting, permission gate, failure, interruption, exit, stall) with the
                      exact next command, at most 2,000 characters; nothing when nothing changed.
                      Each change is delivered exactly once, even with parallel hook processes; a
                      state the tool call's own codexctl output already showed is not repeated.
  user-prompt-submit  the same, when the user sends a prompt (changes that happened while idle).
  stop                with stop_hook_active: true, allows. Otherwise blocks once per session state
                      while a session awaits an answer, approval or plan decision, finished with a
                      result Claude was not told, or still works (CODEXCTL_STOP_WORKING=allow
                      allows that; so does a running background task watching the session).
  session-start       exports CODEXCTL_OWNER through CLAUDE_ENV_FILE and briefs the states of the
                      owned sessions (at most 1,500 characters).

Environment: CODEXCTL_STOP_WORKING=allow|block, CODEXCTL_HOOK_STALL_SEC (default 600),
CODEXCTL_HOOK_BUDGET_MS (default 5000; hooks.json gives each hook 10 s),
CODEXCTL_HOOK_PID_CHECK_SEC (default 10), CODEXCTL_HOOK_TRACE=1 (log every delivery pass).`,
  flags: {},
  positionals: { name: "event", description: Object.keys(HOOK_EVENTS).join(", "), max: 1 },
  examples: [`echo '{"session_id":"…","hook_event_name":"PostToolUse"}' | codexctl hook post-tool-use`],
  args: z.object({ _: z.array(z.string()) }),
  async run(args, ctx) {
    return { kind: "done", exitCode: await runHook(args._, ctx.env) };
  },
});
