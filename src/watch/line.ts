/**
 * Watch lines: one compact v1 envelope per meaningful change, never longer than 500 characters
 * (Claude Code's Monitor tool cuts its notifications there). The full detail is one
 * `codexctl status …` away, named in every line.
 *
 * @module
 */
import {
  type Envelope,
  type FleetEvent,
  FleetEventSchema,
  okEnvelope,
  type Verdict,
  WatchEventSchema,
} from "../envelope.ts";
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
      ...(item.failure ? { failure: item.failure } : {}),
      ...(item.value ? { value: item.value } : {}),
    });
    const envelope = okEnvelope("watch", ids.session, result);
    return { envelope, text: JSON.stringify(envelope) };
  };
  // a failure or a value change is its summary (what failed, the new value): it keeps up to 200
  // characters before the verdict's next command does; other lines keep the command first
  const keep = item.event === "failure" || item.event === "value_changed" ? Math.min(full.length, 200) : 40;
  for (const withNext of nextCommand !== null && nextCommand !== detail ? [true, false] : [false]) {
    const fitted = fitSummary(full, (summary) => build(summary, withNext));
    if (fitted && (fitted.cut >= keep || !withNext)) return fitted.line;
  }
  return build("", false);
}

/**
 * The line `build` makes with the longest cut of `full` that keeps it within {@linkcode MAX_LINE}
 * (escaping makes the cost per character vary, hence the search), and how long that cut is; null
 * when even an empty summary does not fit.
 */
export function fitSummary(
  full: string,
  build: (summary: string) => { envelope: Envelope; text: string },
): { line: { envelope: Envelope; text: string }; cut: number } | null {
  const whole = build(full);
  if (whole.text.length <= MAX_LINE) return { line: whole, cut: full.length };
  if (build("").text.length > MAX_LINE) return null;
  let lo = 0;
  let hi = full.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (build(clip(full, mid, { flatten: false })).text.length <= MAX_LINE) lo = mid;
    else hi = mid - 1;
  }
  return { line: build(clip(full, lo, { flatten: false })), cut: lo };
}

/**
 * Renders one `watch --all` line (without the newline) within {@linkcode MAX_LINE}, shortening
 * the summary; null when it cannot fit even with no summary (too many targets in one line).
 */
export function renderFleetLine(
  result: FleetEvent,
  session: string | null,
): { envelope: Envelope; text: string } | null {
  const full = result.summary.replace(/\s+/g, " ").trim();
  return fitSummary(full, (summary) => {
    const envelope = okEnvelope("watch", session, FleetEventSchema.parse({ ...result, summary }));
    return { envelope, text: JSON.stringify(envelope) };
  })?.line ?? null;
}
