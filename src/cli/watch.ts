/**
 * `codexctl watch --thread <id|url>`: one JSON line per meaningful change, for Claude Code's
 * Monitor tool.
 *
 * @module
 */
import { z } from "zod";
import { watchThread } from "../watch/thread_watch.ts";
import { writeStdout } from "../output.ts";
import { formatEnvelope } from "../output.ts";
import { defineVerb, flag } from "./verb.ts";

/** The `watch` verb. */
export const watchVerb = defineVerb({
  name: "watch",
  summary: "Stream one JSON line per change of a Codex thread (for Claude Code's Monitor tool)",
  usage:
    "watch --thread <uuid|codex://threads/uuid> [--timeout SEC] [--stall SEC] [--until completed|settled]",
  streaming: true,
  description: `
Follows the thread's rollout and prints one compact v1 envelope per meaningful change: turn
started / completed (last message, cut) / failed / interrupted, a plan proposed, a question
waiting (request_user_input), an approval probably needed, a goal change, a new commit in the
thread's cwd (git HEAD moved), a stall (no rollout bytes for --stall seconds while a turn is open)
and activity resuming. Every line is at most 500 characters and names the command with the full
detail (codexctl status --thread …). Bursts are coalesced: at most 3 lines at once, then one per
--min-interval seconds. The first watch of a thread starts with a snapshot line; the byte cursor
is saved after every line, so a re-armed watch continues exactly where the last one stopped
(--fresh starts over with a snapshot). Ends with a final line at --until, at --timeout, or when
the rollout is deleted.

--until completed: stop after a turn ends (completed, failed or interrupted).
--until settled:   stop when Codex needs the caller (turn ended, question, approval).`,
  flags: {
    thread: {
      type: "string",
      placeholder: "ID|URL",
      description: "The Codex thread: a uuid or codex://threads/<uuid>",
    },
    timeout: { type: "string", placeholder: "SEC", description: "Stop after this long (default 1800)" },
    stall: {
      type: "string",
      placeholder: "SEC",
      description: "Report a stall after this long without rollout bytes while working (default 600)",
    },
    until: {
      type: "string",
      placeholder: "WHEN",
      description: "Stop at: completed | settled (default: only the timeout)",
    },
    "min-interval": {
      type: "string",
      placeholder: "SEC",
      description: "Sustained spacing of lines (default 2)",
    },
    fresh: {
      type: "boolean",
      description: "Ignore the saved cursor: start with a snapshot of the current state",
    },
    expect: {
      type: "string",
      multiple: true,
      placeholder: "PATH",
      description: "A file the task must produce (used for the verdicts)",
    },
    marker: { type: "string", placeholder: "TOKEN", description: "Completion marker to look for" },
  },
  examples: ["codexctl watch --thread codex://threads/01a1fee2-5631-7ac1-80da-2f586c6afc12 --until settled"],
  args: z.object({
    thread: z.string({ error: "is required: give --thread <uuid|codex://threads/uuid>" }),
    timeout: flag.secondsOr(1800),
    stall: flag.secondsOr(600),
    until: z.enum(["completed", "settled"], {
      error: (iss) => `must be completed or settled, not "${String(iss.input)}"`,
    }).optional(),
    "min-interval": z.string().regex(/^\d+(\.\d+)?$/, { error: "expected a number of seconds (0 allowed)" })
      .transform(Number).default(2),
    fresh: z.boolean().optional(),
    expect: z.array(z.string()).default([]),
    marker: z.string().optional(),
  }),
  async run(args, ctx) {
    const code = await watchThread({
      ref: args.thread,
      env: ctx.env,
      timeoutSec: args.timeout,
      stallSec: args.stall,
      until: args.until ?? null,
      minIntervalSec: args["min-interval"],
      fresh: args.fresh ?? false,
      expect: args.expect,
      marker: args.marker ?? null,
      emit: (text, envelope) =>
        writeStdout(ctx.mode.json ? text + "\n" : formatEnvelope(envelope, ctx.mode, true)),
    });
    return { kind: "done", exitCode: code };
  },
});
