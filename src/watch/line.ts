/**
 * Watch lines: one compact v1 envelope per meaningful change, never longer than 500 characters
 * (Claude Code's Monitor tool cuts its notifications there). The full detail is one
 * `codexctl status …` away, named in every line.
 *
 * @module
 */
import { type Envelope, okEnvelope, type Verdict, WatchEventSchema } from "../envelope.ts";
import type { Change } from "../verdict/change.ts";
import { clip } from "../text.ts";

/** The hard limit on one watch line. */
export const MAX_LINE = 500;

/** Renders one watch line (without the newline), shortening the summary until it fits. */
export function renderLine(
  item: Change & { coalesced?: number },
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
      if (build(clip(full, mid, { flatten: false }), withNext).text.length <= MAX_LINE) lo = mid;
      else hi = mid - 1;
    }
    if (lo >= 40 || !withNext) return build(clip(full, lo, { flatten: false }), withNext);
  }
  return build("", false);
}
