/**
 * `codexctl await --session …`: wait for the next settled verdict without sending anything.
 *
 * @module
 */
import { z } from "zod";
import { Session } from "../driver/session.ts";
import { waitForVerdict } from "../driver/settle.ts";
import { Store } from "../store/store.ts";
import { defineVerb, flag } from "./verb.ts";
import {
  addExpect,
  EXPECT_FLAG,
  expectArg,
  SESSION_FLAG,
  sessionArg,
  TIMEOUT_FLAG,
} from "./session_flags.ts";

/** The `await` verb. */
export const awaitVerb = defineVerb({
  name: "await",
  summary: "Wait for a session's next settled verdict (up to --timeout) without sending anything",
  usage: "await --session ID [--expect PATH]… [--timeout SEC]",
  description: `
Re-enters the wait: returns as soon as Codex has settled (turn ended, question, dialog, plan
menu, failure, exit); a wait that runs out returns working/timeout (exit 0). Use it after a
--no-wait action, or to re-check a long task in bounded slices (Claude Code's Bash tool stops at
10 minutes).`,
  flags: { session: SESSION_FLAG, expect: EXPECT_FLAG, timeout: TIMEOUT_FLAG },
  examples: ["codexctl await --session cdx-1a2b --timeout 300"],
  args: z.object({
    session: sessionArg,
    expect: expectArg,
    timeout: flag.secondsOr(600),
  }),
  async run(args, ctx) {
    const session = await Session.load(Store.fromEnv(ctx.env), args.session, ctx.env);
    await addExpect(session, args.expect);
    // no action to wait for: a settled state on screen or in the rollout counts at once
    const verdict = await waitForVerdict(session, { events: -1, screen: "\u0000" }, args.timeout * 1000);
    await session.remember(verdict);
    if (session.record.review) {
      // a review that ended is remembered for the review gate
      await (await import("../review/run.ts")).noteReview(session.store, session, verdict);
    }
    return { kind: "result", session: session.id, result: verdict };
  },
});
