/**
 * `codexctl hook <event>`: the Claude Code hook handlers. `src/main.ts` sends `codexctl hook …`
 * straight to the lean hook module; this definition gives the verb its `--help` and serves the
 * rare call that reaches the full CLI (e.g. `codexctl --json hook stop`).
 *
 * @module
 */
import { z } from "zod";
import { HOOK_NAMES, runHook } from "../hook/run.ts";
import { defineVerb } from "./verb.ts";

/** The `hook` verb. */
export const hookVerb = defineVerb({
  name: "hook",
  summary: "Claude Code hook handlers (used by the plugin): push Codex state into Claude exactly once",
  usage: "hook post-tool-use|stop|wake|session-start|user-prompt-submit   (hook JSON on stdin)",
  description: `
Run by the codexctl Claude Code plugin (hooks/hooks.json), one process per hook event. Each reads
Claude Code's hook JSON on stdin and prints Claude Code hook output (not a codexctl envelope), or
nothing; it exits 0 — a hook never breaks Claude Code — except wake, whose exit 2 wakes Claude.
Errors go to the hook log, <state>/logs/hooks.jsonl.

The hooks speak only about the codexctl sessions the calling Claude Code session owns (started from
it) and what it follows (codexctl follow).

  post-tool-use       after each tool call: one factual line per change (turn completed, question,
                      plan waiting, permission gate, failure, interruption, exit, stall) with the
                      exact next command, at most 2,000 characters; nothing when nothing changed.
                      Each change is delivered exactly once, even with parallel hook processes; a
                      state the tool call's own codexctl output already showed is not repeated.
  user-prompt-submit  the same, when the user sends a prompt (changes that happened while idle).
  stop                with stop_hook_active: true, allows. Otherwise blocks only for what needs
                      Claude now and nobody told it: a session awaiting an answer, approval or plan
                      decision, or one that completed, failed, was interrupted or exited (once per
                      change). A session still working lets Claude stop: the wake-up waits for it.
  wake                the wake-up (hooks.json runs it at Stop with asyncRewake: in the background
                      of an interactive Claude Code, in the foreground under claude -p): waits,
                      on filesystem events, for the first change of an owned session that needs
                      Claude, claims it so no other hook repeats it, prints one line per change
                      (session, state, next command) on stderr and exits 2, which wakes Claude.
                      Exits 0 quietly when nothing works, when the Stop of the same event blocks,
                      when a newer wake-up or a new prompt takes over, or after CODEXCTL_WAKE_SEC.
  session-start       exports CODEXCTL_OWNER through CLAUDE_ENV_FILE and briefs the states of the
                      owned sessions (at most 1,500 characters).

Environment: CODEXCTL_STOP_WORKING=wake|block|allow (default wake; block: block once per state
while a session works; allow: neither block nor wait), CODEXCTL_WAKE_SEC (default 3540),
CODEXCTL_HOOK_STALL_SEC (default 600), CODEXCTL_HOOK_BUDGET_MS (default 5000; hooks.json gives
each hook 10 s, the wake-up 3600 s), CODEXCTL_HOOK_PID_CHECK_SEC (default 10),
CODEXCTL_HOOK_TRACE=1 (log every delivery pass).`,
  flags: {},
  positionals: { name: "event", description: HOOK_NAMES.join(", "), max: 1 },
  examples: [`echo '{"session_id":"…","hook_event_name":"PostToolUse"}' | codexctl hook post-tool-use`],
  args: z.object({ _: z.array(z.string()) }),
  async run(args, ctx) {
    return { kind: "done", exitCode: await runHook(args._, ctx.env) };
  },
});
