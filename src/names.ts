/**
 * Names codexctl computes without importing anything — the hook's no-change path loads this module,
 * so it stays one small file: where codexctl's state lives (`$CODEXCTL_HOME`, else
 * `$XDG_STATE_HOME/codexctl`, else `~/.local/state/codexctl`; relative values are ignored, as the
 * XDG spec asks), paths joined without `node:path` (loading it alone costs more than the hook's
 * whole budget), and a short stable hash for what must become a name: an owner id that is not safe
 * as a file name, a verdict's signature. Also the one process probe ({@linkcode pidAlive}), used by
 * the hook's hot path and by the tmux substrate. `store/paths.ts` `stateRoot` is {@linkcode findStateRoot},
 * throwing where this returns null.
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

/** A 64-bit hash (two 32-bit FNV-1a lanes) of a string's UTF-16 code units, as 16 hex digits. Stable, not cryptographic. */
export function fnv64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/**
 * True when process `pid` exists (a signal-0 probe; EPERM means it exists, owned by someone else;
 * anything but a positive integer is no process). `/proc/<pid>` would be
 * cheaper, but deno refuses it without --allow-all; the first `Deno.kill` of a process costs a few
 * milliseconds, which is why the hook's hot path probes pids only every few seconds.
 */
export function pidAlive(pid: number): boolean {
  // 0 and negative numbers would probe a process group, never one process
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch (err) {
    return !(err instanceof Deno.errors.NotFound);
  }
}
