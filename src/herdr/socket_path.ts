/**
 * Where herdr's API socket is. The order is the herdr plugin's (the first path that exists wins):
 * `$HERDR_SOCKET_PATH`, the named session `$HERDR_SESSION` (`<config>/herdr/sessions/<name>/herdr.sock`),
 * `$XDG_RUNTIME_DIR/herdr.sock`, `$XDG_CONFIG_HOME/herdr/herdr.sock`, `~/.config/herdr/herdr.sock`,
 * `/tmp/herdr.sock`. When none exists the first candidate is reported, so an error names the path a
 * user most likely meant. Relative directories in the environment are ignored.
 *
 * @module
 */
import { join } from "node:path";

/** Which rule produced a candidate path. */
export type SocketSource =
  | "HERDR_SOCKET_PATH"
  | "HERDR_SESSION"
  | "XDG_RUNTIME_DIR"
  | "XDG_CONFIG_HOME"
  | "HOME"
  | "TMP";

/** One probed path. */
export interface SocketCandidate {
  path: string;
  source: SocketSource;
  exists: boolean;
}

/** The outcome of socket discovery. */
export interface SocketDiscovery {
  /** The socket to use: the first existing candidate, else the first candidate. */
  path: string;
  source: SocketSource;
  /** True when `path` exists. */
  found: boolean;
  /** Every candidate, in probe order. */
  candidates: SocketCandidate[];
}

/** The environment discovery reads. */
export interface SocketEnv {
  get(key: string): string | undefined;
}

/** Options of {@linkcode discoverSocket}. */
export interface DiscoverOptions {
  /** Existence check (a seam for tests); default: the path can be stat'ed. */
  exists?: (path: string) => boolean;
}

const SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Lists the candidate paths in probe order, without touching the filesystem. */
export function socketCandidates(env: SocketEnv): { path: string; source: SocketSource }[] {
  const abs = (key: string) => {
    const value = env.get(key);
    return value && value.startsWith("/") ? value : undefined;
  };
  const home = abs("HOME");
  const configDir = abs("XDG_CONFIG_HOME") ?? (home ? join(home, ".config") : undefined);
  const out: { path: string; source: SocketSource }[] = [];
  const explicit = abs("HERDR_SOCKET_PATH");
  if (explicit) out.push({ path: explicit, source: "HERDR_SOCKET_PATH" });
  const session = env.get("HERDR_SESSION");
  if (session && SESSION_NAME.test(session) && !session.includes("..") && configDir) {
    out.push({ path: join(configDir, "herdr", "sessions", session, "herdr.sock"), source: "HERDR_SESSION" });
  }
  const runtime = abs("XDG_RUNTIME_DIR");
  if (runtime) out.push({ path: join(runtime, "herdr.sock"), source: "XDG_RUNTIME_DIR" });
  const xdgConfig = abs("XDG_CONFIG_HOME");
  if (xdgConfig) out.push({ path: join(xdgConfig, "herdr", "herdr.sock"), source: "XDG_CONFIG_HOME" });
  if (home) out.push({ path: join(home, ".config", "herdr", "herdr.sock"), source: "HOME" });
  out.push({ path: "/tmp/herdr.sock", source: "TMP" });
  return out;
}

/** Finds herdr's socket: the first candidate that exists, else the first candidate. */
export function discoverSocket(env: SocketEnv, options: DiscoverOptions = {}): SocketDiscovery {
  const exists = options.exists ?? pathExists;
  const candidates = socketCandidates(env).map((c) => ({ ...c, exists: exists(c.path) }));
  const hit = candidates.find((c) => c.exists) ?? candidates[0];
  return { path: hit.path, source: hit.source, found: hit.exists, candidates };
}

function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
