/**
 * The process probe: which processes' command lines match a pattern (as `pgrep -f` would), leaving
 * out Codex and codexctl themselves and this call's own process and its ancestors (the shell that
 * ran `codexctl gate --procs X` has X on its own command line). The listing comes from POSIX
 * `ps -A -ww -o pid=,ppid=,args=` on Linux and macOS alike (Deno's permission set does not reach
 * `/proc/PID/cmdline` short of `--allow-all`).
 *
 * @module
 */
import { clip } from "../text.ts";
import type { Probe, ProcessMatch } from "./evidence.ts";
import { firstLine, runTool } from "../tool.ts";

/** One running process. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Its command line, arguments joined by spaces (as `ps` prints it). */
  command: string;
}

/** The argv of the process listing. */
export const PS_ARGV: readonly string[] = ["ps", "-A", "-ww", "-o", "pid=,ppid=,args="];

/** Lists every process with a command line (kernel threads, shown as `[name]`, have none). */
export async function listProcesses(timeoutMs: number): Promise<Probe<ProcessEntry[]>> {
  const run = await runTool(PS_ARGV, timeoutMs);
  if (run.kind === "missing") {
    return { kind: "unknown", why: "ps is not installed (install procps), so no process can be checked" };
  }
  if (run.kind !== "exited" || run.code !== 0) {
    const why = run.kind === "exited" ? firstLine(run.stderr, run.stdout) : run.kind;
    return { kind: "unknown", why: clip(`ps failed: ${why}`, 300) };
  }
  return { kind: "ok", value: parsePs(run.stdout) };
}

/** Parses `ps -o pid=,ppid=,args=` lines, leaving out kernel threads (`[kthreadd]`). */
export function parsePs(text: string): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^\s*(\d+)\s+(\d+)\s+(.*\S)\s*$/);
    if (m && !/^\[[^\]]*\]$/.test(m[3])) out.push({ pid: Number(m[1]), ppid: Number(m[2]), command: m[3] });
  }
  return out;
}

const INTERPRETERS = /^(node|nodejs|deno|bun|bash|sh|zsh|dash|env)$/;
const CODEX_NAME = /^codex(ctl)?(\.js|-[a-z0-9_]+(-[a-z0-9_]+)*)?$/i;

/**
 * True for a process of Codex or codexctl: its program, or the script an interpreter runs, is named
 * `codex…`/`codexctl…` (`codex`, `codex.js`, `codex-x86_64-unknown-linux-musl`, `codexctl`,
 * `codexctl-linux-x64`), or an interpreter runs codexctl's entry (`src/main.ts` under a path
 * naming codexctl, as the plugin's launcher starts it from source).
 */
export function isCodexProcess(command: string): boolean {
  const words = command.split(/\s+/);
  const base = (w: string) => w.split("/").pop() ?? w;
  if (CODEX_NAME.test(base(words[0] ?? ""))) return true;
  if (!INTERPRETERS.test(base(words[0] ?? ""))) return false;
  // the script: the first word that is a source file or named like Codex (flag values such as
  // `--config x/deno.json` are neither)
  const script = words.slice(1).find((w) =>
    !w.startsWith("-") && (/\.(m?[jt]s|cjs|tsx)$/.test(w) || CODEX_NAME.test(base(w)))
  );
  if (!script) return false;
  return CODEX_NAME.test(base(script)) || (/(^|\/)src\/main\.ts$/.test(script) && /codexctl/i.test(script));
}

/**
 * The processes whose command line matches `pattern`, minus Codex and
 * codexctl ({@linkcode isCodexProcess}) and `self` and its ancestors. Pure.
 */
export function matchProcesses(
  entries: readonly ProcessEntry[],
  pattern: RegExp,
  self: number,
): ProcessMatch[] {
  const byPid = new Map(entries.map((e) => [e.pid, e]));
  const mine = new Set<number>();
  for (let pid: number | undefined = self; pid && !mine.has(pid); pid = byPid.get(pid)?.ppid) mine.add(pid);
  return entries
    .filter((e) => !mine.has(e.pid) && !isCodexProcess(e.command))
    .map((e) => ({ pid: e.pid, command: e.command }))
    .filter((m) => pattern.test(m.command))
    .sort((a, b) => a.pid - b.pid);
}
