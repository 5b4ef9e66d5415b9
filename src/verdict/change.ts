/**
 * What counts as "a change", defined once for every watcher (`watch --thread`, `watch --session`,
 * the Claude Code hooks):
 *
 * - a rollout event worth a line — a fold transition (turn started or ended, a question, a probable
 *   approval, a goal update) — becomes a {@linkcode Change} through {@linkcode transitionChange};
 *   a failure in new tool output (`tool_failure.ts`) through {@linkcode failureChange};
 * - a verdict is a new change when its {@linkcode verdictSignature} differs from the last one
 *   reported: state, reason, questions, option keys, marker, plan and turn number (so a second
 *   finished turn is news even if nobody looked while Codex worked), and the stall;
 * - a gate is the same gate while its {@linkcode gateSignature} holds (its text included), so an
 *   answer is never given to a gate that changed since it was read.
 *
 * @module
 */
import type { Verdict, WatchEvent } from "../envelope.ts";
import type { Transition } from "../codex/rollout/fold.ts";
import { fnv64 } from "../names.ts";
import { clip } from "../text.ts";
import { turnError, turnOutcome } from "./rollout_status.ts";
import { isAwaiting, isStalled } from "./states.ts";
import type { ToolFailure } from "./tool_failure.ts";

/** A change to report, before it is rendered. */
export interface Change {
  event: WatchEvent["event"];
  summary: string;
  /** Higher is more important when several are coalesced into one report. */
  priority: number;
  /** `failure`: what failed (the line's `failure`). */
  failure?: NonNullable<WatchEvent["failure"]>;
  /** `value_changed`: the watched file and its new value (the line's `value`). */
  value?: NonNullable<WatchEvent["value"]>;
}

/** What a failure in a tool's output (`tool_failure.ts`) means for a watcher. */
export function failureChange(f: ToolFailure): Change {
  return {
    event: "failure",
    summary: f.summary,
    priority: 5,
    failure: { kind: f.kind, exit_code: f.exit_code },
  };
}

/** The fold transitions that are changes by themselves (a tool output is judged by `tool_failure.ts`). */
export type ChangeTransition = Exclude<Transition, { t: "tool_output" }>;

/** What a fold transition means for a watcher. */
export function transitionChange(t: ChangeTransition): Change {
  switch (t.t) {
    case "turn_started":
      return {
        event: "turn_started",
        summary: t.trigger === "goal" ? "A new turn started (goal continuation)" : "A new turn started",
        priority: 1,
      };
    case "turn_ended": {
      const outcome = turnOutcome(t.end);
      if (outcome === "failed") {
        return {
          event: "turn_failed",
          summary: `The turn failed: ${turnError(t.end) ?? "unknown error"}`,
          priority: 5,
        };
      }
      if (outcome === "aborted") {
        return {
          event: "turn_aborted",
          summary: `The turn was interrupted (${t.end.reason ?? "interrupted"})`,
          priority: 5,
        };
      }
      if (t.plan) {
        return {
          event: "plan_proposed",
          summary: `Codex proposed a plan (${t.plan.split("\n").length} lines) and waits for approval`,
          priority: 5,
        };
      }
      return {
        event: "turn_completed",
        summary: t.last_agent_message
          ? clip(t.last_agent_message, 300, { words: true })
          : "The turn completed without a final message",
        priority: 5,
      };
    }
    case "waiting_input": {
      const q = t.questions[0];
      const options = q?.options.map((o, i) => `${i + 1}. ${o.label}`).join(", ");
      return {
        event: "waiting_input",
        summary: `Codex asks: ${q?.question ?? "a question"}${options ? ` (${options})` : ""}`,
        priority: 6,
      };
    }
    case "approval_probable":
      return {
        event: "approval_probable",
        summary: `Approval probably needed to run: ${t.command ?? "an escalated command"}`,
        priority: 6,
      };
    case "goal":
      return { event: "goal", summary: `Goal ${t.status}: ${t.objective ?? "(no objective)"}`, priority: 3 };
  }
}

/** Picks the change to report for a burst: the most important one (the latest among equals). */
export function coalesce(changes: Change[]): Change & { coalesced: number } {
  let best = changes[0];
  for (const c of changes) if (c.priority >= best.priority) best = c;
  return { ...best, coalesced: changes.length };
}

/**
 * The signature of a verdict: `<state>/<reason>[/stalled]#<hash of the rest>`, where the rest is
 * the questions, option keys, marker, whether a plan is present, the turn number and the stall. A
 * stalled turn is signed as `working/working/stalled`, the form the hooks' cursor indexes have
 * always stored (so an upgrade does not re-deliver a stall).
 */
export function verdictSignature(verdict: Verdict, turn: number): string {
  const stalled = isStalled(verdict);
  const rest = JSON.stringify([
    verdict.questions,
    verdict.options.map((o) => o.key),
    verdict.marker_found,
    verdict.plan !== null && verdict.plan !== "",
    turn,
    stalled,
  ]);
  const reason = stalled ? "working/stalled" : verdict.reason;
  return `${verdict.state}/${reason}#${fnv64(rest)}`;
}

/** What a pending gate looks like, to refuse answering one that changed since it was read (null: no gate). */
export function gateSignature(verdict: Verdict): string | null {
  if (!isAwaiting(verdict)) return null;
  // the same gate read off the screen or from the daemon must give the same signature
  return JSON.stringify([verdict.state, verdict.reason, verdict.questions, verdict.summary]);
}
