/**
 * `codexctl watch`: one JSON line per meaningful change of a Codex thread or a codexctl session,
 * for Claude Code's Monitor tool.
 *
 * @module
 */
import { z } from "zod";
import { currentOwner } from "../session/owner.ts";
import { usageError } from "../errors.ts";
import { envNumber, hookStallMs } from "../hook/run.ts";
import { Store } from "../store/store.ts";
import { writeStderr } from "../output.ts";
import { defineVerb, flag } from "./verb.ts";
import { openWatchedFile } from "../watch/file_value.ts";
import { quoteArgv } from "../herdr/shell_quote.ts";
import { failurePatterns } from "../policy/failure_config.ts";

const watchArgs = z.object({
  session: z.string().optional(),
  thread: z.string().optional(),
  all: z.boolean().optional(),
  mine: z.boolean().optional(),
  timeout: z.string().regex(/^\d+(\.\d+)?$/, {
    error: (iss) => `expected a number of seconds, got "${String(iss.input)}"`,
  }).transform(Number).default(1740),
  stall: flag.secondsOr(600),
  until: z.enum(["completed", "settled"], {
    error: (iss) => `must be completed or settled, not "${String(iss.input)}"`,
  }).optional(),
  "min-interval": z.string().regex(/^\d+(\.\d+)?$/, { error: "expected a number of seconds (0 allowed)" })
    .transform(Number).default(2),
  fresh: z.boolean().optional(),
  "auto-approve": z.boolean().optional(),
  "no-close": z.boolean().optional(),
  expect: z.array(z.string()).default([]),
  marker: z.string().optional(),
  "watch-file": z.string().optional(),
  pattern: z.string().optional(),
});

