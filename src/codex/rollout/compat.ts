/**
 * The compatibility report: how well this parser understood a rollout. A future Codex format
 * change is then reported ("low confidence, these types are unknown") instead of silently misread.
 *
 * @module
 */
import { PARSER_VERSION, type ParseStats } from "./events.ts";
import type { ThreadState } from "./fold.ts";

/** The `compatibility` block of status/tail/threads results. */
export interface Compatibility {
  parser_version: string;
  confidence: "high" | "low";
  history_mode: "legacy" | "paginated" | null;
  lines: number;
  known_lines: number;
  unknown_types: Record<string, number>;
  invalid_lines: number;
  malformed_lines: number;
  oversized_lines: number;
  warnings: string[];
}

/** Builds the report from parse counters and the folded state. */
export function compatibility(stats: ParseStats, state: ThreadState): Compatibility {
  const unknownLines = Object.values(stats.unknown).reduce((a, b) => a + b, 0);
  const warnings: string[] = [];
  if (stats.lines === 0) warnings.push("no events found");
  if (stats.lines > 0 && state.thread_id === null) {
    warnings.push("no session_meta line: this does not look like a Codex rollout");
  }
  if (unknownLines) {
    const types = Object.entries(stats.unknown).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([t, n]) =>
      `${t}×${n}`
    );
    warnings.push(`${unknownLines} line(s) of unknown type: ${types.join(", ")}`);
  }
  if (stats.invalid_json) warnings.push(`${stats.invalid_json} line(s) are not valid JSON objects`);
  if (stats.malformed) warnings.push(`${stats.malformed} known line(s) did not have the expected shape`);
  if (stats.oversized) warnings.push(`${stats.oversized} over-long line(s) skipped`);
  const bad = unknownLines + stats.invalid_json + stats.malformed;
  const low = stats.lines > 0 && (state.thread_id === null || bad > stats.known);
  return {
    parser_version: PARSER_VERSION,
    confidence: low ? "low" : "high",
    history_mode: state.history_mode,
    lines: stats.lines,
    known_lines: stats.known,
    unknown_types: { ...stats.unknown },
    invalid_lines: stats.invalid_json,
    malformed_lines: stats.malformed,
    oversized_lines: stats.oversized,
    warnings,
  };
}
