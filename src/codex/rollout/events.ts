/**
 * The rollout event model: what one JSONL line of a Codex rollout becomes, whichever era wrote it
 * (codex.md §2.3) — at most one normalised {@linkcode RolloutEvent} — and the counters kept while
 * parsing for the compatibility report. The parsing lives in `parse.ts` (the shapes both eras
 * share), `legacy.ts` (Codex ≤ 0.130) and `paginated.ts` (0.150+); the first-bytes scan in `head.ts`.
 *
 * @module
 */
import type { ToolOutputFacts } from "./tool_output.ts";

/** Version of this parser, reported in the compatibility block. */
export const PARSER_VERSION = "1.1.0";

/** Token usage as the rollout reports it (missing numbers are 0). */
export interface RolloutUsage {
  input: number;
  cached_input: number;
  output: number;
  reasoning_output: number;
  total: number;
}

/** One question of a `request_user_input` call. */
export interface UserInputQuestion {
  id: string;
  header: string | null;
  question: string;
  options: { label: string; description: string | null }[];
}

/** One finding as Codex wrote it (lenient: a field of the wrong type reads as null). */
export interface CodexFinding {
  title: string | null;
  body: string | null;
  confidence_score: number | null;
  priority: number | null;
  absolute_file_path: string | null;
  start: number | null;
  end: number | null;
}

/** Codex's `ReviewOutputEvent`, as the rollout keeps it. Plain JSON (it rides in the fold). */
export interface CodexReviewOutput {
  findings: CodexFinding[];
  overall_correctness: string | null;
  overall_explanation: string | null;
  overall_confidence_score: number | null;
}

/** What a review turn looked at (`EnteredReviewMode.target`). */
export interface CodexReviewTarget {
  /** `uncommittedChanges`, `baseBranch`, `commit`, `custom`, or what a newer Codex writes. */
  type: string;
  branch: string | null;
  sha: string | null;
  title: string | null;
}

/** Where an event is: the line's timestamp in ms (null if absent) and its byte offset. */
export interface EventAt {
  ts: number | null;
  offset: number;
}

/** A normalised rollout event. `ts` is the line's timestamp in ms (null if absent), `offset` its byte offset. */
export type RolloutEvent =
  & EventAt
  & (
    | {
      k: "session_meta";
      id: string;
      cwd: string | null;
      originator: string | null;
      cli_version: string | null;
      source: string | null;
      history_mode: "legacy" | "paginated";
      forked_from: string | null;
    }
    | {
      k: "turn_context";
      turn_id: string | null;
      cwd: string | null;
      approval_policy: string | null;
      sandbox: string | null;
      model: string | null;
      collaboration_mode: string | null;
    }
    | {
      k: "settings";
      model: string | null;
      approval_policy: string | null;
      collaboration_mode: string | null;
      cwd: string | null;
    }
    | {
      k: "turn_started";
      turn_id: string | null;
      context_window: number | null;
      collaboration_mode: string | null;
      trigger: string | null;
    }
    | { k: "turn_complete"; turn_id: string | null; last_agent_message: string | null; error: string | null }
    | { k: "turn_aborted"; turn_id: string | null; reason: string }
    | { k: "user_message"; text: string }
    | { k: "agent_message"; text: string }
    | { k: "plan"; text: string }
    | { k: "activity"; what: string }
    | { k: "tool_call"; call_id: string; name: string; args: Record<string, unknown> | null }
    /** A tool's output; `facts` only when the reader was asked for them (`ReadThreadOptions.toolOutputs`). */
    | { k: "tool_output"; call_id: string; facts?: ToolOutputFacts }
    | { k: "tokens"; total: RolloutUsage | null; last: RolloutUsage | null; window: number | null }
    | { k: "goal"; objective: string | null; status: string }
    /** A review turn began (`entered_review_mode` / `EnteredReviewMode`). */
    | { k: "review_entered"; target: CodexReviewTarget | null; hint: string | null }
    /** A review turn ended with its output; null output: it was interrupted (`exited_review_mode` / `ExitedReviewMode`). */
    | { k: "review_exited"; output: CodexReviewOutput | null }
    | { k: "compacted" }
    /** A line that only proves activity at `ts` (a superseded setter, see `SETTERS`). */
    | { k: "tick" }
    | { k: "error"; message: string }
    | { k: "unknown"; type: string }
  );

/** Counters kept while parsing, for the compatibility report. */
export interface ParseStats {
  lines: number;
  /** Lines of a known kind (used or deliberately ignored). */
  known: number;
  /** Lines decided from their first bytes only. */
  head_only: number;
  invalid_json: number;
  /** Known kinds whose content did not have the expected shape. */
  malformed: number;
  /** Unknown kinds: `type` or `type/payload.type` → count (bounded, see `countUnknown`). */
  unknown: Record<string, number>;
  oversized: number;
}

/** Distinct unknown kinds counted by name; later ones are counted together under {@linkcode OTHER_UNKNOWN}. */
export const MAX_UNKNOWN_TYPES = 32;
/** Characters kept of an unknown kind's name. */
const MAX_UNKNOWN_NAME = 80;
/** Where unknown kinds beyond {@linkcode MAX_UNKNOWN_TYPES} are counted. */
export const OTHER_UNKNOWN = "<other>";

/**
 * Counts one line of the unknown kind `key` (bounded: a hostile file with a million made-up kinds
 * keeps {@linkcode MAX_UNKNOWN_TYPES} names and one count for the rest). Returns the name counted.
 */
export function countUnknown(stats: ParseStats, key: string): string {
  let name = key.length > MAX_UNKNOWN_NAME ? `${key.slice(0, MAX_UNKNOWN_NAME - 1)}…` : key;
  const counts = stats.unknown;
  if (!Object.hasOwn(counts, name) && Object.keys(counts).length >= MAX_UNKNOWN_TYPES) name = OTHER_UNKNOWN;
  // an own property even for names such as `__proto__` or `constructor`
  const value = (Object.hasOwn(counts, name) ? counts[name] : 0) + 1;
  Object.defineProperty(counts, name, { value, enumerable: true, writable: true, configurable: true });
  return name;
}

/** Fresh counters. */
export function newStats(): ParseStats {
  return { lines: 0, known: 0, head_only: 0, invalid_json: 0, malformed: 0, unknown: {}, oversized: 0 };
}
