/**
 * What a verdict rule is, and the empty verdict every rule starts from.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { Evidence } from "./evidence.ts";
import { next } from "./next.ts";

/**
 * Which evidence decided a verdict: the rollout (`thread`), the Codex daemon, the screen, the pane
 * itself being gone, or a headless run (`exec`: its event stream, process and exit status).
 */
export type VerdictSource = "thread" | "daemon" | "screen" | "pane" | "exec";

/** A rule: returns a verdict when it applies to the evidence, else null. */
export interface Rule {
  /** `<source>.<what>`, e.g. `thread.completed` (tests name rules by it). */
  name: string;
  /** The evidence this rule reads to decide. */
  source: VerdictSource;
  apply(evidence: Evidence): Verdict | null;
}

/** The verdict fields every rule starts from. */
export type VerdictBase = Pick<
  Verdict,
  "plan" | "questions" | "options" | "marker_found" | "artifacts" | "transcript_tail" | "thread"
>;

/** A verdict base with nothing seen: no plan, question, option, marker, artifact, transcript or thread. */
export function nothingSeen(): VerdictBase {
  return {
    plan: null,
    questions: [],
    options: [],
    marker_found: false,
    artifacts: [],
    transcript_tail: "",
    thread: null,
  };
}

/**
 * The base of every verdict: the fields that default to empty. The thread facts come from the
 * rollout; before a headless run's rollout is found, from its exec stream's thread id.
 */
export function blank(evidence: Evidence): VerdictBase {
  const t = evidence.thread;
  const execThread = evidence.exec?.thread_id ?? null;
  return {
    ...nothingSeen(),
    artifacts: evidence.artifacts.map((a) => ({ ...a })),
    thread: t
      ? {
        id: t.state.thread_id ?? evidence.target.thread ?? "",
        rollout_path: t.rollout_path,
        cwd: t.state.cwd,
        model: t.state.model,
        tokens: t.state.tokens
          ? {
            input: t.state.tokens.input,
            cached_input: t.state.tokens.cached_input,
            output: t.state.tokens.output,
            reasoning_output: t.state.tokens.reasoning_output,
            total: t.state.tokens.total,
          }
          : null,
        context_pct: t.state.context_pct,
      }
      : execThread
      ? { id: execThread, rollout_path: null, cwd: null, model: null, tokens: null, context_pct: null }
      : null,
  };
}

/** What a multiple-choice question looks like, wherever it was read (rollout, daemon, screen). */
export interface ChoiceQuestion {
  questions: string[];
  options: { key: string; label: string; recommended: boolean }[];
  /** Why the caller should answer, for `next_action.why`. */
  why: string;
  /** Appended to the suggested reply command (e.g. the daemon's `--item KEY`). */
  suffix?: string;
}

/**
 * The `awaiting_clarification/multiple_choice` verdict: the first question in the summary, the
 * recommended option (else 1) in the suggested `reply --choice`, or `--text` when there are no
 * options.
 */
export function choiceVerdict(e: Evidence, q: ChoiceQuestion, flag: string): Verdict {
  const pick = q.options.find((o) => o.recommended)?.key ?? "1";
  const suffix = q.suffix ?? "";
  return {
    ...blank(e),
    state: "awaiting_clarification",
    reason: "multiple_choice",
    summary: `Codex asks: ${q.questions[0] ?? "a question"}`,
    questions: q.questions,
    options: q.options.map((o) => ({ ...o })),
    next_action: q.options.length
      ? next("choose", `reply ${flag} --choice ${pick}${suffix}`, q.why)
      : next("answer", `reply ${flag} --text "<answer>"${suffix}`, q.why),
  };
}
