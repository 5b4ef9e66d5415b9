/**
 * The exec substrate: Codex run headless, one detached `codex exec` process per turn
 * (`exec_run.ts`). Through the seam:
 *
 * - `start(request)` prepares the session's exec directory and returns the handle that makes its
 *   runs: `request.argv` is the Codex binary followed by the options every run takes (sandbox,
 *   approval policy, model …); nothing runs yet.
 * - `deliver(handle, {kind: "message"})` is one run: the first is `codex exec` (or the handle's
 *   `first` words, e.g. `exec review …`) with the message as its prompt, every later one
 *   `codex exec resume <thread>` on the same thread (a session made on an existing thread resumes
 *   that one from its first run). A message while a run still goes is refused
 *   (`environment/THREAD_BUSY`): never two runs on one thread.
 * - `deliver(handle, {kind: "review"})` is one run too: a review inside the session's thread
 *   (`codexctl __review-inline`, `codex/app_server/inline_review.ts`), written as the same event
 *   stream, so it is read, awaited and stopped like any run; the review stays in the thread, and
 *   the next message resumes that thread with the review in its context.
 * - `read(handle)` reads the newest run: its process (exit status, or pid + start time) and its
 *   event stream, as evidence (`process`, `exec`); never a screen.
 * - `stop(handle)` stops the newest run (interrupt, terminate, kill the process group) and deletes
 *   the exec directory.
 *
 * @module
 */
import { environmentError, usageError } from "../errors.ts";
import { execDir, runDir } from "../session/exec.ts";
import { readExecStream } from "../codex/exec/reader.ts";
import { readExec } from "./exec_read.ts";
import { launchRun, readRun, runFile, runLiveness, selfCommand, stopRun } from "./exec_run.ts";
import { atomicWrite, ensureDir } from "../store/atomic.ts";
import { type InlineReviewSpec, REVIEW_INLINE } from "../codex/app_server/inline_review.ts";
import {
  cannotDeliver,
  type Capabilities,
  type Delivered,
  type Handle,
  type Input,
  type Reading,
  type StartRequest,
  type Stopped,
  type Substrate,
} from "./substrate.ts";

/** What a headless run can do: take whole messages (each a run), own its process; no screen, no keys. */
export const EXEC_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  start: true,
  own: true,
  screen: false,
  keys: false,
  message: true,
  requests: false,
  resume: true,
  review: true,
});

/** How long a run whose turn ended may take to exit before a message for the next one is refused. */
export const EXIT_WAIT_MS = 5000;

/** The refusal of a message while a run goes: one run at a time on a thread. */
function busy(session: string): Error {
  const command = session ? `codexctl await --session ${session}` : null;
  return environmentError(
    "THREAD_BUSY",
    `${
      session || "this session"
    } is still working on its current run; a message now would start a second run on the same thread, so nothing was started`,
    {
      retryable: true,
      suggestion: `wait for it to settle${command ? ` (${command})` : ""}, then send again`,
      nextAction: {
        intent: "wait",
        command,
        why: "one run at a time on a thread: wait for this one to settle, then send",
      },
    },
  );
}

/** How a headless session makes its runs (persisted as the session record's `pane`). */
export interface ExecHandle {
  /** The session these runs belong to (for the commands errors name). */
  session: string;
  /** The session's exec directory (`<state>/exec/<session>`); run `n` lives in `runs/<n>`. */
  dir: string;
  /** The Codex binary. */
  codex: string;
  /** Options every run takes, placed after the subcommand (`-c approval_policy=never`, `-m …`). */
  options: string[];
  /** Options only a first run takes (`-s MODE`: `exec resume` has no `-s`). */
  first_options: string[];
  /** The subcommand words of the first run (default `exec`; e.g. `exec review --uncommitted`). */
  first: string[];
  /** The working directory of every run. */
  cwd: string;
  /** The Codex home every run uses (the thread must be found again by `exec resume`). */
  codex_home: string;
  /** The `--output-schema` file (null: none). */
  schema: string | null;
  /** This Codex's `exec resume` takes `--output-schema` too (0.169 does, 0.130 does not). */
  resume_schema: boolean;
  /** After each run, mark the thread as the IDE extension's (`--ide-visible`). */
  ide_visible: boolean;
  /** The existing thread the session was made on (its first run resumes it); null: a fresh one. */
  thread: string | null;
}

