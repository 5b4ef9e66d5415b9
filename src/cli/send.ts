/**
 * `codexctl send --session … --message …`: a verified follow-up to a session's Codex.
 *
 * @module
 */
import { z } from "zod";
import { withMarkerReminder } from "../codex/prompt.ts";
import { verifiedSend } from "../driver/send.ts";
import { Session } from "../driver/session.ts";
import { baseline, waitForVerdict } from "../driver/settle.ts";
import { Store } from "../store/store.ts";
import { defineVerb, flag } from "./verb.ts";
import {
  EXPECT_FLAG,
  NO_WAIT_FLAG,
  noWaitVerdict,
  SESSION_FLAG,
  sessionArg,
  TIMEOUT_FLAG,
} from "./session_flags.ts";

/** The `send` verb. */
export const sendVerb = defineVerb({
  name: "send",
  summary: "Send a follow-up message to a session's Codex (verified) and wait for its verdict",
  usage: "send --session ID --message TEXT [--no-wait] [--expect PATH]… [--timeout SEC]",
  description: `
Types the message once (as one line, with the marker reminder), presses Enter after the TUI's
paste-burst gap, and proves delivery by a new user message in Codex's rollout (or a new turn) —
never by the composer alone; only Enter is retried, the text is never typed twice. If Codex is in
the middle of a turn the message steers that turn, and the result says so (delivery.steered).`,
  flags: {
    session: SESSION_FLAG,
    message: { type: "string", placeholder: "TEXT", description: "The message" },
    "no-wait": NO_WAIT_FLAG,
    expect: EXPECT_FLAG,
    timeout: TIMEOUT_FLAG,
  },
  examples: ['codexctl send --session cdx-1a2b --message "Also add a test for the empty case"'],
  args: z.object({
    session: sessionArg,
    message: z.string({ error: "is required: give --message TEXT" }).refine((t) => t.trim().length > 0, {
      error: "must not be empty",
    }),
    "no-wait": z.boolean().optional(),
    expect: z.array(z.string()).default([]),
    timeout: flag.secondsOr(600),
  }),
  async run(args, ctx) {
    const session = await Session.load(Store.fromEnv(ctx.env), args.session, ctx.env);
    if (args.expect.length) {
      await session.save({ expect: [...new Set([...session.record.expect, ...args.expect])] });
    }
    const base = await baseline(session);
    const delivery = await verifiedSend(session, withMarkerReminder(args.message, session.record.marker));
    let verdict;
    if (!delivery.delivered) verdict = (await session.observe()).verdict;
    else if (args["no-wait"]) {
      verdict = noWaitVerdict(
        (await session.observe()).verdict,
        delivery.steered ? "Message steered into the running turn" : "Message delivered; Codex is working",
        { intent: "wait", command: null, why: "not waiting, as asked" },
      );
    } else verdict = await waitForVerdict(session, base, args.timeout * 1000);
    await session.remember(verdict);
    return { kind: "result", session: session.id, result: { ...verdict, delivery } };
  },
});
