/**
 * Where the Codex daemon's control socket is: `$CODEX_HOME/app-server-control/app-server-control.sock`
 * (`CODEX_HOME` defaults to `~/.codex`), usually a symlink to `/tmp/codex-daemon-<uid>/<sha256>`
 * (codex.md §4.4).
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { environmentError } from "../../errors.ts";

/** The control socket's path relative to CODEX_HOME. */
export const CONTROL_SOCKET_RELATIVE = join("app-server-control", "app-server-control.sock");

/** Resolves CODEX_HOME from the environment: `$CODEX_HOME`, else `$HOME/.codex`. */
export function resolveCodexHome(env: { get(key: string): string | undefined }): string {
  const own = env.get("CODEX_HOME");
  if (own && isAbsolute(own)) return own;
  const home = env.get("HOME");
  if (home && isAbsolute(home)) return join(home, ".codex");
  throw environmentError(
    "NO_CODEX_HOME",
    own
      ? `CODEX_HOME must be an absolute path, got ${JSON.stringify(own.slice(0, 80))}`
      : "cannot find Codex's home: CODEX_HOME is unset and HOME is not an absolute path",
    { suggestion: "export CODEX_HOME=/absolute/path/to/.codex (the directory Codex itself uses)" },
  );
}

/** The control socket path of a CODEX_HOME. */
export function controlSocketPath(codexHome: string): string {
  return join(codexHome, CONTROL_SOCKET_RELATIVE);
}

/** What is at the socket path. */
export interface SocketInspection {
  /** The path looked at. */
  path: string;
  /** Something exists there (a dangling symlink counts as absent). */
  exists: boolean;
  /** The resolved target when `path` is a symlink that resolves, else `path` itself when it exists. */
  target: string | null;
  /** The resolved file is a Unix socket. */
  isSocket: boolean;
}

/** Looks at the socket path without connecting. Never throws for a missing or odd path. */
export async function inspectSocket(path: string): Promise<SocketInspection> {
  let target: string;
  try {
    target = await Deno.realPath(path);
  } catch {
    return { path, exists: false, target: null, isSocket: false };
  }
  try {
    const info = await Deno.stat(target);
    return { path, exists: true, target, isSocket: info.isSocket === true };
  } catch {
    return { path, exists: false, target: null, isSocket: false };
  }
}
