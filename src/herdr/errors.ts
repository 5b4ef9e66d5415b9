/**
 * How herdr failures become codexctl errors: transport trouble is `environment/HERDR_DOWN` (exit
 * 3); a missing pane, agent, tab or workspace is `not_found` (exit 4); any other herdr error code is
 * `environment/HERDR_<CODE>` and keeps herdr's own code for callers that branch on it.
 *
 * @module
 */
import { CodexctlError, type ErrorClass } from "../errors.ts";
import type { WireError } from "./wire.ts";

/** A codexctl error raised by a herdr call; `herdrCode` is herdr's own code when it sent one. */
export class HerdrError extends CodexctlError {
  constructor(
    errorClass: ErrorClass,
    code: string,
    message: string,
    readonly method: string,
    readonly herdrCode: string | null,
    options: { retryable?: boolean; suggestion?: string | null; cause?: unknown } = {},
  ) {
    super(errorClass, code, message, options);
    this.name = "HerdrError";
  }
}

/** herdr "not found" codes and the codexctl code each becomes. */
const NOT_FOUND: Readonly<Record<string, string>> = {
  pane_not_found: "PANE_NOT_FOUND",
  target_pane_not_found: "PANE_NOT_FOUND",
  agent_pane_not_found: "PANE_NOT_FOUND",
  agent_not_found: "AGENT_NOT_FOUND",
  agent_not_running: "AGENT_NOT_FOUND",
  tab_not_found: "TAB_NOT_FOUND",
  workspace_not_found: "WORKSPACE_NOT_FOUND",
};

/** herdr codes worth retrying as is. */
const RETRYABLE = new Set(["timeout", "agent_not_ready", "agent_launch_pending", "ui_busy", "agent_blocked"]);

/** The transport failed: herdr is not running, crashed, or did not answer in time. */
export function herdrDown(method: string, socketPath: string, cause: WireError): HerdrError {
  const detail = cause.message.replace("the request", method);
  return new HerdrError(
    "environment",
    "HERDR_DOWN",
    `herdr is not reachable at ${socketPath}: ${detail}`,
    method,
    null,
    {
      retryable: true,
      suggestion: cause.failure === "unreachable"
        ? "start herdr (or set HERDR_SOCKET_PATH to its socket); codexctl doctor shows which socket was tried"
        : "check that herdr is healthy (codexctl doctor), then retry",
      cause,
    },
  );
}

/** herdr answered something that is not a valid reply (bad JSON, wrong id, wrong shape). */
export function herdrBadReply(method: string, detail: string): HerdrError {
  return new HerdrError(
    "environment",
    "HERDR_BAD_REPLY",
    `herdr sent an invalid reply to ${method}: ${detail}`,
    method,
    null,
    {
      retryable: false,
      suggestion: "this herdr version may be unsupported; codexctl doctor reports its version and protocol",
    },
  );
}

/** herdr answered with an error body. */
export function fromHerdrError(method: string, herdrCode: string, message: string): HerdrError {
  const shown = `herdr refused ${method}: ${message || herdrCode} (${herdrCode})`;
  const notFound = NOT_FOUND[herdrCode];
  if (notFound) {
    return new HerdrError("not_found", notFound, shown, method, herdrCode, {
      suggestion: "the pane or agent is gone (closed or exited); start a new one",
    });
  }
  if (herdrCode === "invalid_request" && /unknown variant/.test(message)) {
    return new HerdrError(
      "environment",
      "HERDR_UNSUPPORTED_METHOD",
      `this herdr does not know the method ${method}`,
      method,
      herdrCode,
      { suggestion: "upgrade herdr; codexctl doctor reports the running version" },
    );
  }
  const code = "HERDR_" + herdrCode.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return new HerdrError("environment", code === "HERDR_" ? "HERDR_ERROR" : code, shown, method, herdrCode, {
    retryable: RETRYABLE.has(herdrCode),
    suggestion: null,
  });
}
