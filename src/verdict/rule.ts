/**
 * What a verdict rule is, and the empty verdict every rule starts from.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { Evidence } from "./evidence.ts";

/** A rule: returns a verdict when it applies to the evidence, else null. */
export interface Rule {
  name: string;
  apply(evidence: Evidence): Verdict | null;
}

/** The verdict fields every rule starts from. */
export type VerdictBase = Pick<
  Verdict,
  "plan" | "questions" | "options" | "marker_found" | "artifacts" | "transcript_tail" | "thread"
>;

/** The base of every verdict: the fields that default to empty. */
export function blank(evidence: Evidence): VerdictBase {
  const t = evidence.thread;
  return {
    plan: null,
    questions: [],
    options: [],
    marker_found: false,
    artifacts: evidence.artifacts.map((a) => ({ ...a })),
    transcript_tail: "",
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
      : null,
  };
}
