/**
 * Where codexctl keeps its state: `$CODEXCTL_HOME`, else `$XDG_STATE_HOME/codexctl`, else
 * `~/.local/state/codexctl`. Relative values are ignored, as the XDG spec asks.
 *
 * @module
 */
import { join } from "node:path";
import { environmentError } from "../errors.ts";
import type { Env } from "../cli/verb.ts";

/** Resolves the state root directory from the environment. */
export function stateRoot(env: Pick<Env, "get">): string {
  const own = env.get("CODEXCTL_HOME");
  if (own && own.startsWith("/")) return own;
  const xdg = env.get("XDG_STATE_HOME");
  if (xdg && xdg.startsWith("/")) return join(xdg, "codexctl");
  const home = env.get("HOME");
  if (home && home.startsWith("/")) return join(home, ".local", "state", "codexctl");
  throw environmentError(
    "NO_STATE_DIR",
    "cannot find a place for codexctl's state: none of CODEXCTL_HOME, XDG_STATE_HOME or HOME is an absolute path",
    {
      suggestion:
        "set CODEXCTL_HOME to a directory codexctl may write, e.g. export CODEXCTL_HOME=$PWD/.codexctl",
    },
  );
}
