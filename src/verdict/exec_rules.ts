/**
 * Verdict rules decided by a headless run (`start --via exec`): its event stream, its process
 * (alive, by pid and start time; how it exited) and, when known, its rollout. They decide every
 * verdict of an exec session, so nothing else (no screen, no pane) is consulted:
 *
 * - a review run (`codexctl review`) whose turn completed with a review is `completed/review_done`,
 *   its summary the review in one line; every verdict of a review run carries `review` (null while
 *   it runs, or when it ended without one);
 * - a terminal event decides first: `turn.completed` is a finished turn (marker / artifacts / a
 *   trailing question / turn_complete, as for panes; `output_invalid` when an `--output-schema`
 *   result does not match), `turn.failed` is `failed` with the cause Codex named;
 * - a run whose process is gone without a terminal event (Codex prints none when interrupted or
 *   killed) is `interrupted` when it was interrupted (SIGINT/SIGTERM, or the rollout's
 *   `turn_aborted`), `failed` when it died before its turn saying why, else `exited`;
 * - a live process is `working` (`stalled` once its stream has been silent for the stall time) —
 *   and only a live one: a dead process is never working.
 *
 * Every verdict carries Codex's final message whole (`final_message`, up to 64 Ki characters, and
 * `final_message_path` when it is longer). Proven against real `codex exec` runs in
 * tests/exec_verdict_test.ts and tests/exec_session_test.ts.
 *
 * @module
 */
import type { Review, Verdict } from "../envelope.ts";
import type { Evidence, ExecEvidence } from "./evidence.ts";
import { blank, type Rule } from "./rule.ts";
import { next, targetFlag, waitCommand } from "./next.ts";
import { clip } from "../text.ts";
import { duration, transcriptTail } from "./text.ts";
import { finishedTurnVerdict } from "./completion.ts";
import { causeWords, type FailureCause, failureCause } from "./failure_cause.ts";
import { rolloutStatus } from "./rollout_status.ts";

/** An exec rule; a review run's verdicts all carry its review (null while it runs or without one). */
function rule(name: string, apply: (e: Evidence, x: ExecEvidence) => Verdict | null): Rule {
  return {
    name,
    source: "exec",
    apply: (e) => {
      if (!e.exec) return null;
      const v = apply(e, e.exec);
      return v && e.review ? { ...v, review: e.review.review } : v;
    },
  };
}

