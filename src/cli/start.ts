/**
 * `codexctl start`: open Codex in a pane, send it a task, and wait for a verdict — or, with
 * `--via exec`, run it headless as a detached `codex exec`. Each path loads its driver only when
 * taken.
 *
 * @module
 */
import { z } from "zod";
import { notDeliveredError } from "../driver/send.ts";
import { Store } from "../store/store.ts";
import { type Monitor, MONITOR_MAX_MS, type Verdict } from "../envelope.ts";
import { currentOwner } from "../session/owner.ts";
import { leaseAlive, readLease } from "../fleet/lease.ts";
import { fleetLeaseKey } from "../watch/fleet_watch.ts";
import { usageError } from "../errors.ts";
import { writeStderr } from "../output.ts";
import { SANDBOX_MODES } from "../session/exec.ts";
import type { VerbContext } from "./verb.ts";
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

/**
 * The monitor of a `--no-wait` start whose Codex works, and what to do next: arm it, or wait
 * because a `watch --all` already streams this owner's sessions.
 */
function noWaitMonitor(
  root: string,
  env: VerbContext["env"],
): { monitor: Monitor; next: Verdict["next_action"] } {
  const monitor = monitorFor(root, currentOwner(env));
  const next = monitor.arm
    ? {
      intent: "monitor" as const,
      command: monitor.command,
      why: "arm Claude Code's Monitor tool with this command: one line per change of every session",
    }
    : {
      intent: "wait" as const,
      command: null,
      why: `a codexctl watch --all (pid ${monitor.running!.pid}) already streams this session's changes`,
    };
  return { monitor, next };
}

/** Flags that only a pane takes, and flags that only a headless run takes. */
const PANE_ONLY = ["in", "plan", "no-plan", "keep"] as const;
const EXEC_ONLY = ["sandbox", "model", "effort", "output-schema", "ide-visible"] as const;

/** What `--ide-visible` warns about, in the result. */
export const IDE_VISIBLE_WARNING =
  "--ide-visible: after each run codexctl edits Codex's own rollout file (session_meta.source becomes the IDE extension's, atomically, only while no turn runs) so the thread shows in the IDE's list";

/** The `start` verb. */
export const startVerb = defineVerb({
  name: "start",
  summary:
    "Start Codex on a task — in a tmux or herdr pane, or headless (--via exec) — and wait for its verdict",
  usage:
    "start --task TEXT [--via herdr|tmux|exec] [--slug NAME] [--in pane|tab|space] [--cwd DIR] [--worktree] [--plan|--no-plan] [--expect PATH]… [--no-wait] [--sandbox MODE] [--model M] [--effort E] [--output-schema FILE] [--ide-visible] …",
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
CODEXCTL_WORKTREE, CODEXCTL_KEEP_WORKTREE (1/true/yes/on); CODEXCTL_CODEX names the codex binary.

--via exec runs Codex headless: a detached \`codex exec --json\` (its own process group and
session, so it outlives this call, a closed terminal and Claude Code's 10-minute Bash limit) with
the task and the marker contract, \`-s workspace-write -c approval_policy=never\` by default
(nobody is there to approve; --sandbox danger-full-access only when asked, written to the audit
log), never --ephemeral. Its event stream, stderr, final message and exit status are kept in the
state directory. The verdict carries Codex's final message whole (result.final_message, up to
65,536 characters, and result.final_message_path when longer); with --output-schema,
result.output is the parsed JSON, checked against the schema. Follow up with send --session (a
new run resuming the same thread), stop it with end --session. Codex is CODEXCTL_CODEX, else
codex on PATH, else the newest IDE extension's bundled one.`,
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
      description: "herdr, tmux or exec (headless) (default: herdr when reachable, else tmux)",
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
    sandbox: {
      type: "string",
      placeholder: "MODE",
      description: "--via exec: read-only, workspace-write (default) or danger-full-access (audited)",
    },
    model: { type: "string", placeholder: "MODEL", description: "--via exec: the model (codex exec -m)" },
    effort: {
      type: "string",
      placeholder: "EFFORT",
      description: "--via exec: reasoning effort (minimal, low, medium, high …)",
    },
    "output-schema": {
      type: "string",
      placeholder: "FILE",
      description: "--via exec: a JSON Schema the final message must match; result.output is the parsed JSON",
    },
    "ide-visible": {
      type: "boolean",
      description: "--via exec: after each run, mark the thread as the IDE extension's (edits Codex's file)",
    },
  },
  examples: [
    'codexctl start --task "Add a --verbose flag to the CLI" --slug verbose-flag --no-wait',
    'codexctl start --task "Plan the cache layer" --in tab --worktree --expect docs/cache-plan.md',
    'codexctl start --via exec --task "Fix the failing test in tests/parse_test.ts" --no-wait',
    'codexctl start --via exec --task "List the public functions" --output-schema schema.json --sandbox read-only',
  ],
  args: z.object({
    task: z.string({ error: "is required: give --task TEXT" }).refine((t) => t.trim().length > 0, {
      error: "must not be empty",
    }),
    slug: z.string().optional(),
    in: z.enum(["pane", "tab", "space"], {
      error: (iss) => `must be pane, tab or space, not "${String(iss.input)}"`,
    }).optional(),
    via: z.enum(["herdr", "tmux", "exec"], {
      error: (iss) => `must be herdr, tmux or exec, not "${String(iss.input)}"`,
    }).optional(),
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
    sandbox: z.enum(SANDBOX_MODES, {
      error: (iss) => `must be read-only, workspace-write or danger-full-access, not "${String(iss.input)}"`,
    }).optional(),
    model: z.string().regex(/^[A-Za-z0-9._:\/-]{1,100}$/, {
      error: "must be a model name (letters, digits, . _ : / -)",
    }).optional(),
    effort: z.string().regex(/^[a-z]{1,20}$/, {
      error: "must be a reasoning effort such as low, medium or high",
    })
      .optional(),
    "output-schema": z.string().min(1).optional(),
    "ide-visible": z.boolean().optional(),
  }),
  async run(args, ctx) {
    const env = ctx.env;
    const given = (names: readonly string[]) =>
      names.filter((n) => (args as Record<string, unknown>)[n] !== undefined);
    if (args.via === "exec") {
      const wrong = given(PANE_ONLY);
      if (wrong.length) {
        throw usageError(
          "BAD_FLAG",
          `--${wrong[0]} is for Codex in a pane; a headless run (--via exec) has no pane or Plan mode`,
          "leave it out, or drop --via exec",
        );
      }
      return await startExec(args, ctx);
    }
    const wrong = given(EXEC_ONLY);
    if (wrong.length) {
      throw usageError(
        "BAD_FLAG",
        `--${wrong[0]} is for headless runs only`,
        "add --via exec, or leave it out (pass Codex flags to a pane with --codex-arg)",
      );
    }
    const mode = args.in ?? (env.get("CODEXCTL_IN") ?? env.get("CODEX_IN") ?? "pane");
    if (!["pane", "tab", "space"].includes(mode)) {
      throw usageError("BAD_MODE", `CODEXCTL_IN="${mode}" is not pane, tab or space`);
    }
    const plan = args["no-plan"] ? false : args.plan ? true : null;
    const store = Store.fromEnv(env);
    const { startSession } = await import("../driver/start.ts");
    const started = await startSession(env, store, {
      task: args.task,
      slug: args.slug,
      mode: mode as "pane" | "tab" | "space",
      via: args.via as "herdr" | "tmux" | undefined,
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
      const armed = noWaitMonitor(store.root, env);
      monitor = armed.monitor;
      if (verdict.state === "working" && started.delivery?.delivered) {
        verdict = noWaitVerdict(verdict, `Codex is working on the task (session ${s.id})`, armed.next);
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
          attach: s.record.substrate === "tmux"
            ? (await import("../substrate/tmux.ts")).attachCommand(s.record.pane, store.root)
            : null,
        },
      },
    };
  },
});

