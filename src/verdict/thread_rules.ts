/**
 * Verdict rules decided by rollout evidence (the folded thread state). The rollout decides
 * working / stalled / turn ended / failed / interrupted (its status is judged in
 * `rollout_status.ts`); what Codex waits on is read from its pending tool calls. Proven against
 * recorded real rollouts in tests/verdict_thread_test.ts.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { Evidence } from "./evidence.ts";
import { blank, choiceVerdict, type Rule } from "./rule.ts";
import { next, targetFlag, waitCommand } from "./next.ts";
import { duration, transcriptTail } from "./text.ts";
import { type RolloutStatus, rolloutStatus, turnError, turnOpen } from "./rollout_status.ts";
import { finishedTurnVerdict } from "./completion.ts";

function rule(name: string, apply: (e: Evidence) => Verdict | null): Rule {
  return { name, source: "thread", apply };
}

/** The rollout's status (null: no rollout evidence). */
function status(e: Evidence): RolloutStatus | null {
  return e.thread ? rolloutStatus(e.thread.state) : null;
}

/** The verdict of an open turn Codex works on. */
function workingVerdict(e: Evidence): Verdict {
  const pending = Object.values(e.thread!.state.pending_calls)[0];
  return {
    ...blank(e),
    state: "working",
    reason: "working",
    summary: pending?.summary
      ? `Codex is working (running: ${pending.summary})`
      : "Codex is working on its turn",
    next_action: next("wait", waitCommand(e.target), "the turn is still open"),
  };
}

/** The marker to look for: the caller's, else the one the thread's own messages asked for. */
function markerOf(e: Evidence): string | null {
  return e.marker ?? e.thread?.state.marker ?? null;
}

/** Rollout rules, in order. */
export const THREAD_RULES: readonly Rule[] = [
  rule("thread.low_confidence", (e) => {
    if (!e.thread || e.thread.confidence !== "low") return null;
    return {
      ...blank(e),
      state: "no_signal",
      reason: "no_signal",
      summary: `The rollout format was not recognised; not inferring a status (${
        e.thread.warnings[0] ?? "low confidence"
      })`,
      next_action: next(
        "verify",
        `tail ${targetFlag(e.target)}`,
        "inspect the raw events; a newer Codex may have changed its rollout format",
      ),
    };
  }),
  rule("thread.process_exited", (e) => {
    if (e.process?.alive !== false) return null;
    const s = e.thread?.state;
    if (!turnOpen(s ?? null)) return null;
    return {
      ...blank(e),
      state: "exited",
      reason: "process_exited",
      summary: "The Codex process is gone while its turn was still open",
      transcript_tail: transcriptTail(s?.last_agent_message ?? null, markerOf(e)),
      next_action: next(
        "start",
        `start --task "<your task>" --slug <name>`,
        "Codex died; start it again (the thread can be resumed with codex resume)",
      ),
    };
  }),
  rule("thread.waiting_input", (e) => {
    const s = e.thread?.state;
    if (!s || status(e) !== "waiting_input") return null;
    return choiceVerdict(e, {
      questions: s.questions.map((q) => q.question),
      options: (s.questions[0]?.options ?? []).map((o, i) => ({
        key: String(i + 1),
        label: o.label,
        recommended: /recommended/i.test(o.label),
      })),
      why: "Codex is waiting for an answer to its question widget",
    }, targetFlag(e.target));
  }),
  rule("thread.approval_probable", (e) => {
    const s = e.thread?.state;
    if (!s || status(e) !== "waiting_approval_probable") return null;
    const call = Object.values(s.pending_calls).find((c) => c.escalated);
    return {
      ...blank(e),
      state: "permission_gate",
      reason: "approval_probable",
      summary: `Codex probably waits for approval to run: ${call?.summary ?? "an escalated command"}`,
      questions: call?.justification ? [call.justification] : [],
      next_action: next(
        "approve",
        `reply ${targetFlag(e.target)} --approve`,
        "an escalated command has no output yet; approval dialogs are not written to the rollout, so this is probable, not certain",
      ),
    };
  }),
  rule("thread.stalled", (e) => {
    const quiet = e.thread?.quiet_ms;
    if (status(e) !== "working" || quiet == null || e.stall_ms == null || quiet < e.stall_ms) return null;
    const working = workingVerdict(e);
    return {
      ...working,
      reason: "stalled",
      summary: `No rollout activity for ${duration(quiet)} while the turn is open (${working.summary})`,
      next_action: next("wait", waitCommand(e.target), "the turn is open but its rollout has gone silent"),
    };
  }),
  rule("thread.working", (e) => (status(e) === "working" ? workingVerdict(e) : null)),
  rule("thread.turn_failed", (e) => {
    const s = e.thread?.state;
    if (!s || status(e) !== "failed") return null;
    return {
      ...blank(e),
      state: "failed",
      reason: "turn_failed",
      summary: `The turn failed: ${turnError(s.last_turn) ?? "unknown error"}`,
      next_action: next(
        "answer",
        `send ${targetFlag(e.target)} --message "<retry or adjust the task>"`,
        "the model call failed; retry when the upstream recovers",
      ),
    };
  }),
  rule("thread.interrupted", (e) => {
    const s = e.thread?.state;
    if (!s || status(e) !== "aborted") return null;
    return {
      ...blank(e),
      state: "interrupted",
      reason: "interrupted",
      summary: `The turn was interrupted (${s.last_turn?.reason ?? "interrupted"})`,
      transcript_tail: transcriptTail(s.last_agent_message, markerOf(e)),
      next_action: next(
        "answer",
        `send ${targetFlag(e.target)} --message "<what to do next>"`,
        "Codex stopped before finishing; tell it how to continue",
      ),
    };
  }),
  rule("thread.plan_approval", (e) => {
    const s = e.thread?.state;
    if (
      !s || status(e) !== "completed" || !s.proposed_plan || s.plan_turn_id === null ||
      s.plan_turn_id !== s.last_turn?.id
    ) return null;
    return {
      ...blank(e),
      state: "awaiting_approval",
      reason: "plan_approval",
      summary: "Codex proposed a plan and waits for approval",
      plan: s.proposed_plan,
      transcript_tail: transcriptTail(s.last_agent_message, markerOf(e)),
      next_action: e.target.session
        ? next(
          "approve",
          `reply ${targetFlag(e.target)} --approve`,
          "approve the plan (or reply --reject / --text to change it)",
        )
        : next(
          "approve",
          `send ${targetFlag(e.target)} --message "Implement the plan."`,
          "a plan waits for approval; starting the next turn approves it",
        ),
    };
  }),
  rule("thread.completed", (e) => {
    const s = e.thread?.state;
    if (!s || status(e) !== "completed") return null;
    return finishedTurnVerdict(e, s.last_agent_message ?? "", markerOf(e));
  }),
  rule("thread.idle", (e) => {
    const s = e.thread?.state;
    if (!s || status(e) !== "idle") return null;
    return {
      ...blank(e),
      state: "idle",
      reason: "no_turn",
      summary: s.thread_id ? "The thread has no turn yet" : "The rollout has no session yet",
      transcript_tail: transcriptTail(s.last_agent_message, markerOf(e)),
      next_action: next("start", `send ${targetFlag(e.target)} --message "<task>"`, "nothing is running"),
    };
  }),
];
