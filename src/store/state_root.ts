/**
 * Where codexctl keeps its state — `$CODEXCTL_HOME`, else `$XDG_STATE_HOME/codexctl`, else
 * `~/.local/state/codexctl` (relative values are ignored, as the XDG spec asks) — computed without
 * `node:path` or any other import: the hook's no-change path must start about as fast as an empty
 * `deno run` (loading `node:path` alone costs more than its whole budget). `paths.ts` `stateRoot`
 * is {@linkcode findStateRoot}, throwing where this returns null.
 *
 * @module
 */

/** Joins path segments with `/`, collapsing duplicate slashes (no `.`/`..` handling needed here). */
export function joinPath(...parts: string[]): string {
  return parts.join("/").replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");
}

/** The state root; null when none can be found. */
export function findStateRoot(env: { get(key: string): string | undefined }): string | null {
  const own = env.get("CODEXCTL_HOME");
  if (own && own.startsWith("/")) return own;
  const xdg = env.get("XDG_STATE_HOME");
  if (xdg && xdg.startsWith("/")) return joinPath(xdg, "codexctl");
  const home = env.get("HOME");
  if (home && home.startsWith("/")) return joinPath(home, ".local", "state", "codexctl");
  return null;
}
