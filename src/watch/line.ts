/**
 * Watch lines: one compact v1 envelope per meaningful change, never longer than 500 characters
 * (Claude Code's Monitor tool cuts its notifications there). The full detail is one
 * `codexctl status …` away, named in every line.
 *
 * @module
 */
import { type Envelope, okEnvelope, type Verdict, type WatchEvent, WatchEventSchema } from "../envelope.ts";
import type { Transition } from "../codex/rollout/fold.ts";
import { clip } from "../verdict/text.ts";

/** The hard limit on one watch line. */
export const MAX_LINE = 500;

/** A change to report, before it is rendered into a line. */
export interface WatchItem {
  event: WatchEvent["event"];
  summary: string;
  /** Higher is more important when several are coalesced into one line. */
  priority: number;
}

/** What a fold transition means for a watcher. */
export function itemFromTransition(t: Transition): WatchItem {
  switch (t.t) {
    case "turn_started":
      return {
        event: "turn_started",
        summary: t.trigger === "goal" ? "A new turn started (goal continuation)" : "A new turn started",
        priority: 1,
      };
    case "turn_ended":
      if (t.end.outcome === "failed") {
        return {
          event: "turn_failed",
          summary: `The turn failed: ${t.end.error ?? "unknown error"}`,
          priority: 5,
        };
      }
      if (t.end.outcome === "aborted") {
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
          ? clip(t.last_agent_message, 300)
          : "The turn completed without a final message",
        priority: 5,
      };
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

/** Picks the line to write for a burst: the most important item (the latest among equals). */
export function coalesce(items: WatchItem[]): WatchItem & { coalesced: number } {
  let best = items[0];
  for (const item of items) if (item.priority >= best.priority) best = item;
  return { ...best, coalesced: items.length };
}

/** Renders one watch line (without the newline), shortening the summary until it fits. */
export function renderLine(
  item: WatchItem & { coalesced?: number },
  verdict: Verdict,
  ids: { session: string | null; thread: string | null },
  offset: number | null,
  detail: string,
): { envelope: Envelope; text: string } {
  const nextCommand = verdict.next_action.command;
  const full = item.summary.replace(/\s+/g, " ").trim();
  const build = (summary: string, withNext: boolean) => {
    const result = WatchEventSchema.parse({
      event: item.event,
      state: verdict.state,
      reason: verdict.reason,
      summary,
      thread: ids.thread,
      offset,
      next: withNext ? nextCommand : null,
      detail,
      ...(item.coalesced && item.coalesced > 1 ? { coalesced: item.coalesced } : {}),
    });
    const envelope = okEnvelope("watch", ids.session, result);
    return { envelope, text: JSON.stringify(envelope) };
  };
  for (const withNext of nextCommand !== null && nextCommand !== detail ? [true, false] : [false]) {
    const whole = build(full, withNext);
    if (whole.text.length <= MAX_LINE) return whole;
    // the longest cut of the summary that still fits (escaping makes the cost per character vary)
    let lo = 0;
    let hi = full.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (build(cut(full, mid), withNext).text.length <= MAX_LINE) lo = mid;
      else hi = mid - 1;
    }
    if (lo >= 40 || !withNext) return build(cut(full, lo), withNext);
  }
  return build("", false);
}

/** The first `n` characters of `text` with an ellipsis (no lone surrogate at the cut). */
function cut(text: string, n: number): string {
  if (n >= text.length) return text;
  if (n <= 1) return "…";
  let end = n - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? "")) end--;
  return text.slice(0, end) + "…";
}
