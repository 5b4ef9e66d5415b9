/**
 * Running one outside tool (the gate's `nvidia-smi`, `docker`, `df`, `ps`; doctor's `codex --version`
 * and `tmux -V`; the Codex finder's version probe): an argv array, never a shell string; no stdin;
 * killed when it overruns its budget; its output kept within a bound.
 *
 * @module
 */

/** How a tool run ended. */
export type ToolRun =
  /** The program is not installed (not on PATH); `message` is the spawn error's. */
  | { kind: "missing"; message: string }
  /** It ran past its budget and was killed; what it printed before that. */
  | { kind: "timeout"; stdout: string; stderr: string }
  /** It could not be started for another reason (e.g. not executable). */
  | { kind: "failed"; message: string }
  /** It exited (successfully or not). */
  | { kind: "exited"; code: number; stdout: string; stderr: string };

/** At most this much of a tool's stdout/stderr is kept (the rest is cut). */
export const TOOL_OUTPUT_LIMIT = 1_000_000;

/** Runs `argv` with a time budget. */
export async function runTool(argv: readonly string[], timeoutMs: number): Promise<ToolRun> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof Deno.errors.NotFound) return { kind: "missing", message };
    return { kind: "failed", message };
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  try {
    const out = await child.output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(0, TOOL_OUTPUT_LIMIT));
    const [stdout, stderr] = [text(out.stdout), text(out.stderr)];
    if (timedOut) return { kind: "timeout", stdout, stderr };
    return { kind: "exited", code: out.code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** The first non-empty line of a tool's output, for a message. */
export function firstLine(...texts: string[]): string {
  for (const t of texts) {
    const line = t.split("\n").map((l) => l.trim()).find((l) => l);
    if (line) return line;
  }
  return "no output";
}
