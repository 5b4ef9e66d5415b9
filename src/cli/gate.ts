/**
 * `codexctl gate`: is this machine free for a hand-off? Looks at the GPU, containers, matching
 * processes, memory and disk, and answers `free` or `busy` with the reasons and the next command.
 *
 * @module
 */
import { z } from "zod";
import { GateResultSchema } from "../envelope.ts";
import { usageError } from "../errors.ts";
import { writeStderr, writeStdout } from "../output.ts";
import { quoteWord } from "../herdr/shell_quote.ts";
import { type GatePlan, gatherEvidence } from "../gate/gather.ts";
import { gate } from "../gate/wait.ts";
import { renderGate } from "../gate/render.ts";
import { GPU_BUSY_MEMORY_SHARE, GPU_BUSY_UTIL_PCT, GPU_PROCESS_MIN_MIB } from "../gate/decide.ts";
import { MAX_POLL_MS } from "../gate/wait.ts";
import { defineVerb, flag, QUOTED } from "./verb.ts";
import { clip } from "../text.ts";

/** `--wait-free` waits this long unless `--timeout` says otherwise (seconds). */
const DEFAULT_WAIT_SECONDS = 600;

function gibParser() {
  return z.string().regex(/^\d+(\.\d+)?$/, {
    error: (iss) => `expected a number of GiB, got "${clip(String(iss.input), 60, QUOTED)}"`,
  }).transform(Number).refine((n) => n > 0, { error: "must be more than 0 GiB" }).optional();
}

const Args = z.object({
  gpu: z.boolean().optional(),
  docker: z.boolean().optional(),
  procs: z.array(
    z.string().min(1, { error: "the pattern must not be empty" }).superRefine((p, ctx) => {
      try {
        new RegExp(p);
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          message: `"${clip(p, 60, QUOTED)}" is not a valid regular expression (${
            err instanceof Error ? err.message : err
          })`,
        });
      }
    }),
  ).optional(),
  "min-free-mem": gibParser(),
  "min-free-disk": gibParser(),
  path: flag.text("--path").optional(),
  "wait-free": z.boolean().optional(),
  timeout: flag.seconds(),
  _: z.array(z.string()),
});
type GateArgs = z.infer<typeof Args>;