/** Reads a handle back from a session record (null when it is not an exec handle). */
export function execHandle(handle: Handle): ExecHandle | null {
  const h = handle as Partial<ExecHandle>;
  if (typeof h.dir !== "string" || typeof h.codex !== "string" || typeof h.cwd !== "string") return null;
  const strings = (v: unknown) => Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  return {
    session: typeof h.session === "string" ? h.session : "",
    dir: h.dir,
    codex: h.codex,
    options: strings(h.options),
    first_options: strings(h.first_options),
    first: strings(h.first).length ? strings(h.first) : ["exec"],
    cwd: h.cwd,
    codex_home: typeof h.codex_home === "string" ? h.codex_home : "",
    schema: typeof h.schema === "string" ? h.schema : null,
    resume_schema: h.resume_schema === true,
    ide_visible: h.ide_visible === true,
    thread: typeof h.thread === "string" && h.thread ? h.thread : null,
  };
}

/** The newest run of a session (0: none yet). */
export function latestRun(dir: string): number {
  let n = 0;
  try {
    for (const e of Deno.readDirSync(`${dir}/runs`)) {
      if (e.isDirectory && /^[1-9]\d{0,8}$/.test(e.name)) n = Math.max(n, Number(e.name));
    }
  } catch {
    // no run yet
  }
  return n;
}

/**
 * The argv of run `n` of a session: `first` (with `first_options`) for a fresh thread, else
 * `exec resume <thread>`. The prompt always follows `--`, so a prompt starting with `-` is a prompt.
 */
export function runArgv(h: ExecHandle, run: string, thread: string | null, prompt: string | null): string[] {
  const out = ["--json", "-o", runFile(run, "message"), ...h.options];
  if (thread === null) {
    return [
      h.codex,
      ...h.first,
      ...out,
      ...h.first_options,
      ...(h.schema ? ["--output-schema", h.schema] : []),
      ...(prompt === null ? [] : ["--", prompt]),
    ];
  }
  return [
    h.codex,
    "exec",
    "resume",
    ...out,
    ...(h.schema && h.resume_schema ? ["--output-schema", h.schema] : []),
    "--",
    thread,
    ...(prompt === null ? [] : [prompt]),
  ];
}

/** What the exec substrate needs from its caller (the environment runs get, the state root). */
export interface ExecContext {
  env: { get(key: string): string | undefined; toObject?(): Record<string, string> };
  stateDir: string;
}

/** The exec substrate. */
export class ExecSubstrate implements Substrate {
  readonly name = "exec" as const;
  readonly can: Readonly<Capabilities> = EXEC_CAPABILITIES;
  readonly #ctx: ExecContext;

  constructor(ctx: ExecContext) {
    this.#ctx = ctx;
  }

