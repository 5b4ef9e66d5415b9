/**
 * Runs codexctl the way users and the plugin launcher do from source: `deno run -q -P src/main.ts`
 * (the permission set declared once in deno.json), as a subprocess with piped stdout.
 *
 * @module
 */
import { MAIN_TS, REPO_ROOT } from "./paths.ts";

/** What one codexctl call produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON value, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
  /** stdout parsed as JSON lines (streaming verbs). */
  lines: Record<string, unknown>[];
}

/** Options of {@linkcode runCli}. */
export interface CliOptions {
  env?: Record<string, string>;
  stdin?: string;
  cwd?: string;
  timeoutMs?: number;
  /** A command that runs codexctl (e.g. `["unshare", "-U"]`, to drop root's privileges); its argv comes first. */
  wrap?: string[];
}

/** Runs `codexctl <args>` from source. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const argv = [Deno.execPath(), "run", "-q", "-P", `--config=${REPO_ROOT}/deno.json`, MAIN_TS, ...args];
  const full = [...(options.wrap ?? []), ...argv];
  const child = new Deno.Command(full[0], {
    args: full.slice(1),
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: "1", DENO_DIR: denoDir(), ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
  }, options.timeoutMs ?? 60_000);
  const out = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  const lines: Record<string, unknown>[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    try {
      lines.push(JSON.parse(line));
    } catch { /* not a JSON line */ }
  }
  return { code: out.code, stdout, stderr: new TextDecoder().decode(out.stderr), json, lines };
}

/** Deno's cache directory, pinned so that a test changing HOME does not make deno re-download packages. */
export function denoDir(): string {
  const own = Deno.env.get("DENO_DIR");
  if (own) return own;
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  return xdg ? `${xdg}/deno` : `${Deno.env.get("HOME") ?? "/root"}/.cache/deno`;
}
