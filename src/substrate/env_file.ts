/**
 * Handing a pane its environment without putting a value on any command line. A tmux pane's
 * command is argv (and the private tmux server keeps its first client's argv for its whole
 * lifetime, visible in `ps` and `/proc/<pid>/cmdline` to every local user), so the variables go
 * into a 0600 file in a 0700 folder of the state directory instead: a tiny POSIX `sh` script that
 * exports them, deletes itself and `exec`s the real command. The pane's argv is then only
 * `env -i /bin/sh <file> <command…>`.
 *
 * @module
 */
import { join } from "node:path";
import { ensureDir, FILE_MODE } from "../store/atomic.ts";

/** A variable name `sh` can export (others — e.g. bash's `BASH_FUNC_f%%` — are left out). */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names the shell keeps read-only (assigning one would end the script) or sets itself (PWD: the pane's real folder). */
const SHELL_OWN = new Set(["SHELLOPTS", "BASHOPTS", "BASH_VERSINFO", "UID", "EUID", "PPID", "PWD", "OLDPWD"]);

/** Files older than this were never read (their pane did not start): removed at the next start. */
const STALE_MS = 10 * 60_000;

/** `value` as one single-quoted `sh` word (any byte but NUL, newlines included). */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The script's text: export each variable, delete the script, run the command given as arguments. */
export function envScript(vars: Record<string, string>): string {
  const lines = ["# written by codexctl: the pane's environment; deletes itself before the command runs"];
  for (const [name, value] of Object.entries(vars)) {
    if (NAME.test(name) && !SHELL_OWN.has(name)) lines.push(`export ${name}=${shQuote(value)}`);
  }
  lines.push(`rm -f -- "$0" 2>/dev/null || /bin/rm -f -- "$0"`, `exec "$@"`, "");
  return lines.join("\n");
}

/** The folder the environment files are written to (under the state directory). */
export function envFileDir(stateDir: string): string {
  return join(stateDir, "pane-env");
}

/** A written environment file: the argv that runs `command` with it, and a way to drop it unread. */
export interface EnvFile {
  path: string;
  /** `env -i /bin/sh <file> …command`: the command runs with exactly the file's variables. */
  argv: string[];
  /** Removes the file (when the pane could not be started, so nothing will read it). */
  discard(): Promise<void>;
}

/**
 * Writes `vars` to a new 0600 file (created exclusively, never following a link) under
 * `stateDir/pane-env/` and returns the argv that runs `command` with exactly those variables.
 * Files left by panes that never started (older than ten minutes) are removed first.
 */
export async function writeEnvFile(
  stateDir: string,
  vars: Record<string, string>,
  command: string[],
): Promise<EnvFile> {
  const dir = envFileDir(stateDir);
  await ensureDir(dir);
  await sweepStale(dir);
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const name = `${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}.sh`;
  const path = join(dir, name);
  const file = await Deno.open(path, { createNew: true, write: true, mode: FILE_MODE });
  try {
    await file.write(new TextEncoder().encode(envScript(vars)));
  } catch (err) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw err;
  }
  file.close();
  return {
    path,
    argv: ["env", "-i", "/bin/sh", path, ...command],
    discard: () => Deno.remove(path).catch(() => {}),
  };
}

async function sweepStale(dir: string): Promise<void> {
  const now = Date.now();
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.endsWith(".sh")) continue;
      const path = join(dir, entry.name);
      const info = await Deno.lstat(path).catch(() => null);
      if (info?.mtime && now - info.mtime.getTime() > STALE_MS) await Deno.remove(path).catch(() => {});
    }
  } catch {
    // an unreadable folder is ensureDir's concern; sweeping is best effort
  }
}
