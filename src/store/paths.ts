/**
 * Where codexctl keeps its state: `$CODEXCTL_HOME`, else `$XDG_STATE_HOME/codexctl`, else
 * `~/.local/state/codexctl`. Relative values are ignored, as the XDG spec asks.
 *
 * @module
 */
import { environmentError } from "../errors.ts";
import type { Env } from "../env.ts";
import { findStateRoot } from "../names.ts";

/**
 * Resolves the state root directory from the environment: `findStateRoot` (one rule for the CLI
 * and the hooks), or `environment/NO_STATE_DIR` where that finds none.
 */
export function stateRoot(env: Pick<Env, "get">): string {
  const root = findStateRoot(env);
  if (root !== null) return root;
  throw environmentError(
    "NO_STATE_DIR",
    "cannot find a place for codexctl's state: none of CODEXCTL_HOME, XDG_STATE_HOME or HOME is an absolute path",
    {
      suggestion:
        "set CODEXCTL_HOME to a directory codexctl may write, e.g. export CODEXCTL_HOME=$PWD/.codexctl",
    },
  );
}
