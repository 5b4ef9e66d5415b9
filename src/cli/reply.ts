/**
 * `codexctl reply --session …`: answer Codex (approve, reject, choose, or in words).
 *
 * @module
 */
import { z } from "zod";
import { usageError } from "../errors.ts";
import { type ReplyAction, replySession } from "../driver/reply.ts";
import { Session } from "../driver/session.ts";
import { Store } from "../store/store.ts";
import { defineVerb, flag } from "./verb.ts";
import { NO_WAIT_FLAG, SESSION_FLAG, TIMEOUT_FLAG } from "./session_flags.ts";

/** Exactly one of the answer flags, checked before anything else. */
export function replyAction(
  args: { text?: string; choice?: number; approve?: boolean; reject?: boolean },
): ReplyAction {
  const given =
    [args.text !== undefined, args.choice !== undefined, args.approve === true, args.reject === true].filter(
      Boolean,
    ).length;
  if (given !== 1) {
    throw usageError(
      "BAD_REPLY",
      `reply needs exactly one of --text, --choice N, --approve, --reject (got ${given})`,
      "e.g. codexctl reply --session cdx-1a2b --choice 2",
    );
  }
  if (args.text !== undefined) return { kind: "text", text: args.text };
  if (args.choice !== undefined) return { kind: "choice", n: args.choice };
  return args.approve ? { kind: "approve" } : { kind: "reject" };
}

/** The `reply` verb. */
export const replyVerb = defineVerb({
  name: "reply",
  summary: "Answer a session's Codex: --approve, --reject, --choice N or --text",
  usage: "reply --session ID (--approve | --reject | --choice N | --text TEXT) [--no-wait] [--timeout SEC]",
  description: `
--approve presses Enter on the highlighted first option (run the command, implement the plan,
trust the folder); --reject presses Esc; --choice N picks option N; --text answers in words
(a verified send with the marker reminder; a plan menu or question widget is dismissed first).
A gate is answered only if it is still what the last verdict showed: if the dialog changed in
the meantime nothing is pressed (not_found/STALE_GATE). Approvals and rejections are written to
the audit log in the state directory. Then it waits for the next verdict (unless --no-wait).`,
  flags: {
    session: SESSION_FLAG,
    approve: { type: "boolean", description: "Approve (Enter on option 1)" },
    reject: { type: "boolean", description: "Reject / go back (Esc)" },
    choice: { type: "string", placeholder: "N", description: "Pick option N" },
    text: { type: "string", placeholder: "TEXT", description: "Answer in words" },
    "no-wait": NO_WAIT_FLAG,
    timeout: TIMEOUT_FLAG,
  },
  examples: [
    "codexctl reply --session cdx-1a2b --choice 2",
    'codexctl reply --session cdx-1a2b --text "Use SQLite"',
  ],
  args: z.object({
    session: z.string().optional(),
    approve: z.boolean().optional(),
    reject: z.boolean().optional(),
    choice: z.string().regex(/^[1-9]\d?$/, {
      error: (iss) => `must be an option number 1–99, not "${String(iss.input)}"`,
    }).transform(Number).optional(),
    text: z.string().refine((t) => t.trim().length > 0, { error: "must not be empty" }).optional(),
    "no-wait": z.boolean().optional(),
    timeout: flag.secondsOr(600),
  }),
  async run(args, ctx) {
    const action = replyAction(args); // exactly one mode, before the session is resolved
    if (!args.session) throw usageError("BAD_ARGS", "--session: is required: give --session cdx-…");
    const session = await Session.load(Store.fromEnv(ctx.env), args.session, ctx.env);
    const replied = await replySession(session, action, {
      timeoutSec: args.timeout,
      noWait: args["no-wait"] ?? false,
    });
    return {
      kind: "result",
      session: session.id,
      result: { ...replied.verdict, answered: replied.answered, delivery: replied.delivery },
    };
  },
});
