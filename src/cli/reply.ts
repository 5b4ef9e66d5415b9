/**
 * `codexctl reply`: answer what Codex waits on — an approval, a question, a plan, a dialog — with
 * exactly one of `--approve`, `--reject`, `--choice N` or `--text …`. The target is a codexctl
 * session (answered in its pane, then waited on) or any thread reached through the Codex daemon.
 *
 * @module
 */
import { z } from "zod";
import { usageError } from "../errors.ts";
import { replySession } from "../driver/reply.ts";
import { Session } from "../driver/session.ts";
import { type ReplyMode, replyOnThread } from "../driver/thread_reply.ts";
import { notDeliveredError } from "../driver/send.ts";
import { resolveCodexHome } from "../codex/daemon/socket_path.ts";
import { loadApprovalPolicy } from "../policy/config.ts";
import { Store } from "../store/store.ts";
import { onThread, resolveTarget, TARGET_FLAGS } from "./target.ts";
import { defineVerb, flag } from "./verb.ts";

const ReplyArgs = z.object({
  session: z.string().optional(),
  thread: z.string().optional(),
  approve: z.boolean().optional(),
  reject: z.boolean().optional(),
  choice: z.string().optional(),
  text: z.string().optional(),
  item: z.string().optional(),
  "no-wait": z.boolean().optional(),
  timeout: flag.seconds(),
  _: z.array(z.string()),
});
type ReplyArgs = z.infer<typeof ReplyArgs>;

/** The answer mode, validated before anything else: exactly one of the four (`usage/BAD_REPLY`). */
export function replyMode(args: Pick<ReplyArgs, "approve" | "reject" | "choice" | "text">): ReplyMode {
  const given = [
    args.approve ? "--approve" : null,
    args.reject ? "--reject" : null,
    args.choice !== undefined ? "--choice" : null,
    args.text !== undefined ? "--text" : null,
  ].filter((x): x is string => x !== null);
  if (given.length !== 1) {
    throw usageError(
      "BAD_REPLY",
      given.length === 0
        ? "codexctl reply needs exactly one answer: --approve, --reject, --choice N or --text TEXT"
        : `codexctl reply takes exactly one answer, but got ${given.join(" and ")}`,
      "run: codexctl reply --help",
    );
  }
  if (args.approve) return { kind: "approve" };
  if (args.reject) return { kind: "reject" };
  if (args.choice !== undefined) {
    const text = args.choice.trim();
    if (!/^\d+(\s*,\s*\d+)*$/.test(text) || text.split(",").some((n) => Number(n) < 1)) {
      throw usageError(
        "BAD_REPLY",
        `--choice expects an option number such as 2 (or 2,1 for several questions), got ${
          JSON.stringify(args.choice.slice(0, 40))
        }`,
        "options are numbered from 1, as codexctl status shows them",
      );
    }
    return { kind: "choice", choices: text.split(",").map((n) => Number(n.trim())) };
  }
  if (!args.text!.trim()) {
    throw usageError(
      "BAD_REPLY",
      "--text must not be empty",
      'give the answer text, e.g. --text "Use SQLite"',
    );
  }
  return { kind: "text", text: args.text! };
}