/** The `watch` verb. */
export const watchVerb = defineVerb({
  name: "watch",
  summary:
    "Stream one JSON line per change of a Codex thread, a session, or every session (for Claude Code's Monitor tool)",
  usage:
    "watch (--session ID | --thread <uuid|codex://threads/uuid> | --all [--mine]) [--timeout SEC] [--until completed|settled] [--watch-file PATH [--pattern RE]] …",
  streaming: true,
  description: `
Every line is one compact v1 envelope of at most 500 characters that names the command with the
full detail (codexctl status …). Bursts are coalesced: at most 3 lines at once, then one per
--min-interval seconds.

--thread follows the thread's rollout: turn started / completed (last message, cut) / failed /
interrupted, a plan proposed, a question waiting (request_user_input), an approval probably
needed, a goal change, a new commit in the thread's cwd (git HEAD moved), a stall (no rollout
bytes for --stall seconds while a turn is open) and activity resuming. The first watch of a
thread starts with a snapshot line; the byte cursor is saved after every line, so a re-armed
watch continues exactly where the last one stopped (--fresh starts over with a snapshot). Ends
with a final line at --until, at --timeout, or when the rollout is deleted.
  --until completed: stop after a turn ends (completed, failed or interrupted).
  --until settled:   stop when Codex needs the caller (turn ended, question, approval).
A new watch of a thread that already is there (e.g. a finished thread) says so after its
snapshot and stops; a re-armed one goes on from its cursor and waits for the next turn.

--session follows a codexctl session: one line per change of its verdict (the same decisions as
status/await), permission gates surfaced — or approved and written to the audit log with
--auto-approve or allow/deny rules in $CODEXCTL_HOME/config.jsonc — and, on a verified completion (marker printed, or every --expect present), the
session is ended (pane closed) unless --no-close; the watch then exits. An unverified completion
ends the watch without closing anything.

--all follows every live session (pane or headless, whoever started it) and every thread this
Claude Code session follows, in one stream: a snapshot line first, then one line per change of a
target (turn finished, question, plan, permission gate, failure, interruption, exit, stall, back to
work), a line when a session starts after the watch began (added) or ends (dropped); bursts
coalesced into one "changes" line. It reads rollouts and Codex processes (as the hooks do; dialogs
only the screen shows are watch --session's) and never answers a gate. --mine keeps the sessions
and follows of this Claude Code session (CLAUDE_CODE_SESSION_ID or CODEXCTL_OWNER) and shares the
hooks' record of what Claude was told: a line it prints is not repeated by a hook or the wake-up,
and what a hook told is not printed again. --timeout 0 runs until the process that started it is
gone (the plugin's own monitor does that); otherwise the last line names the command to re-arm.
While it runs, start --no-wait offers no second Monitor (a lease in <state>/leases/).

Events a person acts on (--thread, --session and --all):
  failure        new tool output of a thread shows a failing test run or a crash: a line
                 matching "FAILED " or "Traceback (most recent call last)", or a test command
                 (pytest, npm test, go test, cargo test, deno test, …) exiting non-zero. At most
                 one per turn; commands that search or show code (grep, rg, git diff …) never
                 count. The patterns are the "failures" section of $CODEXCTL_HOME/config.jsonc.
                 With --all --mine, a failure told here is not told again by a hook, and the
                 other way round.
  value_changed  --watch-file PATH: the file's value changed — its text, or with --pattern RE
                 every match of RE (flags gm), joined by " | ". Only a regular file is read (a
                 FIFO or a directory is refused at once), at most its first 1 MiB, once a second;
                 a re-armed --thread watch tells a change made while nobody watched.
Both go through the same rate limit and coalescing as every other line.`,
  flags: {
    session: { type: "string", placeholder: "ID", description: "A codexctl session (cdx-…)" },
    all: { type: "boolean", description: "Every live session and followed thread, in one stream" },
    mine: { type: "boolean", description: "--all: only this Claude Code session's sessions and follows" },
    thread: {
      type: "string",
      placeholder: "ID|URL",
      description: "A Codex thread: a uuid or codex://threads/<uuid>",
    },
    timeout: {
      type: "string",
      placeholder: "SEC",
      description: "Stop after this long (default 1740; --all: 0 runs until its parent is gone)",
    },
    stall: {
      type: "string",
      placeholder: "SEC",
      description:
        "--thread: report a stall after this long without rollout bytes while working (default 600)",
    },
    until: {
      type: "string",
      placeholder: "WHEN",
      description: "--thread: stop at completed | settled (default: only the timeout)",
    },
    "min-interval": {
      type: "string",
      placeholder: "SEC",
      description: "Sustained spacing of lines (default 2)",
    },
    fresh: { type: "boolean", description: "--thread: ignore the saved cursor and start with a snapshot" },
    "auto-approve": {
      type: "boolean",
      description: "--session: approve permission gates (each decision is audited)",
    },
    "no-close": { type: "boolean", description: "--session: keep the pane open after a verified completion" },
    expect: {
      type: "string",
      multiple: true,
      placeholder: "PATH",
      description: "A file the task must produce (used for the verdicts)",
    },
    marker: { type: "string", placeholder: "TOKEN", description: "--thread: completion marker to look for" },
    "watch-file": {
      type: "string",
      placeholder: "PATH",
      description: "Also report a value_changed line when this file's value changes",
    },
    pattern: {
      type: "string",
      placeholder: "RE",
      description:
        "--watch-file: the value is every match of this regular expression (default: the whole file)",
    },
  },
  examples: [
    "codexctl watch --session cdx-1a2b --timeout 1740",
    "codexctl watch --thread codex://threads/01a1fee2-5631-7ac1-80da-2f586c6afc12 --until settled",
    "codexctl watch --all --mine --timeout 1740",
    "codexctl watch --session cdx-1a2b --watch-file runs/metrics.txt --pattern 'val_loss=\\S+'",
  ],
  args: watchArgs,
  async run(args, ctx) {
    if (args.mine && !args.all) {
      throw usageError("BAD_FLAG", "--mine goes with --all", "run: codexctl watch --all --mine");
    }
    if (args.pattern !== undefined && args["watch-file"] === undefined) {
      throw usageError(
        "BAD_FLAG",
        "--pattern goes with --watch-file",
        "run: codexctl watch … --watch-file PATH --pattern RE",
      );
    }
    // checked before anything else runs: a bad pattern, a missing file or a FIFO is an error line now
    const file = args["watch-file"] === undefined
      ? null
      : openWatchedFile(args["watch-file"], args.pattern ?? null);
    const failures = await failurePatterns(ctx.env);
    if (args.all) {
      if (args.session !== undefined || args.thread !== undefined) {
        throw usageError(
          "NO_TARGET",
          "codexctl watch takes one of --session, --thread or --all",
          "run: codexctl watch --all [--mine]",
        );
      }
      const owner = currentOwner(ctx.env);
      if (args.mine && !owner) {
        throw usageError(
          "NO_OWNER",
          "--mine needs the Claude Code session: neither CLAUDE_CODE_SESSION_ID nor CODEXCTL_OWNER is set",
          "run it from Claude Code, or drop --mine to watch every session",
        );
      }
      const store = Store.fromEnv(ctx.env);
      const command = quoteArgv([
        "codexctl",
        "watch",
        "--all",
        ...(args.mine ? ["--mine"] : []),
        ...(file ? ["--watch-file", file.file.path] : []),
        ...(file?.file.pattern != null ? ["--pattern", file.file.pattern] : []),
      ]);
      const fleet: typeof import("../watch/fleet_watch.ts") = await import(
        new URL("../watch/fleet_watch.ts", import.meta.url).href
      );
      const code = await fleet.watchFleet({
        env: ctx.env,
        root: store.root,
        owner,
        mine: args.mine ?? false,
        timeoutSec: args.timeout,
        minIntervalSec: args["min-interval"],
        stallMs: hookStallMs(ctx.env),
        pidCheckMs: envNumber(ctx.env, "CODEXCTL_HOOK_PID_CHECK_SEC", 10, true) * 1000,
        command,
        failures,
        file,
        emit: (text, envelope) => ctx.emitLine(envelope, text),
        warn: (text) => writeStderr(text + "\n"),
      });
      return { kind: "done", exitCode: code };
    }
    if (args.timeout <= 0) {
      throw usageError("BAD_FLAG", "--timeout must be more than 0 seconds (0 is for --all only)");
    }
    // --session and --thread live in watch_one.ts, loaded only for them: watch --all (a Monitor
    // that may run for the whole Claude Code session) never loads the pane driver or the daemon
    const one: typeof import("./watch_one.ts") = await import(
      new URL("./watch_one.ts", import.meta.url).href
    );
    return { kind: "done", exitCode: await one.watchOne(args, ctx, { failures, file }) };
  },
});