  /** The environment a run gets: the caller's, with the session's Codex home. */
  #env(h: ExecHandle): Record<string, string> {
    const all = this.#ctx.env.toObject ? this.#ctx.env.toObject() : Deno.env.toObject();
    return h.codex_home ? { ...all, CODEX_HOME: h.codex_home } : all;
  }

  /** Prepares the exec directory; `request.exec` says where and how (see {@linkcode ExecHandle}). */
  async start(request: StartRequest): Promise<Handle> {
    const plan = request.exec;
    if (!plan) throw usageError("CANNOT_START", "a headless run needs its exec plan (codexctl bug)");
    const [codex, ...options] = request.argv;
    if (!codex) throw usageError("CANNOT_START", "a headless run needs the codex binary (codexctl bug)");
    const dir = execDir(this.#ctx.stateDir, plan.key);
    await Deno.mkdir(`${dir}/runs`, { recursive: true, mode: 0o700 });
    const handle: ExecHandle = {
      session: plan.key,
      dir,
      codex,
      options,
      first_options: plan.first_options ?? [],
      first: plan.first ?? ["exec"],
      cwd: request.cwd,
      codex_home: request.env.CODEX_HOME ?? "",
      schema: plan.schema ?? null,
      resume_schema: plan.resume_schema ?? false,
      ide_visible: plan.ide_visible ?? false,
      thread: plan.thread ?? null,
    };
    return { ...handle };
  }

  /** Reads the newest run. */
  async read(handle: Handle): Promise<Reading> {
    const h = execHandle(handle);
    const n = h ? latestRun(h.dir) : 0;
    if (!h || n === 0) {
      return {
        alive: false,
        pid: null,
        status: null,
        screen: "",
        recent: null,
        process: { alive: false, pid: null, started_at: null, exit: null },
        exec: null,
      };
    }
    const r = await readExec({ dir: runDir(h.dir, n), run: n, schema: h.schema }, null);
    return {
      alive: r.process.alive,
      pid: r.process.pid ?? null,
      status: null,
      screen: "",
      recent: null,
      process: r.process,
      exec: r.exec,
    };
  }

  /**
   * One run: the message as the prompt of a fresh `codex exec`, or of `exec resume` on the thread.
   * A run whose turn ended gets a moment ({@linkcode EXIT_WAIT_MS}) to exit; one still going is
   * refused (`environment/THREAD_BUSY`, next_action `await`) and nothing is started.
   */
  async deliver(handle: Handle, input: Input): Promise<Delivered> {
    const h = execHandle(handle);
    if ((input.kind !== "message" && input.kind !== "review") || !h) throw cannotDeliver("exec", input);
    const n = latestRun(h.dir);
    let thread: string | null = h.thread;
    if (n > 0) {
      const last = runDir(h.dir, n);
      const stream = (await readExecStream(runFile(last, "events"))).progress.state;
      // a run is over once its supervisor left (after Codex's exit it may still mark the thread)
      const going = async () => {
        const l = await runLiveness(await readRun(last));
        return l.alive || l.supervisor_alive;
      };
      let alive = await going();
      // a run whose turn ended exits on its own a moment later
      const by = Date.now() + EXIT_WAIT_MS;
      while (alive && (stream.turn === "completed" || stream.turn === "failed") && Date.now() < by) {
        await new Promise((r) => setTimeout(r, 100));
        alive = await going();
      }
      if (alive) throw busy(h.session);
      // a run that never started a thread leaves nothing to resume: start afresh
      thread = stream.thread_id ?? h.thread;
    }
    const run = n + 1;
    const dir = runDir(h.dir, run);
    const after = h.ide_visible && h.codex_home
      ? { after: { ide_visible: { codex_home: h.codex_home } } }
      : {};
    if (input.kind === "review") {
      if (thread === null) {
        throw usageError(
          "NO_THREAD",
          `${h.session || "this session"} has no Codex thread yet to review in`,
          "review once its first run has started a thread (codexctl await), or review without --session",
        );
      }
      await ensureDir(dir);
      const spec: InlineReviewSpec = {
        codex: h.codex,
        cwd: h.cwd,
        thread,
        target: input.target,
        message_file: runFile(dir, "message"),
      };
      const specPath = `${dir}/review.json`;
      await atomicWrite(specPath, JSON.stringify(spec) + "\n");
      await launchRun({
        dir,
        argv: selfCommand(REVIEW_INLINE, specPath),
        cwd: h.cwd,
        env: this.#env(h),
        ...after,
      });
      return { kind: "turn", turn_id: `run-${run}`, delivery: "new_turn" };
    }
    // an empty message is no prompt (a subcommand such as `exec review --uncommitted` needs none)
    const prompt = input.text === "" ? null : input.text;
    await launchRun({ dir, argv: runArgv(h, dir, thread, prompt), cwd: h.cwd, env: this.#env(h), ...after });
    return { kind: "turn", turn_id: `run-${run}`, delivery: "new_turn" };
  }

  /** Stops the newest run and deletes the exec directory; idempotent. */
  async stop(handle: Handle): Promise<Stopped> {
    const h = execHandle(handle);
    if (!h) return "already gone";
    let present = true;
    try {
      await Deno.stat(h.dir);
    } catch {
      present = false;
    }
    if (!present) return "already gone";
    const n = latestRun(h.dir);
    const stopped = n > 0 ? await stopRun(runDir(h.dir, n)) : { step: "already_gone" as const, left: [] };
    if (stopped.left.length) {
      throw environmentError(
        "STOP_FAILED",
        `Codex (pid ${stopped.left.join(", ")}) is still running after interrupt, terminate and kill`,
        { suggestion: `kill it by hand: kill -9 ${stopped.left.join(" ")}` },
      );
    }
    await Deno.remove(h.dir, { recursive: true }).catch(() => {});
    return stopped.step === "already_gone" ? "already gone" : "closed";
  }
}
