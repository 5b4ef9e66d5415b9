/**
 * Runs `codex exec` (stdin from /dev/null, as codex.md §1.6 requires) against the mock model.
 *
 * @module
 */
import { join } from "node:path";
import type { CodexInstall } from "./codex_bin.ts";
import type { CodexHome } from "./codex_home.ts";

/** Options of {@linkcode runExec}. */
export interface ExecOptions {
  cwd: string;
  /** `--json` stream on stdout (default true). */
  json?: boolean;
  /** Extra CLI arguments placed before the prompt. */
  args?: string[];
  /** Resume this thread (`codex exec resume <id>`) instead of starting a new one. */
  resumeId?: string;
  /**
   * Run `codex exec review` with these arguments (`--uncommitted`, `--commit SHA`, a custom prompt …)
   * instead of a task; the prompt argument of {@linkcode runExec} is then not sent.
   */
  review?: string[];
  /** Send SIGINT after this many milliseconds (interrupt scenarios). */
  interruptAfterMs?: number;
  /** Kill after this long (default 60 s). */
  timeoutMs?: number;
}

/** What one `codex exec` run produced. */
export interface ExecResult {
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Parsed `--json` events (empty without `--json`). */
  events: Record<string, unknown>[];
  /** From `thread.started`. */
  threadId: string | null;
}

/** Runs one `codex exec` turn. */
export async function runExec(
  install: CodexInstall,
  home: CodexHome,
  prompt: string,
  options: ExecOptions,
): Promise<ExecResult> {
  const args = [
    "exec",
    ...(options.resumeId ? ["resume", options.resumeId] : []),
    ...(options.json === false ? [] : ["--json"]),
    "--skip-git-repo-check",
    ...(options.args ?? []),
    ...(options.review ? ["review", ...options.review] : [prompt]),
  ];
  const child = new Deno.Command(install.binary, {
    args,
    cwd: options.cwd,
    env: home.env(install),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (options.interruptAfterMs !== undefined) {
    timers.push(setTimeout(() => {
      try {
        child.kill("SIGINT");
      } catch { /* exited */ }
    }, options.interruptAfterMs));
  }
  timers.push(setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
  }, options.timeoutMs ?? 60_000));
  const out = await child.output();
  timers.forEach(clearTimeout);
  const stdout = new TextDecoder().decode(out.stdout);
  const events = options.json === false ? [] : parseJsonLines(stdout);
  const started = events.find((e) => e.type === "thread.started");
  return {
    code: out.code,
    signal: out.signal,
    stdout,
    stderr: new TextDecoder().decode(out.stderr),
    events,
    threadId: started ? String(started.thread_id) : null,
  };
}

/** Parses JSON lines, skipping lines that are not JSON objects. */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line);
      if (value && typeof value === "object" && !Array.isArray(value)) out.push(value);
    } catch {
      // not JSON
    }
  }
  return out;
}

/** Finds the rollout file of `threadId` under a Codex home (sessions, then archived_sessions). */
export async function findRollout(codexHome: string, threadId: string): Promise<string | null> {
  const hits: string[] = [];
  const walk = async (dir: string) => {
    try {
      for await (const entry of Deno.readDir(dir)) {
        const full = join(dir, entry.name);
        if (entry.isDirectory) await walk(full);
        else if (entry.isFile && entry.name.includes(threadId) && entry.name.endsWith(".jsonl")) {
          hits.push(full);
        }
      }
    } catch {
      // missing dir
    }
  };
  await walk(join(codexHome, "sessions"));
  await walk(join(codexHome, "archived_sessions"));
  return hits[0] ?? null;
}

/** All rollout files under a Codex home's sessions directory, oldest first by name. */
export async function listRollouts(codexHome: string): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (dir: string) => {
    try {
      for await (const entry of Deno.readDir(dir)) {
        const full = join(dir, entry.name);
        if (entry.isDirectory) await walk(full);
        else if (entry.isFile && entry.name.startsWith("rollout-") && entry.name.endsWith(".jsonl")) {
          hits.push(full);
        }
      }
    } catch {
      // missing dir
    }
  };
  await walk(join(codexHome, "sessions"));
  return hits.sort();
}
