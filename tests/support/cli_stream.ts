/**
 * Starts a streaming codexctl verb (e.g. watch) from source and reads its lines as they come.
 *
 * @module
 */
import { LineStream } from "./lines.ts";
import { denoDir } from "./cli.ts";
import { MAIN_TS, REPO_ROOT } from "./paths.ts";

/** A running codexctl process. */
export interface CliProcess {
  lines: LineStream;
  child: Deno.ChildProcess;
  /** Waits for the exit code (kills after `timeoutMs`). */
  exit(timeoutMs?: number): Promise<number>;
}

/** Spawns `codexctl <args>` with piped stdout. */
export function spawnCli(args: string[], env: Record<string, string>): CliProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P", `--config=${REPO_ROOT}/deno.json`, MAIN_TS, ...args],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1", DENO_DIR: denoDir(), ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = new LineStream(child.stdout);
  return {
    lines,
    child,
    async exit(timeoutMs = 30_000) {
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* exited */ }
      }, timeoutMs);
      const status = await child.status;
      clearTimeout(timer);
      return status.code;
    },
  };
}
