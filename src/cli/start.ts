/**
 * `codexctl start`: open Codex in a pane, send it a task, and wait for a verdict.
 *
 * @module
 */
import { z } from "zod";
import { startSession } from "../driver/start.ts";
import { notDeliveredError } from "../driver/send.ts";
import { Store } from "../store/store.ts";
import { type Monitor, MONITOR_MAX_MS } from "../envelope.ts";
import { currentOwner } from "../session/owner.ts";
import { leaseAlive, readLease } from "../fleet/lease.ts";
import { fleetLeaseKey } from "../watch/fleet_watch.ts";
import { usageError } from "../errors.ts";
import { writeStderr } from "../output.ts";
import { attachCommand } from "../substrate/tmux.ts";
import { defineVerb, flag } from "./verb.ts";
import {
  EXPECT_FLAG,
  expectArg,
  NO_WAIT_FLAG,
  noWaitVerdict,
  TIMEOUT_FLAG,
  truthy,
} from "./session_flags.ts";

/** The armed watch stops a minute before the Monitor expires so its timeout line is delivered. */
const MONITOR_WATCH_SECONDS = 1740;

/** States in which the session's Codex no longer runs: no monitor then. */
const GONE = new Set(["exited", "ended"]);

/**
 * `result.monitor`: the `watch --all` command for the owner (`--mine` when one is known), and
 * whether to arm it — not when a live `watch --all` already holds the owner's lease.
 */
export function monitorFor(root: string, owner: string | null): Monitor {
  const key = fleetLeaseKey(owner, owner !== null);
  const lease = readLease(root, "watch-all", key);
  const running = leaseAlive(lease) ? { pid: lease.pid, command: lease.command } : null;
  const command = [
    "codexctl",
    "watch",
    "--all",
    ...(owner ? ["--mine"] : []),
    "--timeout",
    String(MONITOR_WATCH_SECONDS),
  ].join(" ");
  return {
    command,
    description: owner
      ? "codex: changes of this conversation's Codex sessions"
      : "codex: changes of every session",
    timeout_ms: MONITOR_MAX_MS,
    arm: running === null,
    running,
  };
}

