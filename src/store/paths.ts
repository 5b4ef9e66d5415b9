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
 * Refuses a state root that other users can write (`environment/STATE_ROOT_UNSAFE`): codexctl keeps
 * its session records, approval policy (`config.jsonc`) and audit log there, so anyone who can write
 * it could plant a policy or a record. A directory writable by group or others is accepted only when
 * it is the user's own and sticky (others cannot replace what is in it). A missing root is fine: it
 * is created 0700. Nothing is ever chmodded here.
 */
export function checkStateRoot(root: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(root);
  } catch {
    return; // missing (created later, 0700) or unreadable (the first write says why)
  }
  if (!info.isDirectory) {
    throw environmentError("STATE_ROOT_UNSAFE", `codexctl's state root ${root} is not a directory`, {
      suggestion: "set CODEXCTL_HOME to a directory only you can write",
    });
  }
  const uid = Deno.uid();
  if (info.mode === null || uid === null) return; // no POSIX modes here
  const writableByOthers = (info.mode & 0o022) !== 0;
  if (!writableByOthers) return;
  const mine = info.uid === uid;
  if (mine && (info.mode & 0o1000) !== 0) return;
  const mode = (info.mode & 0o7777).toString(8).padStart(4, "0");
  throw environmentError(
    "STATE_ROOT_UNSAFE",
    `codexctl's state root ${root} can be written by other users (mode ${mode}${
      mine ? ", not sticky" : `, owned by uid ${info.uid}`
    }); codexctl keeps its session records, approval policy and audit log there and will not use it`,
    {
      suggestion: mine
        ? `make it yours only (chmod go-w ${root}) or sticky (chmod +t ${root}), or set CODEXCTL_HOME to a directory only you can write`
        : `set CODEXCTL_HOME to a directory only you can write (e.g. export CODEXCTL_HOME=~/.local/state/codexctl)`,
    },
  );
}

/**
 * Resolves the state root directory from the environment: `findStateRoot` (one rule for the CLI
 * and the hooks), or `environment/NO_STATE_DIR` where that finds none; a root others can write is
 * refused ({@linkcode checkStateRoot}).
 */
export function stateRoot(env: Pick<Env, "get">): string {
  const root = findStateRoot(env);
  if (root !== null) {
    checkStateRoot(root);
    return root;
  }
  throw environmentError(
    "NO_STATE_DIR",
    "cannot find a place for codexctl's state: none of CODEXCTL_HOME, XDG_STATE_HOME or HOME is an absolute path",
    {
      suggestion:
        "set CODEXCTL_HOME to a directory codexctl may write, e.g. export CODEXCTL_HOME=$PWD/.codexctl",
    },
  );
}
