/**
 * The last resort of the CLI: anything thrown becomes a {@linkcode CodexctlError}. (It used to be
 * exported by `src/main.ts`; main.ts now loads nothing the hook path does not need.)
 *
 * @module
 */
import { CodexctlError, internalError } from "../errors.ts";

/** Maps anything thrown to a {@linkcode CodexctlError}; unknown errors become `internal/UNEXPECTED`. */
export function toCodexctlError(err: unknown): CodexctlError {
  if (err instanceof CodexctlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return internalError("UNEXPECTED", message || "an unexpected error occurred", {
    retryable: true,
    suggestion: "retry; if it persists, rerun with CODEXCTL_DEBUG=1 and report the stderr output",
    cause: err,
  });
}