/** The `gate` verb. */
export const gateVerb = defineVerb({
  name: "gate",
  summary: "Say whether this machine is free for a hand-off (GPU, containers, processes, memory, disk)",
  usage:
    "gate [--gpu] [--docker] [--procs PATTERN]… [--min-free-mem GB] [--min-free-disk GB [--path P]] [--wait-free [--timeout S]]",
  description: `
Looks at what a heavy hand-off would compete for and answers with one verdict, free or busy, the
reasons, and the next command (result.next_action). Without a check flag it looks at the GPU,
docker, memory and the disk of the current directory; with check flags only at those named.

  --gpu     nvidia-smi: each GPU's memory used/total and utilisation, and its compute processes.
            Busy when a compute process holds ${GPU_PROCESS_MIN_MIB} MiB or more (a desktop compositor holds
            less), or a GPU runs at ${GPU_BUSY_UTIL_PCT} % or more with ${
    GPU_BUSY_MEMORY_SHARE * 100
  } % of its memory in use and no
            process visible (work in another container). No nvidia-smi, no driver or no
            device: "no GPU", which is free — not an error.
  --docker  docker ps: busy while a container is running (a paused one is listed only). No
            docker or no daemon: said, and free.
  --procs   busy while a process matches the regular expression (against its whole command
            line, as pgrep -f does); Codex, codexctl and this call's own shell are left out.
  --min-free-mem / --min-free-disk  busy below that many GiB available (memory from
            /proc/meminfo; disk from df for --path, default the current directory).

A check that cannot be read (an error, a timeout) counts as busy: nobody can vouch for it.
--wait-free looks again while busy — after 1 s, doubling to at most ${MAX_POLL_MS / 1000} s — until free or
--timeout (default ${DEFAULT_WAIT_SECONDS} s) runs out; running out is a result (busy, waited.timed_out),
exit 0. At a terminal it prints a checklist; piped, one v1 envelope (codexctl schema gate).`,
  flags: {
    gpu: { type: "boolean", description: "Check the NVIDIA GPUs (nvidia-smi)" },
    docker: { type: "boolean", description: "Check for running containers (docker ps)" },
    procs: {
      type: "string",
      multiple: true,
      placeholder: "PATTERN",
      description: "Busy while a process's command line matches this regular expression",
    },
    "min-free-mem": {
      type: "string",
      placeholder: "GB",
      description: "Busy while less than this many GiB of memory are available",
    },
    "min-free-disk": {
      type: "string",
      placeholder: "GB",
      description: "Busy while less than this many GiB are free on --path's filesystem",
    },
    path: {
      type: "string",
      placeholder: "P",
      description: "Where --min-free-disk looks (default: the current directory)",
    },
    "wait-free": { type: "boolean", description: "Wait until free (or --timeout), looking again while busy" },
    timeout: {
      type: "string",
      placeholder: "S",
      description: `With --wait-free: wait at most this long (default ${DEFAULT_WAIT_SECONDS})`,
    },
  },
  examples: [
    "codexctl gate",
    "codexctl gate --gpu --procs 'isaac|kit|python.sh|pytest' --wait-free --timeout 540",
    "codexctl gate --docker --min-free-mem 16 --min-free-disk 50 --path /data --json",
  ],
  args: Args,
  async run(args: GateArgs, ctx) {
    if (args.path !== undefined && args["min-free-disk"] === undefined) {
      throw usageError(
        "BAD_ARGS",
        "--path goes with --min-free-disk",
        "add --min-free-disk GB, or drop --path",
      );
    }
    if (args.timeout !== undefined && !args["wait-free"]) {
      throw usageError("BAD_ARGS", "--timeout goes with --wait-free", "add --wait-free, or drop --timeout");
    }
    const path = args.path ?? Deno.cwd();
    await checkPath(path);
    const plan = planFor(args, path);
    const timeoutMs = args["wait-free"] ? Math.round((args.timeout ?? DEFAULT_WAIT_SECONDS) * 1000) : null;
    if (timeoutMs !== null && !ctx.mode.json) {
      writeStderr(`codexctl gate: looking until free, at most ${timeoutMs / 1000} s …\n`);
    }
    const result = GateResultSchema.parse(
      await gate(
        {
          gather: () => gatherEvidence(plan),
          now: () => performance.now(),
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        },
        { minFreeMemGib: args["min-free-mem"] ?? null, minFreeDiskGib: args["min-free-disk"] ?? null },
        { waitCommand: waitCommand(args) },
        timeoutMs,
      ),
    );
    if (!ctx.mode.json) {
      writeStdout(renderGate(result, ctx.mode.color) + "\n");
      return { kind: "done", exitCode: 0 };
    }
    return { kind: "result", session: null, result };
  },
});

/** What to look at: the named checks, or without any, GPU, docker, memory and disk. */
function planFor(args: GateArgs, path: string): GatePlan {
  const named = args.gpu || args.docker || (args.procs?.length ?? 0) > 0 ||
    args["min-free-mem"] !== undefined || args["min-free-disk"] !== undefined;
  if (!named) return { gpu: true, docker: true, procs: [], memory: true, disk: path };
  return {
    gpu: args.gpu ?? false,
    docker: args.docker ?? false,
    procs: args.procs ?? [],
    memory: args["min-free-mem"] !== undefined,
    disk: args["min-free-disk"] !== undefined ? path : null,
  };
}

/** The same gate, waiting: the command a busy verdict names. */
function waitCommand(args: GateArgs): string {
  const words = ["codexctl", "gate"];
  if (args.gpu) words.push("--gpu");
  if (args.docker) words.push("--docker");
  for (const p of args.procs ?? []) words.push("--procs", quoteWord(p));
  if (args["min-free-mem"] !== undefined) words.push("--min-free-mem", String(args["min-free-mem"]));
  if (args["min-free-disk"] !== undefined) words.push("--min-free-disk", String(args["min-free-disk"]));
  if (args.path !== undefined) words.push("--path", quoteWord(args.path));
  words.push("--wait-free", "--timeout", String(args.timeout ?? DEFAULT_WAIT_SECONDS));
  return words.join(" ");
}

async function checkPath(path: string): Promise<void> {
  try {
    await Deno.stat(path);
  } catch (err) {
    const missing = err instanceof Deno.errors.NotFound;
    throw usageError(
      "BAD_PATH",
      missing
        ? `--path ${clip(path, 60, QUOTED)} does not exist`
        : `--path ${clip(path, 60, QUOTED)} cannot be read: ${err instanceof Error ? err.message : err}`,
      "give an existing directory on the filesystem to check (default: the current directory)",
    );
  }
}