/** A review in one line: the verdict, how many findings at which priorities. */
function reviewSummary(r: Review): string {
  const counts = new Map<string, number>();
  for (const f of r.findings) {
    const p = f.priority === null ? "P?" : `P${f.priority}`;
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const n = r.findings.length;
  const found = n === 0
    ? "no findings"
    : `${n} finding${n === 1 ? "" : "s"} (${[...counts].map(([p, c]) => `${p}: ${c}`).join(", ")})`;
  const hidden = r.hidden ? `, ${r.hidden} below P${r.min_priority} not shown` : "";
  const verdict = r.overall_correctness ? `${clip(r.overall_correctness, 60)} — ` : "";
  return clip(`Review done: ${verdict}${found}${hidden}`, 200);
}

/** The process is known to be gone. */
function gone(e: Evidence): boolean {
  return e.process?.alive === false;
}

/** The command that continues the session's thread with a new run. */
function sendCommand(e: Evidence, message: string): string {
  return `send ${targetFlag(e.target)} --message "${message}"`;
}

/** The final message (and, with `--output-schema`, the parsed output) every exec verdict carries. */
function withMessage(x: ExecEvidence, v: Verdict): Verdict {
  const out: Verdict = {
    ...v,
    final_message: x.last_agent_message,
    final_message_path: x.message_path,
  };
  if (x.output) {
    out.output = x.output.value;
    out.output_errors = x.output.errors;
  }
  return out;
}

/** How the process ended, in words ("exited with code 1", "was killed by SIGKILL"). */
function howItEnded(e: Evidence): string {
  const exit = e.process?.exit;
  if (!exit) return "is gone";
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? "unknown"}`;
}

/** The last non-empty line of stderr, cut to a summary's size. */
function lastLine(text: string | null): string | null {
  const line = (text ?? "").split("\n").map((l) => l.trim()).filter(Boolean).at(-1);
  return line ? clip(line, 140, { words: true }) : null;
}

/** What to do about a failure, by cause. */
function failureNext(e: Evidence, cause: FailureCause | null): Verdict["next_action"] {
  switch (cause) {
    case "usage_limit":
      return next(
        "wait",
        sendCommand(e, "Continue."),
        "Codex's usage limit is reached; continue once it resets (Codex's message says when)",
      );
    case "rate_limit":
      return next(
        "wait",
        sendCommand(e, "Continue."),
        "the provider rate-limited Codex; continue in a moment",
      );
    case "context_window":
      return next(
        "start",
        `start --via exec --task "<the task, with what is done so far>"`,
        "the thread no longer fits the model's context window; start a new session",
      );
    case "auth_failed":
      return next(
        "verify",
        "doctor",
        "Codex could not authenticate; log it in again (codex login) or fix the provider key, then send again",
      );
    default:
      return next(
        "answer",
        sendCommand(e, "<retry or adjust the task>"),
        "the turn failed; send resumes the same thread with a new run",
      );
  }
}

/** The failed verdict for a message Codex gave (its cause named when codexctl knows it). */
function failed(e: Evidence, x: ExecEvidence, message: string, cause: FailureCause | null): Verdict {
  return withMessage(x, {
    ...blank(e),
    state: "failed",
    reason: cause ?? "turn_failed",
    summary: cause
      ? `The turn failed: ${causeWords(cause)} (Codex: ${clip(message, 120, { words: true })})`
      : `The turn failed: ${clip(message, 160, { words: true })}`,
    transcript_tail: transcriptTail(x.last_agent_message, e.marker),
    next_action: failureNext(e, cause),
  });
}

/** Exec rules, in order. */
export const EXEC_RULES: readonly Rule[] = [
  rule("exec.reviewed", (e, x) => {
    if (x.turn !== "completed" || !e.review?.review) return null;
    const r = e.review.review;
    return withMessage(x, {
      ...blank(e),
      state: "completed",
      reason: "review_done",
      summary: reviewSummary(r),
      transcript_tail: transcriptTail(x.last_agent_message, null),
      next_action: r.findings.length
        ? next(
          "verify",
          sendCommand(e, "<the finding you dispute, and why>"),
          "check each finding against the code: fix the real ones, send back the ones you dispute (Codex keeps this review in its thread)",
        )
        : next("nothing", null, "Codex found nothing to report"),
    });
  }),
  rule("exec.completed", (e, x) => {
    if (x.turn !== "completed") return null;
    const message = x.last_agent_message ?? "";
    const v = finishedTurnVerdict(e, message, e.marker, {
      end: x.message_tail ?? message,
      answer: sendCommand(e, "<answer>"),
    });
    const wrong = x.output?.errors ?? [];
    if (v.state === "completed" && wrong.length) {
      return withMessage(x, {
        ...v,
        reason: "output_invalid",
        summary: `The turn completed but its final message does not match --output-schema: ${wrong[0]}`,
        next_action: next(
          "answer",
          sendCommand(e, "<ask for output that matches the schema>"),
          "the result is not the structured output the schema asks for",
        ),
      });
    }
    return withMessage(x, v);
  }),
  rule("exec.failed", (e, x) => {
    if (x.turn !== "failed") return null;
    const message = x.error ?? "the turn failed";
    return failed(e, x, message, failureCause(message));
  }),
  rule("exec.interrupted", (e, x) => {
    if (!gone(e) || x.turn !== "started") return null;
    const signal = e.process?.exit?.signal ?? null;
    const aborted = e.thread ? rolloutStatus(e.thread.state) === "aborted" : false;
    if (!aborted && signal !== "SIGINT" && signal !== "SIGTERM") return null;
    return withMessage(x, {
      ...blank(e),
      state: "interrupted",
      reason: "interrupted",
      summary: `The run was interrupted before its turn ended (Codex ${howItEnded(e)})`,
      transcript_tail: transcriptTail(x.last_agent_message, e.marker),
      next_action: next(
        "answer",
        sendCommand(e, "<what to do next>"),
        "Codex stopped before finishing; send resumes the same thread",
      ),
    });
  }),
  rule("exec.start_failed", (e, x) => {
    if (!gone(e) || x.turn !== null) return null;
    const message = x.error ?? lastLine(x.stderr_tail);
    const cause = failureCause(x.error) ?? failureCause(x.stderr_tail);
    if (!cause || !message) return null;
    return failed(e, x, message, cause);
  }),
  rule("exec.exited", (e, x) => {
    if (!gone(e)) return null;
    const said = x.turn === null ? lastLine(x.error ?? x.stderr_tail) : null;
    return withMessage(x, {
      ...blank(e),
      state: "exited",
      reason: "process_exited",
      summary: x.turn === null
        ? `Codex ${howItEnded(e)} before its turn started${said ? `: ${said}` : ""}`
        : `Codex ${howItEnded(e)} while its turn was still open`,
      transcript_tail: transcriptTail(x.last_agent_message, e.marker),
      next_action: x.thread_id
        ? next(
          "answer",
          sendCommand(e, "Continue where you stopped."),
          "Codex is gone; send resumes its thread",
        )
        : next(
          "start",
          `start --via exec --task "<your task>"`,
          "Codex never started a thread; fix what it said and start again",
        ),
    });
  }),
  rule("exec.stalled", (e, x) => {
    const quiet = x.quiet_ms;
    if (gone(e) || quiet == null || e.stall_ms == null || quiet < e.stall_ms) return null;
    return withMessage(x, {
      ...blank(e),
      state: "working",
      reason: "stalled",
      summary: `No output from Codex for ${duration(quiet)} while its run is alive`,
      transcript_tail: transcriptTail(x.last_agent_message, e.marker),
      next_action: next("wait", waitCommand(e.target), "the run is alive but has gone silent"),
    });
  }),
  rule("exec.working", (e, x) => {
    if (gone(e)) return null;
    return withMessage(x, {
      ...blank(e),
      state: "working",
      reason: "working",
      summary: x.running
        ? `Codex is working (running: ${clip(x.running, 120)})`
        : x.error && /reconnecting/i.test(x.error)
        ? `Codex is retrying: ${clip(x.error, 150)}`
        : x.turn === null
        ? "Codex is starting"
        : "Codex is working on its turn",
      transcript_tail: transcriptTail(x.last_agent_message, e.marker),
      next_action: next("wait", waitCommand(e.target), "the run is still going"),
    });
  }),
];
