/**
 * Verdict rules decided by the screen: what exists only on screen (the folder-trust or update
 * dialog, the approval dialog, the question widget, the plan menu) — and, when no rollout is
 * bound, the herdr plugin's screen classification as the fallback. Proven on recorded real TUI
 * screens in tests/verdict_session_test.ts.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { Evidence } from "./evidence.ts";
import { blank, choiceVerdict, type Rule } from "./rule.ts";
import { next, targetFlag, waitCommand } from "./next.ts";
import {
  liveLines,
  looksDone,
  readScreen,
  type ScreenFacts,
  screenOptions,
  screenPlan,
  screenQuestions,
  soundsUncertain,
  trailingError,
  turnEnded,
  turnLines,
} from "./screen.ts";
import { causeWords, failureCause } from "./failure_cause.ts";
import { screenTranscript } from "./transcript.ts";
import { clip } from "../text.ts";
import { markerPrinted } from "./text.ts";
import { completionVerdict } from "./completion.ts";

function rule(name: string, apply: (e: Evidence, f: ScreenFacts) => Verdict | null): Rule {
  return {
    name,
    source: "screen",
    apply(e) {
      if (!e.pane || !e.pane.alive) return null;
      return apply(e, readScreen(e.pane.screen));
    },
  };
}

const tail = (
  e: Evidence,
) => (e.pane?.recent
  ? screenTranscript(e.pane.recent, e.marker)
  : screenTranscript(e.pane?.screen ?? "", e.marker));

/** A pane that is gone: Codex exited or the pane was closed. */
export const PANE_GONE: Rule = {
  name: "pane.gone",
  source: "pane",
  apply(e) {
    if (!e.pane || e.pane.alive) return null;
    return {
      ...blank(e),
      state: "exited",
      reason: "pane_gone",
      summary: "Codex is gone: its pane closed or its process exited",
      transcript_tail: e.pane.screen ? screenTranscript(e.pane.screen, e.marker) : "",
      next_action: next(
        "start",
        `start --task "<your task>" --slug <name>`,
        "the Codex of this session no longer runs; codexctl end cleans up",
      ),
    };
  },
};

/** The folder-trust or update dialog: before Codex runs, only the screen knows about it. */
export const TRUST_DIALOG: Rule = rule("screen.trust_dialog", (e, f) => {
  if (!f.trust && !f.update) return null;
  return {
    ...blank(e),
    state: "awaiting_approval",
    reason: "trust_dialog",
    summary: f.trust
      ? "Codex asks whether to trust this folder before it starts"
      : "Codex shows an update dialog",
    options: f.options.map((o) => ({ ...o })),
    next_action: next(
      "choose",
      `reply ${targetFlag(e.target)} --choice 1`,
      f.trust ? "1 trusts the folder and continues" : "choose an option of the dialog",
    ),
  };
});

/** The other dialogs that exist only on screen, in order (they run before the rollout rules). */
export const SCREEN_RULES: readonly Rule[] = [
  rule("screen.approval_dialog", (e, f) => {
    if (!f.approval) return null;
    return {
      ...blank(e),
      state: "permission_gate",
      reason: "permission_request",
      summary: f.approval.command
        ? `Codex asks for approval to run: ${f.approval.command}`
        : "Codex asks for approval",
      questions: f.approval.reason ? [f.approval.reason] : [],
      options: f.options.map((o) => ({ ...o })),
      next_action: next(
        "approve",
        `reply ${targetFlag(e.target)} --approve`,
        "approve runs it once; --reject declines; --choice 2 also allows similar commands",
      ),
    };
  }),
  rule("screen.question_widget", (e, f) => {
    if (!f.widget) return null;
    const fromRollout = e.thread?.state.questions ?? [];
    return choiceVerdict(e, {
      questions: fromRollout.length
        ? fromRollout.map((q) => q.question)
        : f.widget.question
        ? [f.widget.question]
        : [],
      options: f.options,
      why: "Codex's question widget waits for a choice (or --text for free text)",
    }, targetFlag(e.target));
  }),
  rule("screen.plan_menu", (e, f) => {
    if (!f.planMenu) return null;
    const plan = e.thread?.state.proposed_plan ??
      (e.pane?.recent ? screenPlan(e.pane.recent) : screenPlan(e.pane!.screen));
    return {
      ...blank(e),
      state: "awaiting_approval",
      reason: "plan_approval",
      summary: "Codex proposed a plan and asks whether to implement it",
      plan,
      options: f.options.map((o) => ({ ...o })),
      next_action: next(
        "approve",
        `reply ${targetFlag(e.target)} --approve`,
        "approve implements the plan; --reject stays in Plan mode; --text asks for changes",
      ),
    };
  }),
];

