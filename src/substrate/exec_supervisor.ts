/**
 * The supervisor of a detached `codex exec` run: `codexctl __exec-supervise <run dir>` (a hidden
 * mode, started by `exec_run.ts` `launchRun` in a session of its own). It starts Codex from the
 * run's `spec.json` in a session and process group of its own (stdin from /dev/null, as `codex
 * exec` requires), records both identities (`proc.json`), copies Codex's stdout (the `--json`
 * event stream) and stderr into the run directory as they arrive, waits for Codex — reaping it —
 * and writes how it exited (`exit.json`, atomically). A SIGINT, SIGTERM or SIGHUP sent to the
 * supervisor is passed on to Codex, so stopping the supervisor never orphans Codex. Then, when the
 * run asks (`spec.after`), it marks the thread for the IDE (`--ide-visible`, `ide.json`) — after
 * the exit is written, before it leaves: the next run of the session waits for the supervisor.
 *
 * It imports only what it needs (no zod, no verbs): it lives as long as Codex does.
 *
 * @module
 */
import { atomicWrite } from "../store/atomic.ts";
import { FILE_MODE } from "../store/atomic.ts";
import { type RunExit, runFile, type RunProc, type RunSpec, STDERR_MAX_BYTES } from "./exec_run.ts";
import { identify } from "./process.ts";

/** Appends everything `stream` yields to `path` (at most `max` bytes; the rest is drained and dropped). */
async function pump(stream: ReadableStream<Uint8Array>, path: string, max: number): Promise<void> {
  const file = await Deno.open(path, { append: true, create: true, mode: FILE_MODE });
  let written = 0;
  try {
    for await (const chunk of stream) {
      let piece = chunk;
      if (written + piece.length > max) piece = piece.subarray(0, Math.max(0, max - written));
      let offset = 0;
      while (offset < piece.length) offset += await file.write(piece.subarray(offset));
      written += piece.length;
    }
  } finally {
    file.close();
  }
}

async function writeExit(dir: string, exit: RunExit): Promise<void> {
  await atomicWrite(runFile(dir, "exit"), JSON.stringify(exit) + "\n");
}

/** Runs the supervisor for the run in `dir`; resolves to its own exit code once Codex is reaped. */
export async function superviseRun(dir: string): Promise<number> {
  let spec: RunSpec;
  try {
    spec = JSON.parse(await Deno.readTextFile(runFile(dir, "spec")));
    if (!Array.isArray(spec.argv) || !spec.argv.length || typeof spec.cwd !== "string") throw new Error();
  } catch {
    await writeExit(dir, {
      code: null,
      signal: null,
      ended: new Date().toISOString(),
      error: `the run's ${runFile(dir, "spec")} is missing or unreadable`,
    }).catch(() => {});
    return 2;
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(spec.argv[0], {
      args: spec.argv.slice(1),
      cwd: spec.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    await writeExit(dir, {
      code: null,
      signal: null,
      ended: new Date().toISOString(),
      error: `cannot start ${spec.argv[0]}: ${why}`,
    });
    return 1;
  }
  const spawnedAt = Date.now();
  // pass a stop request on to Codex (in its own session, it does not get the supervisor's signals)
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(signal);
    } catch { /* exited */ }
  };
  const listeners = signals.map((s) => [s, forward(s)] as const);
  for (const [s, f] of listeners) Deno.addSignalListener(s, f);
  const pumps = Promise.all([
    pump(child.stdout, runFile(dir, "events"), Number.MAX_SAFE_INTEGER),
    pump(child.stderr, runFile(dir, "stderr"), STDERR_MAX_BYTES),
  ]);
  const proc = (async () => {
    const [own, codex] = await Promise.all([identify(Deno.pid), identify(child.pid)]);
    const record: RunProc = { supervisor: own, codex, spawned_at: spawnedAt };
    await atomicWrite(runFile(dir, "proc"), JSON.stringify(record) + "\n");
  })();
  const status = await child.status;
  // Codex is reaped: drain what it printed last, then say how it ended
  await Promise.allSettled([pumps, proc]);
  await writeExit(dir, {
    code: status.signal ? null : status.code,
    signal: status.signal ?? null,
    ended: new Date().toISOString(),
    error: null,
  });
  for (const [s, f] of listeners) Deno.removeSignalListener(s, f);
  if (spec.after?.ide_visible) await markForIde(dir, spec.after.ide_visible.codex_home);
  return 0;
}

/** Marks the run's thread as the IDE extension's and says what happened in `ide.json`; never throws. */
async function markForIde(dir: string, home: string): Promise<void> {
  let said: Record<string, unknown>;
  try {
    const { readExecStream } = await import("../codex/exec/reader.ts");
    const thread = (await readExecStream(runFile(dir, "events"))).progress.state.thread_id;
    if (!thread) said = { outcome: "skipped", why: "the run started no thread" };
    else {
      const { locateThread } = await import("../codex/rollout/locate.ts");
      const found = await locateThread(home, thread);
      if (!found) said = { outcome: "skipped", thread, why: "its rollout was not found" };
      else {
        const { markIdeVisible } = await import("../codex/rollout/ide_visible.ts");
        said = { thread, ...(await markIdeVisible(found.path)) };
      }
    }
  } catch (err) {
    said = { outcome: "skipped", why: err instanceof Error ? err.message : String(err) };
  }
  await atomicWrite(runFile(dir, "ide"), JSON.stringify(said) + "\n").catch(() => {});
}
