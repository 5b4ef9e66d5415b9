/**
 * A detached `codex exec` run: the headless way Codex runs. One run is one Codex process (a
 * `codex exec …`, `codex exec resume …` or `codex exec review …` argv — the runner does not care
 * which) in a run directory that keeps everything it leaves behind:
 *
 * | file               | written by                 | what                                            |
 * | ------------------ | -------------------------- | ----------------------------------------------- |
 * | `spec.json`        | {@linkcode launchRun}      | argv, cwd, when                                  |
 * | `launch.json`      | {@linkcode launchRun}      | the supervisor's pid, right after it was spawned |
 * | `proc.json`        | the supervisor             | its own and Codex's identity (pid + start time)  |
 * | `events.jsonl`     | the supervisor (Codex's stdout) | the `--json` event stream, as Codex wrote it |
 * | `stderr.log`       | the supervisor (Codex's stderr) | at most 1 MiB                               |
 * | `last_message.txt` | Codex (`-o`)               | the final message, when the turn completed       |
 * | `exit.json`        | the supervisor             | how Codex exited (code or signal), atomically    |
 * | `ide.json`         | the supervisor (`--ide-visible`) | what marking the thread for the IDE did    |
 *
 * The supervisor (`exec_supervisor.ts`, run as `codexctl __exec-supervise <dir>`) is started in a
 * session of its own (setsid), so it outlives the caller — a `start` killed by Claude Code's Bash
 * time limit, a closed terminal — and Codex runs in a session (and process group) of its own under
 * it. The supervisor waits for Codex, so Codex is always reaped and its exit status recorded even
 * when nobody who started it is left.
 *
 * @module
 */
import { join } from "node:path";
import { atomicWrite, ensureDir } from "../store/atomic.ts";
import {
  descendants,
  lookProcess,
  pidExists,
  processAlive,
  type ProcessIdentity,
  signalGroup,
  signalProcess,
} from "./process.ts";

/** The files of a run directory. */
export const RUN_FILES = {
  spec: "spec.json",
  launch: "launch.json",
  proc: "proc.json",
  events: "events.jsonl",
  stderr: "stderr.log",
  message: "last_message.txt",
  exit: "exit.json",
  ide: "ide.json",
} as const;

/** The most of Codex's stderr a run keeps. */
export const STDERR_MAX_BYTES = 1024 * 1024;

/** What to run. */
export interface RunSpec {
  v: 1;
  /** The Codex command line (argv[0] is the codex binary); never a shell string. */
  argv: string[];
  cwd: string;
  /** ISO time the run was launched. */
  created: string;
  /** What the supervisor does once Codex exited and its exit is written. */
  after?: RunAfter;
}

/** Work the supervisor does after Codex exited, before it leaves. */
export interface RunAfter {
  /** Mark the run's thread as the IDE extension's (`--ide-visible`), in this Codex home. */
  ide_visible?: { codex_home: string };
}

/** The supervisor as the launcher saw it. */
export interface RunLaunch {
  supervisor_pid: number;
  /** ms since the epoch. */
  launched_at: number;
}

/** The processes of a run, as the supervisor recorded them. */
export interface RunProc {
  supervisor: ProcessIdentity;
  /** Codex (null when it could not be started). */
  codex: ProcessIdentity | null;
  /** ms since the epoch when Codex was spawned. */
  spawned_at: number | null;
}

/** How Codex exited. */
export interface RunExit {
  code: number | null;
  signal: string | null;
  /** ISO time. */
  ended: string;
  /** Why Codex could not be started at all (null when it ran). */
  error: string | null;
}

/** Everything a run directory says right now. */
export interface RunFiles {
  dir: string;
  spec: RunSpec | null;
  launch: RunLaunch | null;
  proc: RunProc | null;
  exit: RunExit | null;
}

/** The path of one of a run's files. */
export function runFile(dir: string, name: keyof typeof RUN_FILES): string {
  return join(dir, RUN_FILES[name]);
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    const data = JSON.parse(await Deno.readTextFile(path));
    return data && typeof data === "object" ? data as T : null;
  } catch {
    return null; // absent, or being replaced (writes are atomic renames, so never torn)
  }
}

