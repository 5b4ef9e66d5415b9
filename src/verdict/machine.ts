/**
 * The verdict state machine: one evidence snapshot in, one verdict out. Pure: no IO, no clock
 * (the snapshot carries `now`). Rules are tried in order; the first that applies decides.
 *
 * Rules from rollout evidence live in `thread_rules.ts`, next to the fixtures that prove them
 * (tests/verdict_thread_test.ts).
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { Evidence } from "./evidence.ts";
import { blank, type Rule, type VerdictSource } from "./rule.ts";
import { THREAD_RULES } from "./thread_rules.ts";
import { PANE_GONE, SCREEN_FALLBACK, SCREEN_RULES, TRUST_DIALOG } from "./screen_rules.ts";
import { DAEMON_RULES } from "./daemon_rules.ts";
import { EXEC_RULES } from "./exec_rules.ts";
import { clip } from "../text.ts";
import { endOpenSession, next, statusCommand } from "./next.ts";

/**
 * Every rule, in the order they are tried: a gone pane; the folder-trust/update dialog (before
 * Codex runs, only the screen knows it); the Codex daemon's pending request (exact, when
 * reachable); the other screen-only dialogs; a headless run (its exec stream and process decide
 * everything about it); the rollout (which decides working / ended / failed / interrupted and what
 * Codex waits on); the screen classification as the fallback when no rollout is bound.
 */
export const RULES: readonly Rule[] = [
  PANE_GONE,
  TRUST_DIALOG,
  ...DAEMON_RULES,
  ...SCREEN_RULES,
  ...EXEC_RULES,
  ...THREAD_RULES,
  SCREEN_FALLBACK,
];

/** One decision: the verdict, the rule that fired, and the evidence that decided (null: none did). */
export interface Decision {
  verdict: Verdict;
  rule: string;
  source: VerdictSource | null;
}

/**
 * Decides the verdict for one evidence snapshot. Called by `src/observe/` only (which gathers the
 * evidence); everything else reads its decisions.
 */
export function decide(evidence: Evidence): Decision {
  // a rollout whose format is not understood must not decide; with a pane, the screen does
  if (evidence.thread?.confidence === "low" && evidence.pane) evidence = { ...evidence, thread: null };
  for (const rule of RULES) {
    const verdict = rule.apply(evidence);
    if (verdict) {
      return {
        verdict: endOpenSession(
          { ...verdict, summary: clip(verdict.summary, 200, { words: true }) },
          evidence,
        ),
        rule: rule.name,
        source: rule.source,
      };
    }
  }
  return {
    rule: "fallback",
    source: null,
    verdict: {
      ...blank(evidence),
      state: "no_signal",
      reason: "no_signal",
      summary: "No evidence about this Codex yet",
      next_action: next(
        "verify",
        statusCommand(evidence.target).replace(/^codexctl /, ""),
        "nothing is known yet; look again",
      ),
    },
  };
}