/** The `start` verb. */
export const startVerb = defineVerb({
  name: "start",
  summary: "Start Codex in a tmux or herdr pane on a task, and wait for its verdict",
  usage:
    "start --task TEXT [--slug NAME] [--in pane|tab|space] [--via herdr|tmux] [--cwd DIR] [--worktree] [--plan|--no-plan] [--expect PATH]… [--no-wait] …",
  description: `
Opens the interactive Codex TUI in a new pane (herdr when reachable, else tmux; --via forces
one), waits until it is ready, sends the task as one line with the completion-marker contract
("print <MARKER> on its own line when FULLY complete; ask instead of guessing"), proves the task
arrived (a new user message in Codex's rollout, never just the composer), binds the session to
the Codex thread, and waits up to --timeout for a settled verdict. A folder-trust or update dialog
is reported first (awaiting_approval/trust_dialog; answer with reply --choice 1, which then sends
the task). Plan mode is engaged when the task says "plan" (--plan forces, --no-plan prevents) and
verified on screen before the task is typed (up to 3 tries, the composer cleared before each); a
task that did not reach Codex is environment/NOT_DELIVERED (exit 3) naming the session, never a
verdict.
Codex's own approval settings are kept; pass flags such as --yolo with --codex-arg.
With --no-wait it returns at once; while the session lives the result always carries
result.monitor: the codexctl watch --all command to arm Claude Code's Monitor tool with (one
Monitor for every session), and monitor.arm — false when a watch --all already runs for this
Claude Code session (monitor.running names it), so there is nothing to arm. Defaults from the environment: CODEXCTL_IN (pane|tab|space), CODEXCTL_KEEP,
CODEXCTL_WORKTREE, CODEXCTL_KEEP_WORKTREE (1/true/yes/on); CODEXCTL_CODEX names the codex binary.`,
  flags: {
    task: { type: "string", placeholder: "TEXT", description: "What Codex should do (sent as one line)" },
    slug: {
      type: "string",
      placeholder: "NAME",
      description:
        "1–3 lowercase words (a-z, 0-9), at most 40 characters, for labels and branches (default: from the task); labels get -2, -3… to stay unique",
    },
    in: {
      type: "string",
      placeholder: "MODE",
      description: "pane (beside you), tab (new window) or space (new session/workspace); default pane",
    },
    via: {
      type: "string",
      placeholder: "SUBSTRATE",
      description: "herdr or tmux (default: herdr when reachable, else tmux)",
    },
    cwd: { type: "string", placeholder: "DIR", description: "Working directory for Codex (default: here)" },
    worktree: { type: "boolean", description: "Run Codex in a new git worktree on branch codex/<slug>" },
    "keep-worktree": { type: "boolean", description: "Keep the worktree when the session ends" },
    plan: { type: "boolean", description: "Engage Codex's Plan mode first" },
    "no-plan": { type: "boolean", description: "Never engage Plan mode, even if the task mentions a plan" },
    expect: EXPECT_FLAG,
    marker: {
      type: "string",
      placeholder: "TOKEN",
      description: "Completion marker (default: CDX_DONE_ + 6 hex)",
    },
    timeout: TIMEOUT_FLAG,
    "no-wait": NO_WAIT_FLAG,
    keep: { type: "boolean", description: "Keep the pane open when the session ends" },
    "codex-arg": {
      type: "string",
      multiple: true,
      placeholder: "ARG",
      description: "Pass an argument to codex (e.g. --codex-arg=--yolo)",
    },
  },
  examples: [
    'codexctl start --task "Add a --verbose flag to the CLI" --slug verbose-flag --no-wait',
    'codexctl start --task "Plan the cache layer" --in tab --worktree --expect docs/cache-plan.md',
  ],
  args: z.object({
    task: z.string({ error: "is required: give --task TEXT" }).refine((t) => t.trim().length > 0, {
      error: "must not be empty",
    }),
    slug: z.string().optional(),
    in: z.enum(["pane", "tab", "space"], {
      error: (iss) => `must be pane, tab or space, not "${String(iss.input)}"`,
    }).optional(),
    via: z.enum(["herdr", "tmux"], { error: (iss) => `must be herdr or tmux, not "${String(iss.input)}"` })
      .optional(),
    cwd: z.string().optional(),
    worktree: z.boolean().optional(),
    "keep-worktree": z.boolean().optional(),
    plan: z.boolean().optional(),
    "no-plan": z.boolean().optional(),
    expect: expectArg,
    marker: z.string().optional(),
    timeout: flag.secondsOr(600),
    "no-wait": z.boolean().optional(),
    keep: z.boolean().optional(),
    "codex-arg": z.array(z.string()).default([]),
  }),
  async run(args, ctx) {
    const env = ctx.env;
    const mode = args.in ?? (env.get("CODEXCTL_IN") ?? env.get("CODEX_IN") ?? "pane");
    if (!["pane", "tab", "space"].includes(mode)) {
      throw usageError("BAD_MODE", `CODEXCTL_IN="${mode}" is not pane, tab or space`);
    }
    const plan = args["no-plan"] ? false : args.plan ? true : null;
    const store = Store.fromEnv(env);
    const started = await startSession(env, store, {
      task: args.task,
      slug: args.slug,
      mode: mode as "pane" | "tab" | "space",
      via: args.via,
      cwd: args.cwd ?? Deno.cwd(),
      worktree: args.worktree ?? truthy(env.get("CODEXCTL_WORKTREE") ?? env.get("CODEX_WORKTREE")),
      keepWorktree: args["keep-worktree"] ??
        truthy(env.get("CODEXCTL_KEEP_WORKTREE") ?? env.get("CODEX_KEEP_WORKTREE")),
      plan,
      expect: args.expect,
      marker: args.marker,
      timeoutSec: args.timeout,
      noWait: args["no-wait"] ?? false,
      keep: args.keep ?? truthy(env.get("CODEXCTL_KEEP") ?? env.get("CODEX_KEEP")),
      codexArgs: args["codex-arg"],
    });
    if (plan === null && started.planMode) {
      writeStderr("[codexctl] task mentions a plan; engaging plan mode (use --no-plan to disable).\n");
    }
    const s = started.session;
    // a task that did not reach Codex is an error naming it, never a verdict
    if (started.delivery && !started.delivery.delivered) {
      throw notDeliveredError(s.id, "task", started.delivery);
    }
    let verdict = started.verdict;
    let monitor = undefined;
    if (args["no-wait"] && !GONE.has(verdict.state)) {
      // one shape while the session lives: always a monitor, armed only when no watch --all runs
      monitor = monitorFor(store.root, currentOwner(env));
      if (verdict.state === "working" && started.delivery?.delivered) {
        verdict = noWaitVerdict(
          verdict,
          `Codex is working on the task (session ${s.id})`,
          monitor.arm
            ? {
              intent: "monitor",
              command: monitor.command,
              why: "arm Claude Code's Monitor tool with this command: one line per change of every session",
            }
            : {
              intent: "wait",
              command: null,
              why: `a codexctl watch --all (pid ${
                monitor.running!.pid
              }) already streams this session's changes`,
            },
        );
      }
    }
    return {
      kind: "result",
      session: s.id,
      result: {
        ...verdict,
        ...(monitor ? { monitor } : {}),
        worktree: s.record.worktree ?? null,
        delivery: started.delivery,
        pane: {
          substrate: s.record.substrate,
          mode: s.record.mode,
          cwd: s.record.cwd,
          marker: s.record.marker,
          // codexctl's private tmux server shows nowhere until someone attaches
          attach: s.record.substrate === "tmux" ? attachCommand(s.record.pane, store.root) : null,
        },
      },
    };
  },
});
