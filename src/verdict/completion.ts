/**
 * The completion rule, written once for every source that can show a finished task (the rollout's
 * final message, a headless run's final message, the screen when no rollout is bound): the
 * completion marker printed on its own line is `marker_verified` when every `--expect` file exists
 * and `marker_unverified` when one is missing; without the marker, every expected file present is
 * `artifacts_present`. A turn that ended otherwise ({@linkcode finishedTurnVerdict}) asks a question
 * when its final message ends with one, else it is `turn_complete`.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import type { Evidence } from "./evidence.ts";
import { blank } from "./rule.ts";
import { next, targetFlag } from "./next.ts";
import { clip } from "../text.ts";
import { markerPrinted, trailingQuestions, transcriptTail } from "./text.ts";

/** What the source showed: whether the marker was printed, and the transcript tail it ended with. */
export interface Finish {
  markerFound: boolean;
  transcript: string;
}

/** The completion verdict the marker and the expected files decide, or null when neither does. */
export function completionVerdict(e: Evidence, f: Finish): Verdict | null {
  const missing = e.artifacts.filter((a) => !a.exists);
  const base = { ...blank(e), marker_found: f.markerFound, transcript_tail: f.transcript };
  if (f.markerFound && missing.length) {
    return {
      ...base,
      state: "completed",
      reason: "marker_unverified",
      summary: `Codex printed the marker but ${missing.length} expected file(s) are missing: ${
        missing.map((a) => a.path).join(", ")
      }`,
      next_action: next(
        "verify",
        `status ${targetFlag(e.target)}${e.artifacts.map((a) => ` --expect ${a.path}`).join("")}`,
        "check the missing files",
      ),
    };
  }
  if (f.markerFound) {
    return {
      ...base,
      state: "completed",
      reason: "marker_verified",
      summary: `Codex finished and printed the marker: ${clip(f.transcript, 150, { words: true })}`,
      next_action: next(
        "nothing",
        null,
        e.artifacts.length ? "marker printed and every expected file exists" : "marker printed",
      ),
    };
  }
  if (e.artifacts.length && !missing.length) {
    return {
      ...base,
      state: "completed",
      reason: "artifacts_present",
      summary: `The turn ended and every expected file exists: ${clip(f.transcript, 120, { words: true })}`,
      next_action: next("verify", null, "no marker, but the expected files exist; review them"),
    };
  }
  return null;
}

/** Options of {@linkcode finishedTurnVerdict}. */
export interface FinishedTurn {
  /** The message's end, when `message` holds only its start (the marker and questions come last). */
  end?: string;
  /** The command that answers a question (default: `reply <target> --text "<answer>"`). */
  answer?: string;
}

/**
 * The verdict of a turn that ended normally, from its final message: the completion rule above;
 * else `awaiting_clarification/free_text_question` when the message ends with a question; else
 * `completed/turn_complete`.
 */
export function finishedTurnVerdict(
  e: Evidence,
  message: string,
  marker: string | null,
  o: FinishedTurn = {},
): Verdict {
  const end = o.end ?? message;
  const markerFound = marker !== null && markerPrinted(end, marker);
  const transcript = transcriptTail(end, marker);
  const done = completionVerdict(e, { markerFound, transcript });
  if (done) return done;
  const base = { ...blank(e), marker_found: markerFound, transcript_tail: transcript };
  const questions = trailingQuestions(end);
  if (questions.length) {
    return {
      ...base,
      state: "awaiting_clarification",
      reason: "free_text_question",
      summary: `Codex asks: ${questions.at(-1)}`,
      questions,
      next_action: next(
        "answer",
        o.answer ?? `reply ${targetFlag(e.target)} --text "<answer>"`,
        "Codex ended its turn with a question",
      ),
    };
  }
  return {
    ...base,
    state: "completed",
    reason: "turn_complete",
    summary: message
      ? `The turn completed: ${clip(transcript, 150, { words: true })}`
      : "The turn completed without a final message",
    next_action: next(
      "verify",
      null,
      marker
        ? "the turn ended without the marker; check the work before relying on it"
        : "the turn ended; check the work",
    ),
  };
}
