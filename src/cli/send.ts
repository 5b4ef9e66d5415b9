/**
 * `codexctl send`: a follow-up message to Codex — into a codexctl session's pane (verified, then
 * waited on), or as a new turn on any thread through the Codex daemon.
 *
 * @module
 */
import { z } from "zod";
import { usageError } from "../errors.ts";
import { sendToSession } from "../driver/answering.ts";
import { Session } from "../driver/session.ts";
import { waitForVerdict } from "../driver/settle.ts";
import { notDeliveredError } from "../driver/send.ts";
import { Store } from "../store/store.ts";
import { sendOnThread } from "../driver/thread_send.ts";
import { resolveCodexHome } from "../codex/daemon/socket_path.ts";
import { onThread, resolveTarget, TARGET_FLAGS } from "./target.ts";
import { addExpect, expectArg, noWaitVerdict } from "./session_flags.ts";
import { defineVerb, flag } from "./verb.ts";

/** The `send` verb. */
export const sendVerb = defineVerb({
  name: "send",
  summary: "Send a message to Codex as a new turn ((--session ID | --thread <id>) --message TEXT)",
  usage: "send (--session ID | --thread <id>) --message TEXT [--no-wait] [--expect PATH]… [--timeout SEC]",
  description: `
With --session: types the message once into the session's pane (one line, with the marker
reminder), presses Enter after the TUI's paste-burst gap, and proves delivery by a new user
message in Codex's rollout (or a new turn) — never by the composer alone; only Enter is retried,
the text is never typed twice. A message sent while Codex works steers the running turn, and the
result says so (delivery.steered). Then it waits up to --timeout (default 600) for a verdict.
While Codex shows an approval, plan, folder-trust or question dialog, a message would be typed
into it as its keys: send refuses with environment/THREAD_BUSY and types nothing (answer with
codexctl reply --approve | --reject first). A question Codex asked in its chat takes the message
as its answer.

A headless session (start --via exec) takes the message as its next run: codex exec resume on the
same thread (the marker reminder included). While its current run still works, send refuses with
environment/THREAD_BUSY and error.next_action naming codexctl await; nothing is started.

With --thread: starts a new turn on a Codex thread through the Codex daemon (Codex 0.169+ TUIs run their agent
there); the TUI shows the message and Codex's answer. The turn is verified: the result carries
the turn id once Codex reports turn/started.

Only an idle thread takes a message: while a turn runs or Codex waits on an approval or a
question, send refuses with environment/THREAD_BUSY and sends nothing (answer with codexctl reply
first). A thread the daemon has not loaded is not_found/THREAD_NOT_LOADED. Daemon trouble is an
environment error (exit 3). Codex's home is $CODEX_HOME (default ~/.codex).`,
  flags: {
    ...TARGET_FLAGS,
    message: { type: "string", placeholder: "TEXT", description: "The message (required)" },
    "no-wait": {
      type: "boolean",
      description: "--session: return right after delivery, without waiting for a verdict",
    },
    expect: {
      type: "string",
      multiple: true,
      placeholder: "PATH",
      description: "--session: a file the task must produce (persisted)",
    },
    timeout: {
      type: "string",
      placeholder: "SEC",
      description: "Wait at most SEC seconds (default 600 for --session, 20 for --thread)",
    },
  },
  examples: [
    'codexctl send --session cdx-1a2b --message "Also add a test for the empty case"',
    'codexctl send --thread 01a1feeb-2f02-7e61-bb70-b597135eab2b --message "Now add tests for it"',
  ],
  args: z.object({
    session: z.string().optional(),
    thread: z.string().optional(),
    message: flag.text("--message").optional(),
    "no-wait": z.boolean().optional(),
    expect: expectArg,
    timeout: flag.seconds(),
    _: z.array(z.string()),
  }),
  async run(args, ctx) {
    const target = resolveTarget("send", args);
    if (args.message === undefined) {
      throw usageError("NO_MESSAGE", "codexctl send needs --message TEXT", "run: codexctl send --help");
    }
    if (target.kind === "session") {
      const session = await Session.load(Store.fromEnv(ctx.env), target.session, ctx.env);
      await addExpect(session, args.expect);
      const { baseline: base, delivery } = await sendToSession(session, args.message);
      let verdict;
      // a session that has ended takes nothing: how it ended is the answer (also when it ended under the send)
      if (session.ended) verdict = (await session.observe()).verdict;
      else if (!delivery.delivered) throw notDeliveredError(session.id, "message", delivery);
      else if (args["no-wait"]) {
        verdict = noWaitVerdict(
          (await session.observe()).verdict,
          delivery.steered ? "Message steered into the running turn" : "Message delivered; Codex is working",
          { intent: "wait", command: null, why: "not waiting, as asked" },
        );
      } else verdict = await waitForVerdict(session, base, (args.timeout ?? 600) * 1000);
      await session.remember(verdict);
      return { kind: "result", session: session.id, result: { ...verdict, delivery } };
    }
    const { outcome, header, daemonVersion } = await onThread(
      resolveCodexHome(ctx.env),
      target.threadId,
      args.timeout ?? 20,
      (client, timeoutMs) =>
        sendOnThread(client, target.threadId, args.message!, timeoutMs, Store.fromEnv(ctx.env)),
    );
    return {
      kind: "result",
      session: null,
      result: {
        ...header,
        turn_id: outcome.turnId,
        started: outcome.delivery === "new_turn",
        delivery: outcome.delivery,
        daemon_version: daemonVersion,
      },
    };
  },
});
