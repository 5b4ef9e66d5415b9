/**
 * The error type every codexctl layer throws. `main.ts` turns it into a v1 error envelope and the
 * matching exit code; anything else that escapes becomes `internal/UNEXPECTED`.
 *
 * @module
 */

/** The four error classes of the v1 envelope, each with its own exit code. */
export type ErrorClass = "usage" | "environment" | "not_found" | "internal";

/** Exit code per outcome: 0 a verdict was produced, then one per error class. */
export const EXIT_CODES: Readonly<Record<"ok" | ErrorClass, number>> = Object.freeze({
  ok: 0,
  usage: 2,
  environment: 3,
  not_found: 4,
  internal: 5,
});

/** Options that refine a {@linkcode CodexctlError}. */
export interface CodexctlErrorOptions {
  /** True when the same call may succeed if simply repeated later. */
  retryable?: boolean;
  /** One sentence telling the caller what to do about it. */
  suggestion?: string | null;
  /** The underlying error, kept for `CODEXCTL_DEBUG` diagnostics only. */
  cause?: unknown;
  /** The exact next command (the envelope's `error.next_action`), when there is one. */
  nextAction?: ErrorNextAction | null;
}

/** `error.next_action`: what to run next (the verdict's next_action shape; its intents: `envelope.ts`). */
export interface ErrorNextAction {
  intent: string;
  command: string | null;
  why: string;
}

/** An error that maps onto the v1 envelope's `error` object. */
export class CodexctlError extends Error {
  /** The envelope error class; decides the exit code. */
  readonly errorClass: ErrorClass;
  /** A stable upper-snake-case code such as `BAD_FLAG` or `HERDR_DOWN`. */
  readonly code: string;
  /** Whether retrying the same call may help. */
  readonly retryable: boolean;
  /** What the caller should do next, or null. */
  readonly suggestion: string | null;
  /** The exact next command, or null. */
  readonly nextAction: ErrorNextAction | null;

  constructor(errorClass: ErrorClass, code: string, message: string, options: CodexctlErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "CodexctlError";
    this.errorClass = errorClass;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.suggestion = options.suggestion ?? null;
    this.nextAction = options.nextAction ?? null;
  }

  /** The exit code this error ends the process with. */
  get exitCode(): number {
    return EXIT_CODES[this.errorClass];
  }
}

/** A usage error (exit 2): the caller passed something wrong. */
export function usageError(code: string, message: string, suggestion?: string): CodexctlError {
  return new CodexctlError("usage", code, message, { suggestion: suggestion ?? null });
}

/** An environment error (exit 3): something codexctl needs is missing or down. */
export function environmentError(
  code: string,
  message: string,
  options: CodexctlErrorOptions = {},
): CodexctlError {
  return new CodexctlError("environment", code, message, options);
}

/** A not-found error (exit 4): the session, thread or pane does not exist (any more). */
export function notFoundError(code: string, message: string, suggestion?: string): CodexctlError {
  return new CodexctlError("not_found", code, message, { suggestion: suggestion ?? null });
}

/** An internal error (exit 5). */
export function internalError(
  code: string,
  message: string,
  options: CodexctlErrorOptions = {},
): CodexctlError {
  return new CodexctlError("internal", code, message, options);
}
