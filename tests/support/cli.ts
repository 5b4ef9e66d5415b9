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

/** A word quoted for `sh` (script(1) takes one command line). */
function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** True when script(1) (util-linux) can give codexctl a pseudo-terminal here. */
export async function hasScript(): Promise<boolean> {
  return await new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
    .output().then((o) => o.success, () => false);
}

/**
 * Runs `codexctl <args>` from source at a pseudo-terminal `cols` columns wide (script(1)), as a
 * person at a terminal would; its output with carriage returns removed. Colour follows `env`
 * (`NO_COLOR`, `TERM`) like any run; nothing is set for it here.
 */
export async function runAtTerminal(
  args: string[],
  env: Record<string, string>,
  cols = 200,
): Promise<string> {
  const argv = [Deno.execPath(), "run", "-q", "-P", `--config=${REPO_ROOT}/deno.json`, MAIN_TS, ...args];
  const out = await new Deno.Command("script", {
    args: ["-qec", `stty cols ${cols} 2>/dev/null; ${argv.map(shQuote).join(" ")}`, "/dev/null"],
    env: { DENO_DIR: denoDir(), TERM: "xterm", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).replaceAll("\r", "");
}

// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

/** `text` without its colour codes (SGR escapes). */
export function stripColour(text: string): string {
  return text.replace(SGR, "");
}

/** `text` painted as codexctl paints: the SGR code of `colour` (e.g. 33 yellow), the text, reset. */
export function painted(colour: number, text: string): string {
  return `\x1b[${colour}m${text}\x1b[0m`;
}
