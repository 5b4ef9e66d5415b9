/**
 * What a failed state write means to the caller. The file system refusing a write — no permission
 * (EACCES, EPERM), a read-only file system (EROFS), a full disk (ENOSPC), an exhausted quota
 * (EDQUOT) — is the environment, not a codexctl bug: an environment error (exit 3) that names the
 * path and says what to do. Anything else is passed on unchanged.
 *
 * @module
 */
import { type CodexctlError, environmentError } from "../errors.ts";

/** The errno name of a file-system error (`EACCES`, `ENOSPC`, …), when it has one. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  if (err instanceof Deno.errors.PermissionDenied) return "EACCES";
  return undefined;
}

/** The environment error for a state write the file system refused, or null for any other failure. */
export function stateWriteError(err: unknown, path: string): CodexctlError | null {
  const errno = errnoOf(err);
  const dir = path.replace(/\/[^/]*$/, "") || "/";
  const elsewhere = "or set CODEXCTL_HOME to a directory you own on a writable file system";
  switch (errno) {
    case "EACCES":
    case "EPERM":
      return environmentError(
        "STATE_PERMISSION",
        `cannot write codexctl's state at ${path}: permission denied`,
        { suggestion: `make ${dir} writable by you (check: ls -ld ${dir}), ${elsewhere}`, cause: err },
      );
    case "EROFS":
      return environmentError(
        "STATE_READ_ONLY",
        `cannot write codexctl's state at ${path}: the file system is read-only`,
        { suggestion: `remount it read-write, ${elsewhere}`, cause: err },
      );
    case "ENOSPC":
      return environmentError(
        "STATE_DISK_FULL",
        `cannot write codexctl's state at ${path}: no space left on the device`,
        {
          retryable: true,
          suggestion: `free space on the file system that holds ${dir} (check: df -h ${dir}), ${elsewhere}`,
          cause: err,
        },
      );
    case "EDQUOT":
      return environmentError(
        "STATE_QUOTA",
        `cannot write codexctl's state at ${path}: your disk quota is used up`,
        {
          retryable: true,
          suggestion: `free space within your quota (check: quota -s), ${elsewhere}`,
          cause: err,
        },
      );
    default:
      return null;
  }
}

/** Runs a state write on `path`; a refusal of the file system becomes {@linkcode stateWriteError}. */
export async function writingState<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw stateWriteError(err, path) ?? err;
  }
}