/** The `reply` verb. */
export const replyVerb = defineVerb({
  name: "reply",
  summary:
    "Answer what Codex waits on: an approval or a question (--approve | --reject | --choice N | --text)",
  usage:
    "reply (--session ID | --thread <id>) (--approve | --reject | --choice N | --text TEXT) [--no-wait] [--item KEY] [--timeout SEC]",
  description: `
With --session: answers in the session's pane and waits (up to --timeout, default 600) for the
next verdict. --approve presses Enter on the highlighted option 1 (run the command, implement the
plan, trust the folder); --reject presses Esc; --choice N picks option N; --text answers in words
(a verified send with the marker reminder; a plan menu or question widget is dismissed first). A
gate is answered only if it is still what the last verdict showed (else not_found/STALE_GATE and
nothing is pressed); with nothing to answer it is not_found/NO_GATE. A permission gate or the
folder-trust dialog takes no words (usage/BAD_REPLY: a dialog would read them as its keys; answer
with --approve, --reject or --choice N), and a question no --approve or --reject. Answers to
permission gates, plans and the folder-trust dialog go to the audit log. A folder-trust answer
also sends the task the session was started with.

With --thread: answers the request a Codex thread is waiting on, through the Codex daemon (Codex
0.169+ TUIs run their agent there), so the TUI's dialog closes and Codex continues (default
--timeout 20). Exactly one answer:

  --approve     approve the pending command or file change (decision "accept")
  --reject      reject it ("decline" when Codex offers it, else "cancel", the TUI's "No")
  --choice N    a question: pick option N (N,M,… for several questions);
                an approval: pick the N-th decision Codex offers (status lists them)
  --text TEXT   a question: answer with an option's label or free text

A request that is no longer pending (answered in the TUI meanwhile, or Codex moved on) is refused
with not_found/STALE_REQUEST or NO_PENDING_REQUEST and nothing is sent; --item KEY (the request key
codexctl status shows) makes sure only that request is answered. Daemon trouble is an environment
error (exit 3): DAEMON_DOWN, DAEMON_REFUSED, DAEMON_PROTOCOL, DAEMON_TIMEOUT, DAEMON_CLOSED,
DAEMON_INCOMPATIBLE, DAEMON_ERROR. Codex's home is $CODEX_HOME (default ~/.codex).

Both: every approving answer (--approve, or a --choice that is not a "No") is checked against the
deny rules of $CODEXCTL_HOME/config.jsonc (usage/POLICY_DENIED, audited) and written to the audit
log.`,
  flags: {
    ...TARGET_FLAGS,
    approve: { type: "boolean", description: "Approve the pending command or file change" },
    reject: { type: "boolean", description: "Reject the pending command or file change" },
    choice: { type: "string", placeholder: "N", description: "Pick option N (N,M,… for several questions)" },
    text: {
      type: "string",
      placeholder: "TEXT",
      description: "Answer a question with free text or an option label",
    },
    item: {
      type: "string",
      placeholder: "KEY",
      description: "Answer only this pending request (else refuse as stale)",
    },
    "no-wait": {
      type: "boolean",
      description: "--session: return right after answering, without waiting for a verdict",
    },
    timeout: {
      type: "string",
      placeholder: "SEC",
      description: "Wait at most SEC seconds (default 600 for --session, 20 for --thread)",
    },
  },
  examples: [
    "codexctl reply --session cdx-1a2b --choice 2",
    "codexctl reply --thread 01a1feeb-2f02-7e61-bb70-b597135eab2b --approve",
    "codexctl reply --thread codex://threads/01a1feeb-2f02-7e61-bb70-b597135eab2b --choice 2",
    'codexctl reply --thread 01a1feeb-2f02-7e61-bb70-b597135eab2b --text "Use SQLite" --item call_4',
  ],
  args: ReplyArgs,
  async run(args, ctx) {
    const mode = replyMode(args);
    const target = resolveTarget("reply", args);
    if (target.kind === "session") {
      if (mode.kind === "choice" && mode.choices.length !== 1) {
        throw usageError(
          "BAD_REPLY",
          "--choice takes one option number for a session (several are for daemon questions)",
        );
      }
      const session = await Session.load(Store.fromEnv(ctx.env), target.session, ctx.env);
      if (!session.substrate.can.keys) {
        // a headless run never waits on a gate (approval_policy=never, no question widget)
        throw usageError(
          "NOTHING_TO_REPLY",
          `${session.id} runs headless: Codex never waits there for an approval or a choice`,
          `answer its question or give new instructions with: codexctl send --session ${session.id} --message "<answer>"`,
        );
      }
      const action = mode.kind === "choice" ? { kind: "choice" as const, n: mode.choices[0] } : mode;
      const replied = await replySession(session, action, {
        timeoutSec: args.timeout ?? 600,
        noWait: args["no-wait"] ?? false,
      });
      if (replied.delivery && !replied.delivery.delivered && !session.ended) {
        // the text answer, or the task a folder-trust answer was to send, did not reach Codex (a
        // session that ended meanwhile answers with how it ended instead)
        throw notDeliveredError(session.id, action.kind === "text" ? "answer" : "task", replied.delivery);
      }
      return {
        kind: "result",
        session: session.id,
        result: { ...replied.verdict, answered: replied.answered, delivery: replied.delivery },
      };
    }
    const codexHome = resolveCodexHome(ctx.env);
    const store = Store.fromEnv(ctx.env);
    const { outcome, header, daemonVersion } = await onThread(
      codexHome,
      target.threadId,
      args.timeout ?? 20,
      (client, timeoutMs) =>
        replyOnThread(client, target.threadId, mode, {
          item: args.item,
          timeoutMs,
          loadPolicy: () => loadApprovalPolicy(ctx.env),
          store,
        }),
    );
    return {
      kind: "result",
      session: null,
      result: {
        ...header,
        request: outcome.request,
        answer: outcome.answer,
        confirmed: outcome.confirmed,
        daemon_version: daemonVersion,
      },
    };
  },
});