/** Reads a run directory's small files (absent ones are null). */
export async function readRun(dir: string): Promise<RunFiles> {
  const [spec, launch, proc, exit] = await Promise.all([
    readJson<RunSpec>(runFile(dir, "spec")),
    readJson<RunLaunch>(runFile(dir, "launch")),
    readJson<RunProc>(runFile(dir, "proc")),
    readJson<RunExit>(runFile(dir, "exit")),
  ]);
  return { dir, spec, launch, proc, exit };
}

/**
 * How to start the supervisor: the compiled codexctl itself, or — from source — this Deno with
 * codexctl's own entry and configuration (the permission set declared in deno.json).
 */
export function supervisorCommand(dir: string): string[] {
  return selfCommand("__exec-supervise", dir);
}

/** codexctl itself with `args`: the compiled binary, or this Deno with codexctl's entry and deno.json. */
export function selfCommand(...args: string[]): string[] {
  if (Deno.build.standalone) return [Deno.execPath(), ...args];
  const main = decodeURIComponent(new URL("../main.ts", import.meta.url).pathname);
  const config = decodeURIComponent(new URL("../../deno.json", import.meta.url).pathname);
  return [Deno.execPath(), "run", "-q", "-P", `--config=${config}`, main, ...args];
}

/** Options of {@linkcode launchRun}. */
export interface LaunchOptions {
  /** The run directory (created 0700; must not hold a run yet). */
  dir: string;
  argv: string[];
  cwd: string;
  /** The environment Codex gets (and the supervisor). */
  env: Record<string, string>;
  /** The supervisor's command line (default {@linkcode supervisorCommand}; a seam for tests). */
  supervisor?: string[];
  /** Work for the supervisor once Codex exited. */
  after?: RunAfter;
}

/** Launches a run and returns at once (the supervisor's pid). Nothing waits for Codex here. */
export async function launchRun(o: LaunchOptions): Promise<RunLaunch> {
  if (!o.argv.length) throw new Error("launchRun: empty argv");
  await ensureDir(o.dir);
  const spec: RunSpec = {
    v: 1,
    argv: o.argv,
    cwd: o.cwd,
    created: new Date().toISOString(),
    ...(o.after ? { after: o.after } : {}),
  };
  await atomicWrite(runFile(o.dir, "spec"), JSON.stringify(spec) + "\n");
  const argv = o.supervisor ?? supervisorCommand(o.dir);
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: o.cwd,
    env: o.env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  // the supervisor reaps Codex; this process must not wait for the supervisor
  child.status.catch(() => {});
  const launch: RunLaunch = { supervisor_pid: child.pid, launched_at: Date.now() };
  await atomicWrite(runFile(o.dir, "launch"), JSON.stringify(launch) + "\n");
  return launch;
}

/** A supervisor that has not written `proc.json` this long after its launch is taken for dead. */
export const LAUNCH_GRACE_MS = 30_000;

/** Whether a run's Codex lives, and what is known about its process. */
export interface RunLiveness {
  /** Codex (or, before it was spawned, its supervisor) runs. */
  alive: boolean;
  /** Codex's pid and start time (ms since the epoch), when known. */
  pid: number | null;
  started_at: number | null;
  exit: RunExit | null;
  /** The supervisor still runs (it writes `exit.json` right after Codex exits). */
  supervisor_alive: boolean;
}

/**
 * Checks a run's liveness: a recorded exit is final; else Codex's identity (pid + start time) is
 * probed; before Codex was spawned, its supervisor's pid.
 */
export async function runLiveness(run: RunFiles, now: number = Date.now()): Promise<RunLiveness> {
  const codex = run.proc?.codex ?? null;
  const supervisor = run.proc?.supervisor ?? null;
  const spawnedAt = run.proc?.spawned_at ?? null;
  if (run.exit) {
    return {
      alive: false,
      pid: codex?.pid ?? null,
      started_at: spawnedAt,
      exit: run.exit,
      supervisor_alive: supervisor ? await processAlive(supervisor) : false,
    };
  }
  const supervisorAlive = supervisor
    ? await processAlive(supervisor)
    : run.launch
    ? pidExists(run.launch.supervisor_pid) && now - run.launch.launched_at < LAUNCH_GRACE_MS
    : false;
  if (codex) {
    return {
      alive: await processAlive(codex),
      pid: codex.pid,
      started_at: spawnedAt,
      exit: null,
      supervisor_alive: supervisorAlive,
    };
  }
  // not spawned yet (or the supervisor failed before it could say so)
  return {
    alive: supervisorAlive,
    pid: null,
    started_at: null,
    exit: null,
    supervisor_alive: supervisorAlive,
  };
}