/** The parsed arguments of `start`. */
type StartArgs = {
  task: string;
  slug?: string;
  cwd?: string;
  worktree?: boolean;
  "keep-worktree"?: boolean;
  expect: string[];
  marker?: string;
  timeout: number;
  "no-wait"?: boolean;
  "codex-arg": string[];
  sandbox?: (typeof SANDBOX_MODES)[number];
  model?: string;
  effort?: string;
  "output-schema"?: string;
  "ide-visible"?: boolean;
};

/** `start --via exec`: a headless run. */
async function startExec(args: StartArgs, ctx: VerbContext) {
  const env = ctx.env;
  const store = Store.fromEnv(env);
  const noWait = args["no-wait"] ?? false;
  const { startExecSession } = await import("../driver/exec_start.ts");
  const started = await startExecSession(env, store, {
    task: args.task,
    slug: args.slug,
    cwd: args.cwd ?? Deno.cwd(),
    worktree: args.worktree ?? truthy(env.get("CODEXCTL_WORKTREE") ?? env.get("CODEX_WORKTREE")),
    keepWorktree: args["keep-worktree"] ??
      truthy(env.get("CODEXCTL_KEEP_WORKTREE") ?? env.get("CODEX_KEEP_WORKTREE")),
    expect: args.expect,
    marker: args.marker,
    timeoutSec: args.timeout,
    noWait,
    sandbox: args.sandbox,
    model: args.model,
    effort: args.effort,
    outputSchema: args["output-schema"],
    codexArgs: args["codex-arg"],
    ideVisible: args["ide-visible"] ?? false,
    onStarted: noWait ? undefined : (id: string) =>
      // a foreground call cut off (Claude Code's 10-minute Bash limit) still leaves the session id
      writeStderr(`[codexctl] ${id}: codex exec runs detached; codexctl status --session ${id}\n`),
  });
  const s = started.session;
  let verdict: Verdict;
  let monitor = undefined;
  if (started.verdict) verdict = started.verdict;
  else {
    const armed = noWaitMonitor(store.root, env);
    monitor = armed.monitor;
    verdict = noWaitVerdict(null, `Codex runs headless on the task (session ${s.id})`, armed.next);
  }
  const warnings: string[] = [];
  if (started.unsandboxed) {
    warnings.push("Codex runs without its sandbox, as asked (written to the audit log)");
  }
  if (args["ide-visible"]) warnings.push(IDE_VISIBLE_WARNING);
  const x = s.record.exec!;
  return {
    kind: "result" as const,
    session: s.id,
    result: {
      ...verdict,
      ...(monitor ? { monitor } : {}),
      worktree: s.record.worktree ?? null,
      pane: { substrate: "exec", mode: null, cwd: s.record.cwd, marker: s.marker },
      exec: {
        codex: started.codex.path,
        found_via: started.codex.via,
        sandbox: x.sandbox,
        unsandboxed: started.unsandboxed,
        model: x.model,
        effort: x.effort,
        output_schema: x.output_schema,
        run: 1,
        dir: x.dir,
      },
      ...(warnings.length ? { warnings } : {}),
    },
  };
}
