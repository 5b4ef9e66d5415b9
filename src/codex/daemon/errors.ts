/**
 * The errors of the daemon channel. Everything that can go wrong between codexctl and the Codex
 * daemon is an `environment` error with a stable code, so callers can tell "the daemon is not
 * running" from "it answered something we cannot read" without parsing messages.
 *
 * @module
 */
import { CodexctlError, type CodexctlErrorOptions, environmentError } from "../../errors.ts";

/** The environment error codes of the daemon channel. */
export const DAEMON_ERROR_CODES = {
  /** No control socket: no daemon runs for this CODEX_HOME (it starts with the 0.169+ TUI). */
  down: "DAEMON_DOWN",
  /** The socket exists but nobody accepts on it (stale socket, daemon restarting, no permission). */
  refused: "DAEMON_REFUSED",
  /** The peer does not speak the app-server protocol over WebSocket (garbage, wrong server). */
  protocol: "DAEMON_PROTOCOL",
  /** The daemon did not answer in time. */
  timeout: "DAEMON_TIMEOUT",
  /** The connection dropped while a call was in flight (the daemon exited or restarted). */
  closed: "DAEMON_CLOSED",
  /** The daemon does not know a method codexctl needs (another Codex version). */
  incompatible: "DAEMON_INCOMPATIBLE",
  /** The daemon answered a call with an error codexctl has no better name for. */
  rpc: "DAEMON_ERROR",
} as const;

/** One of {@linkcode DAEMON_ERROR_CODES}. */
export type DaemonErrorCode = (typeof DAEMON_ERROR_CODES)[keyof typeof DAEMON_ERROR_CODES];

const RETRYABLE: ReadonlySet<string> = new Set([
  DAEMON_ERROR_CODES.down,
  DAEMON_ERROR_CODES.refused,
  DAEMON_ERROR_CODES.timeout,
  DAEMON_ERROR_CODES.closed,
]);

/** Builds an `environment/DAEMON_*` error; retryable by default for the transient codes. */
export function daemonError(
  code: DaemonErrorCode,
  message: string,
  options: CodexctlErrorOptions = {},
): CodexctlError {
  return environmentError(code, message, { retryable: RETRYABLE.has(code), ...options });
}

/**
 * The daemon answered a request with a JSON-RPC error. It is a {@linkcode CodexctlError}
 * (`environment/DAEMON_ERROR`, or `DAEMON_INCOMPATIBLE` for an unknown method) that keeps the
 * daemon's own code and message so operations can map known cases (e.g. "no rollout found").
 */
export class DaemonRpcError extends CodexctlError {
  /** The JSON-RPC error code the daemon sent. */
  readonly rpcCode: number;
  /** The daemon's message, verbatim (bounded). */
  readonly rpcMessage: string;
  /** The method that failed. */
  readonly method: string;

  constructor(method: string, rpcCode: number, rpcMessage: string, daemonVersion: string | null) {
    const unknownMethod = rpcCode === -32601 || /unknown variant/i.test(rpcMessage);
    const shown = rpcMessage.length > 300 ? `${rpcMessage.slice(0, 297)}...` : rpcMessage;
    super(
      "environment",
      unknownMethod ? DAEMON_ERROR_CODES.incompatible : DAEMON_ERROR_CODES.rpc,
      unknownMethod
        ? `the Codex daemon${
          daemonVersion ? ` (version ${daemonVersion})` : ""
        } does not support ${method}: ${shown}`
        : `the Codex daemon refused ${method}: ${shown} (JSON-RPC error ${rpcCode})`,
      {
        retryable: false,
        suggestion: unknownMethod
          ? "use Codex 0.169 or later (codexctl doctor shows the daemon version)"
          : "check the thread id and the daemon state with codexctl status; rerun with CODEXCTL_DEBUG=1 for details",
      },
    );
    this.name = "DaemonRpcError";
    this.rpcCode = rpcCode;
    this.rpcMessage = rpcMessage;
    this.method = method;
  }
}