/** What {@linkcode stopRun} had to do. */
export interface Stopped {
  /** The last step that was needed: nothing (already gone), an interrupt, terminate, or kill. */
  step: "already_gone" | "interrupt" | "terminate" | "kill";
  /** Codex or its supervisor still runs afterwards (never expected). */
  left: number[];
}

/** Grace periods of {@linkcode stopRun}, in ms. */
export const STOP_GRACE = { interruptMs: 3000, terminateMs: 2000, killMs: 2000 } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(ids: ProcessIdentity[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = await Promise.all(ids.map((id) => processAlive(id)));
    if (!alive.some(Boolean)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

/**
 * Stops a run and leaves no Codex behind: interrupt Codex (SIGINT, as Ctrl-C would), then
 * terminate it (SIGTERM), then kill its whole process group (SIGKILL) — each after a short grace
 * — then every command Codex had started in a session or group of its own (found below it, by pid
 * and start time, before it was signalled), and finally the supervisor, which reaps Codex and
 * records its exit. Idempotent.
 */
export async function stopRun(
  dir: string,
  grace: Partial<Record<keyof typeof STOP_GRACE, number>> = {},
): Promise<Stopped> {
  const g = { ...STOP_GRACE, ...grace };
  let run = await readRun(dir);
  // a supervisor just launched may not have said yet which Codex it started
  const launchDeadline = Date.now() + 5000;
  while (
    !run.proc && !run.exit && run.launch && pidExists(run.launch.supervisor_pid) &&
    Date.now() < launchDeadline
  ) {
    await sleep(100);
    run = await readRun(dir);
  }
  const codex = run.proc?.codex ?? null;
  const supervisor: ProcessIdentity | null = run.proc?.supervisor ??
    (run.launch && pidExists(run.launch.supervisor_pid)
      ? { pid: run.launch.supervisor_pid, start: (await lookProcess(run.launch.supervisor_pid)).start }
      : null);
  let step: Stopped["step"] = "already_gone";
  // the commands Codex runs, found while they are still its children: its sandbox starts each in a
  // session (and group) of its own, which Codex's group does not take along
  const below = new Map<number, ProcessIdentity>();
  const look = async () => {
    for (const d of await descendants(codex!.pid)) below.set(d.pid, d);
  };
  if (codex && await processAlive(codex)) {
    await look();
    step = "interrupt";
    signalProcess(codex.pid, "SIGINT");
    if (!(await waitGone([codex], g.interruptMs))) {
      await look();
      step = "terminate";
      signalProcess(codex.pid, "SIGTERM");
      if (!(await waitGone([codex], g.terminateMs))) {
        await look();
        step = "kill";
        signalGroup(codex.pid, "SIGKILL");
        await waitGone([codex], g.killMs);
      }
    }
  }
  // what Codex left in its process group goes too (the group outlives its leader); only for a Codex
  // this call stopped: the group id of one that exited long ago may belong to someone else by now
  if (codex && step !== "already_gone") signalGroup(codex.pid, "SIGKILL");
  // and what it started in groups of their own, with what those started meanwhile (a sandbox forks
  // its namespace's init after it began): each, and a group it leads, while it is the same process
  const roots: number[] = [];
  for (const d of below.values()) if (await processAlive(d)) roots.push(d.pid);
  if (roots.length) {
    for (const d of await descendants(roots)) below.set(d.pid, d);
  }
  const strays: ProcessIdentity[] = [];
  for (const d of below.values()) {
    if (!(await processAlive(d))) continue;
    signalGroup(d.pid, "SIGKILL");
    signalProcess(d.pid, "SIGKILL");
    strays.push(d);
  }
  if (strays.length) await waitGone(strays, g.killMs);
  if (supervisor && await processAlive(supervisor)) {
    // it exits by itself once Codex is reaped and the exit is written
    if (!(await waitGone([supervisor], g.killMs))) {
      signalProcess(supervisor.pid, "SIGTERM");
      if (!(await waitGone([supervisor], 1000))) {
        if (step === "already_gone") step = "kill";
        signalProcess(supervisor.pid, "SIGKILL");
        await waitGone([supervisor], 1000);
      }
    }
  }
  const left: number[] = [];
  for (const id of [codex, supervisor, ...strays]) if (id && await processAlive(id)) left.push(id.pid);
  return { step, left };
}
