/**
 * The last resort of the CLI: anything thrown becomes a {@linkcode CodexctlError}. (It used to be
 * exported by `src/main.ts`; main.ts now loads nothing the hook path does not need.) A refusal of
 * the file system that no layer turned into an error of its own — permission denied, a read-only
 * file system, a full disk, a used-up quota, a FIFO where a file should be — is the environment
 * (exit 3), never `internal`; everything else unknown is `internal/UNEXPECTED`.
 *
 * @module
 */
import { CodexctlError, environmentError, internalError } from "../errors.ts";
import { NotARegularFile } from "../codex/rollout/open.ts";
import { errnoOf } from "../store/fault.ts";

/** The environment error for a file-system refusal, or null when `err` is not one. */
function fileSystemError(err: unknown): CodexctlError | null {
  if (err instanceof NotARegularFile) {
    return environmentError("NOT_A_FILE", err.message, {
      suggestion: `remove or rename ${err.path}; codexctl reads only regular files there`,
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  const check = "check the path named above (ls -ld), or set CODEXCTL_HOME / CODEX_HOME to a place you own";
  switch (errnoOf(err)) {
    case "EACCES":
    case "EPERM":
      return environmentError("PERMISSION_DENIED", message, { suggestion: check, cause: err });
    case "EROFS":
      return environmentError("READ_ONLY_FS", message, { suggestion: check, cause: err });
    case "ENOSPC":
      return environmentError("DISK_FULL", message, {
        retryable: true,
        suggestion: "free disk space, then retry",
        cause: err,
      });
    case "EDQUOT":
      return environmentError("QUOTA_EXCEEDED", message, {
        retryable: true,
        suggestion: "free space within your quota, then retry",
        cause: err,
      });
    default:
      return null;
  }
}

/** Maps anything thrown to a {@linkcode CodexctlError}; unknown errors become `internal/UNEXPECTED`. */
export function toCodexctlError(err: unknown): CodexctlError {
  if (err instanceof CodexctlError) return err;
  const fs = fileSystemError(err);
  if (fs) return fs;
  const message = err instanceof Error ? err.message : String(err);
  return internalError("UNEXPECTED", message || "an unexpected error occurred", {
    retryable: true,
    suggestion: "retry; if it persists, rerun with CODEXCTL_DEBUG=1 and report the stderr output",
    cause: err,
  });
}
