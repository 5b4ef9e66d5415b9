/**
 * `codexctl send`: start a new Codex turn with a message. The target today is a thread reached
 * through the Codex daemon (`--thread`); the TUI on that thread shows the message and the turn.
 *
 * @module
 */
import { z } from "zod";
import { usageError } from "../errors.ts";
import { withDaemon } from "../codex/daemon/operations.ts";
import { sendOnThread } from "../codex/daemon/send.ts";
import { resolveCodexHome } from "../codex/daemon/socket_path.ts";
import { resolveTarget, TARGET_FLAGS } from "./target.ts";
import { defineVerb, flag } from "./verb.ts";

/** The `send` verb. */
export const sendVerb = defineVerb({
  name: "send",
  summary: "Send a message to Codex as a new turn (--thread <id> --message TEXT)",
  usage: "send --thread <id> --message TEXT [--timeout SEC]",
  description: `
Starts a new turn on a Codex thread through the Codex daemon (Codex 0.169+ TUIs run their agent
there); the TUI shows the message and Codex's answer. The turn is verified: the result carries
the turn id once Codex reports turn/started.

Only an idle thread takes a message: while a turn runs or Codex waits on an approval or a
question, send refuses with environment/THREAD_BUSY and sends nothing (answer with codexctl reply
first). A thread the daemon has not loaded is not_found/THREAD_NOT_LOADED. Daemon trouble is an
environment error (exit 3). Codex's home is $CODEX_HOME (default ~/.codex).`,
  flags: {
    ...TARGET_FLAGS,
    message: { type: "string", placeholder: "TEXT", description: "The message (required)" },
    timeout: { type: "string", placeholder: "SEC", description: "Give up after SEC seconds (default 20)" },
  },
  examples: [
    'codexctl send --thread 01a1feeb-2f02-7e61-bb70-b597135eab2b --message "Now add tests for it"',
  ],
  args: z.object({
    thread: z.string().optional(),
    message: flag.text("--message").optional(),
    timeout: flag.secondsOr(20),
    _: z.array(z.string()),
  }),
  async run(args, ctx) {
    const target = resolveTarget("send", args);
    if (args.message === undefined) {
      throw usageError("NO_MESSAGE", "codexctl send needs --message TEXT", "run: codexctl send --help");
    }
    const codexHome = resolveCodexHome(ctx.env);
    const timeoutMs = Math.round(args.timeout * 1000);
    const outcome = await withDaemon(
      codexHome,
      { timeoutMs, requestTimeoutMs: timeoutMs },
      (client) =>
        sendOnThread(client, target.threadId, args.message!, timeoutMs).then((o) => ({
          ...o,
          version: client.version,
        })),
    );
    const t = outcome.attached.thread;
    return {
      kind: "result",
      session: null,
      result: {
        target: { kind: "thread", thread: target.threadId },
        thread: { id: target.threadId, rollout_path: t.path ?? null, cwd: t.cwd ?? null },
        turn_id: outcome.turnId,
        started: outcome.delivery === "new_turn",
        delivery: outcome.delivery,
        daemon_version: outcome.version,
      },
    };
  },
});
