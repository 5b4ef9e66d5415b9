/**
 * Why a Codex turn failed, named from what Codex said. Codex prints its own error text (the
 * `Display` of its `CodexErr`, openai/codex `protocol/src/error.rs`) in `turn.failed` and `error`
 * events; these are the phrasings observed with Codex 0.169.0 and 0.130.0 against the mock
 * model's upstream errors (tests/support/mock_model.ts `upstreamError`):
 *
 * | cause            | Codex says (examples)                                                           |
 * | ---------------- | ------------------------------------------------------------------------------- |
 * | `usage_limit`    | "You've hit your usage limit. …", "Quota exceeded. Check your plan …"           |
 * | `rate_limit`     | "exceeded retry limit, last status: 429 Too Many Requests", "rate limit exceeded: …" |
 * | `context_window` | "Codex ran out of room in the model's context window. …"                        |
 * | `auth_failed`    | "unexpected status 401 Unauthorized: …", "Missing environment variable: `KEY`"  |
 * | `network_error`  | "stream disconnected before completion: …", "Connection failed: …"               |
 * | `model_error`    | "We're currently experiencing high demand …", "unexpected status 400 …"         |
 *
 * Anything else is `turn_failed`. Pure: text in, cause out.
 *
 * @module
 */

/** A failure cause codexctl can name (each is a verdict reason of its own). */
export type FailureCause =
  | "usage_limit"
  | "rate_limit"
  | "context_window"
  | "auth_failed"
  | "network_error"
  | "model_error";

/** Every cause, in the order they are tested (the first that matches names the failure). */
export const FAILURE_CAUSES: readonly { cause: FailureCause; pattern: RegExp; what: string }[] = [
  {
    cause: "usage_limit",
    what: "Codex's usage limit (or quota) is reached",
    pattern:
      /usage limit|quota exceeded|insufficient_quota|out of credits|spend cap|purchase more credits|usage_not_included|upgrade to (plus|pro)\b/i,
  },
  {
    cause: "context_window",
    what: "the conversation no longer fits the model's context window",
    pattern: /context window|context_length_exceeded|maximum context length|ran out of room/i,
  },
  {
    cause: "auth_failed",
    what: "Codex could not authenticate with the model provider",
    pattern:
      /\b401\b|\b403\b|unauthori[sz]ed|forbidden|authenticat|invalid[_ ]api[_ ]key|api key|not logged in|log ?in again|refresh token|token (has )?expired|missing environment variable/i,
  },
  {
    cause: "rate_limit",
    what: "the model provider rate-limited Codex",
    pattern: /rate[ _-]?limit|too many requests|\b429\b/i,
  },
  {
    cause: "network_error",
    what: "the connection to the model provider failed",
    pattern:
      /stream disconnected|connection (failed|refused|reset|closed)|error (while )?(sending|reading)|request timed out|timed out|idle timeout|dns error|network|unreachable|reconnecting/i,
  },
  {
    cause: "model_error",
    what: "the model provider returned an error",
    pattern:
      /high demand|internal server error|server error|unexpected status|at capacity|overloaded|model .*not (found|exist)|invalid_request|bad request|\b5\d\d\b/i,
  },
];

/** The cause a Codex error message names, or null when it names none codexctl knows. */
export function failureCause(message: string | null | undefined): FailureCause | null {
  if (!message) return null;
  for (const c of FAILURE_CAUSES) if (c.pattern.test(message)) return c.cause;
  return null;
}

/** What a cause means, in words (for summaries). */
export function causeWords(cause: FailureCause): string {
  return FAILURE_CAUSES.find((c) => c.cause === cause)!.what;
}