/** The herdr plugin's screen classification, used only when no rollout is bound. */
export const SCREEN_FALLBACK: Rule = rule("screen.fallback", (e, f) => {
  if (e.thread) return null;
  const status = e.pane!.status ?? (f.working ? "working" : "idle");
  const lines = liveLines(e.pane!.screen);
  if (status === "blocked") {
    return {
      ...blank(e),
      state: "permission_gate",
      reason: "permission_request",
      summary: "Codex is blocked on something that needs a person",
      options: f.options.map((o) => ({ ...o })),
      next_action: next(
        "approve",
        `reply ${targetFlag(e.target)} --approve`,
        "herdr reports the pane blocked",
      ),
    };
  }
  if (status !== "idle" && status !== "done") {
    return {
      ...blank(e),
      state: "working",
      reason: "working",
      summary: "Codex is working",
      next_action: next("wait", waitCommand(e.target), "the turn is still running"),
    };
  }
  const transcript = tail(e);
  // only Codex's own lines of the last turn count: never the user's words (the prompt echo)
  const turn = turnLines(lines);
  const error = trailingError(turn);
  if (error !== null) return screenFailure(e, error, transcript);
  const marker = e.marker;
  const markerFound = marker !== null && markerPrinted(turn.join("\n"), marker);
  const ended = turnEnded(turn);
  // the marker is Codex saying it finished (it wins, as for a rollout); the expected files alone prove nothing while the turn may still run
  const done = completionVerdict(ended ? e : { ...e, artifacts: markerFound ? e.artifacts : [] }, {
    markerFound,
    transcript,
  });
  if (done) return { ...done, artifacts: blank(e).artifacts };
  const questions = screenQuestions(turn);
  if (questions.length) {
    return {
      ...blank(e),
      state: "awaiting_clarification",
      reason: "free_text_question",
      summary: `Codex asks: ${questions.at(-1)}`,
      questions,
      transcript_tail: transcript,
      next_action: next(
        "answer",
        `reply ${targetFlag(e.target)} --text "<answer>"`,
        "Codex ended its turn with a question",
      ),
    };
  }
  const numbered = screenOptions(turn).filter((o) => !/\?\s*$/.test(o.label));
  if (numbered.length >= 2) {
    return {
      ...blank(e),
      state: "awaiting_clarification",
      reason: "multiple_choice",
      summary: "Codex offers numbered options",
      options: numbered,
      transcript_tail: transcript,
      next_action: next(
        "choose",
        `reply ${targetFlag(e.target)} --choice 1`,
        "pick one of the numbered options",
      ),
    };
  }
  const base = { ...blank(e), marker_found: markerFound, transcript_tail: transcript };
  if (ended && looksDone(turn)) {
    return {
      ...base,
      state: "completed",
      reason: "reported_done",
      summary: `Codex reports it is done: ${clip(transcript, 150, { words: true })}`,
      next_action: next(
        "verify",
        `status ${targetFlag(e.target)}`,
        "done by its own words; no marker, no rollout: verify",
      ),
    };
  }
  return {
    ...base,
    state: "no_signal",
    reason: "no_signal",
    summary: "Codex stopped without a marker, a question or a menu",
    next_action: next(
      "verify",
      `status ${targetFlag(e.target)}`,
      soundsUncertain(turn)
        ? "Codex sounds unsure; read the transcript"
        : "nothing on screen says what happened; read the transcript",
    ),
  };
});

/** The verdict of a turn that ended on a `■` line: interrupted, or failed (the cause Codex named in the summary). */
function screenFailure(e: Evidence, error: string, transcript: string): Verdict {
  if (/^Conversation interrupted/i.test(error)) {
    return {
      ...blank(e),
      state: "interrupted",
      reason: "interrupted",
      summary: `The turn was interrupted: ${clip(error, 120, { words: true })}`,
      transcript_tail: transcript,
      next_action: next(
        "answer",
        `send ${targetFlag(e.target)} --message "<what to do next>"`,
        "Codex stopped before finishing; tell it how to continue",
      ),
    };
  }
  // turn_failed, as the rollout's rule says for the same TUI turn; the cause Codex named in words
  const cause = failureCause(error);
  return {
    ...blank(e),
    state: "failed",
    reason: "turn_failed",
    summary: cause
      ? `The turn failed: ${causeWords(cause)} (Codex: ${clip(error, 120, { words: true })})`
      : `The turn failed: ${clip(error, 160, { words: true })}`,
    transcript_tail: transcript,
    next_action: next(
      "answer",
      `send ${targetFlag(e.target)} --message "<retry or adjust the task>"`,
      "Codex ended the turn with an error; retry when the cause is gone",
    ),
  };
}
