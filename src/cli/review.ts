/**
 * `codexctl review`: Codex reviews a diff — the uncommitted changes, a branch against its base, or
 * one commit — as a headless session, and the verdict carries the review as data
 * (`result.review`: findings sorted P0 first, the overall verdict). `--session`/`--thread` review
 * inside an existing thread (the consensus loop). The driver is `review/run.ts`.
 *
 * @module
 */
import { z } from "zod";
import type { Verdict } from "../envelope.ts";
import { usageError } from "../errors.ts";
import { writeStderr } from "../output.ts";
import { Store } from "../store/store.ts";
import { defineVerb, flag } from "./verb.ts";
import { NO_WAIT_FLAG, noWaitVerdict, TIMEOUT_FLAG } from "./session_flags.ts";

/** The `review` verb. */
export const reviewVerb = defineVerb({
  name: "review",
  summary: "Have Codex review the uncommitted changes, a branch or a commit; the findings come back as data",
  usage:
    "review (--uncommitted | --base BRANCH | --commit SHA [--title T]) [--cwd DIR] [--prompt P] [--session ID | --thread ID] [--min-priority P0-P3] [--no-wait] [--timeout SEC]",
  description: `
Runs Codex's own reviewer (codex exec review) as a headless session — read-only sandbox,
approvals off, detached, so await, status, watch and end work on it — and returns the review as
data: result.review = {findings: [{title, body, priority, confidence, file, start_line,
end_line}], overall_correctness, overall_explanation, overall_confidence, structured}, findings
sorted by priority (P0 first), files relative to the repository. It is read from what Codex keeps
in the thread's rollout; where only text is left, what the text says is parsed and structured is
false. The verdict is completed/review_done once the review is in. In a terminal: the verdict and
a findings table (priority, file:line, title); JSON when piped.

Exactly one target: --uncommitted (staged, unstaged and untracked changes), --base BRANCH (the
current branch against BRANCH's merge base), --commit SHA (one commit; --title names it). A
branch or commit that names nothing is not_found (exit 4); so is --uncommitted on a clean tree.
--prompt adds your own instructions (codexctl then words the target itself: Codex takes a target
or instructions, never both). --min-priority P1 reports only P0 and P1 (result.review.hidden
counts the rest).

The consensus loop: --session ID runs the review inside that headless session's own thread
(start --via exec), so Codex reviews with the context of the work it did; --thread ID does the
same for any Codex thread, as a new session. Then send --session ID --message carries a finding
you dispute, with your reasoning or a proposed fix, back to the thread that made the review.
One run at a time on a thread: a review while that session's run or that thread's turn still
goes is refused (environment/THREAD_BUSY, exit 3) and nothing is started.

An --uncommitted review is remembered under the working tree's content hash, for the opt-in
review gate of the Stop hook (review_gate in config.jsonc).`,
  flags: {
    uncommitted: { type: "boolean", description: "Review the staged, unstaged and untracked changes" },
    base: { type: "string", placeholder: "BRANCH", description: "Review the current branch against BRANCH" },
    commit: { type: "string", placeholder: "SHA", description: "Review the changes of one commit" },
    title: { type: "string", placeholder: "T", description: "--commit: the commit's title for the reviewer" },
    cwd: {
      type: "string",
      placeholder: "DIR",
      description: "A directory inside the repository (default: here, or the session's/thread's)",
    },
    prompt: { type: "string", placeholder: "P", description: "More instructions for the reviewer" },
    session: {
      type: "string",
      placeholder: "ID",
      description: "Review inside this headless session's thread (its next run)",
    },
    thread: {
      type: "string",
      placeholder: "ID",
      description: "Review inside this Codex thread (a new session on it)",
    },
    "min-priority": {
      type: "string",
      placeholder: "P",
      description: "Report only findings at this priority or higher: P0 … P3",
    },
    timeout: TIMEOUT_FLAG,
    "no-wait": NO_WAIT_FLAG,
  },
  examples: [
    "codexctl review --uncommitted",
    "codexctl review --base main --min-priority P1",
    "codexctl review --commit HEAD~1 --no-wait",
    "codexctl review --uncommitted --session cdx-1a2b",
  ],
  args: z.object({
    uncommitted: z.boolean().optional(),
    base: z.string().min(1, { error: "needs a branch name" }).optional(),
    commit: z.string().min(1, { error: "needs a commit" }).optional(),
    title: z.string().max(500, { error: "is too long (at most 500 characters)" }).optional(),
    cwd: z.string().optional(),
    prompt: z.string().max(20_000, { error: "is too long (at most 20,000 characters)" }).optional(),
    session: z.string().optional(),
    thread: z.string().optional(),
    "min-priority": z.string().regex(/^[pP]?[0-3]$/, { error: "must be P0, P1, P2 or P3" }).optional(),
    timeout: flag.secondsOr(600),
    "no-wait": z.boolean().optional(),
  }),
  async run(args, ctx) {
    const { safeRef, safeRevision } = await import("../review/target.ts");
    const targets = [
      args.uncommitted ? "--uncommitted" : null,
      args.base ? "--base" : null,
      args.commit ? "--commit" : null,
    ]
      .filter((t) => t !== null);
    if (targets.length !== 1) {
      throw usageError(
        "BAD_TARGET",
        targets.length === 0
          ? "say what to review: --uncommitted, --base BRANCH or --commit SHA"
          : `give one target, not ${targets.join(" and ")}`,
        "e.g. codexctl review --uncommitted",
      );
    }
    if (args.title !== undefined && !args.commit) {
      throw usageError("BAD_FLAG", "--title names a commit: it goes with --commit SHA");
    }
    if (args.session !== undefined && args.thread !== undefined) {
      throw usageError("BAD_FLAG", "give --session or --thread, not both");
    }
    // a branch goes to Codex as written; a commit is any revision git resolves (its full id goes on)
    const refs = [["--base", args.base, safeRef], ["--commit", args.commit, safeRevision]] as const;
    for (const [name, value, ok] of refs) {
      if (value !== undefined && !ok(value)) {
        throw usageError(
          "BAD_REF",
          `${name} "${value.slice(0, 80)}" is not a ${
            name === "--base" ? "branch" : "revision"
          } name (no leading dash, blanks or control characters)`,
        );
      }
    }
    const target = args.uncommitted
      ? { kind: "uncommitted" as const }
      : args.base
      ? { kind: "base" as const, branch: args.base }
      : { kind: "commit" as const, sha: args.commit!, title: args.title ?? null };
    const minPriority = args["min-priority"] === undefined
      ? null
      : Number(args["min-priority"].replace(/^[pP]/, ""));
    const noWait = args["no-wait"] ?? false;
    const store = Store.fromEnv(ctx.env);
    const { startReview } = await import("../review/run.ts");
    const started = await startReview(ctx.env, store, {
      target,
      prompt: args.prompt ?? null,
      cwd: args.cwd ?? null,
      session: args.session ?? null,
      thread: args.thread ?? null,
      noWait,
      timeoutSec: args.timeout,
      minPriority,
      onStarted: noWait ? undefined : (id) =>
        // a foreground call cut off (Claude Code's 10-minute Bash limit) still leaves the session id
        writeStderr(`[codexctl] ${id}: the review runs detached; codexctl await --session ${id}\n`),
    });
    const s = started.session;
    const verdict: Verdict = started.verdict ??
      {
        ...noWaitVerdict(null, `Codex is reviewing (session ${s.id}, run ${started.run})`, {
          intent: "wait",
          command: `codexctl await --session ${s.id}`,
          why: "the review runs detached; await returns its verdict with result.review",
        }),
        review: null,
      };
    const info = s.record.review!;
    return {
      kind: "result",
      session: s.id,
      result: {
        ...verdict,
        review: verdict.review ?? null,
        review_target: {
          ...info.target,
          prompt: info.prompt,
          repo_root: info.repo_root,
          inline: info.inline,
          run: started.run,
        },
        pane: { substrate: "exec", mode: null, cwd: s.record.cwd, marker: null },
        exec: {
          run: started.run,
          ...(started.codex ? { codex: started.codex.path, found_via: started.codex.via } : {}),
          ...(s.record.exec ? { sandbox: s.record.exec.sandbox, dir: s.record.exec.dir } : {}),
        },
      },
    };
  },
});
