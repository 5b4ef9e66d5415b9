/**
 * The verdict of a session that has already ended (its ended record, `session/ended.ts`, is the
 * evidence): the final verdict it ended on, when known, with the time and who ended it, and nothing
 * left to do in that session. Pure: the ended record in, a verdict out.
 *
 * @module
 */
import { type NextAction, type Verdict, VerdictSchema } from "../envelope.ts";
import { clip } from "../text.ts";
import { next } from "./next.ts";
import { nothingSeen } from "./rule.ts";

/** What is known about an ended session. */
export interface EndedFacts {
  session: string;
  /** When it ended (ISO time). */
  ended: string;
  /** Who ended it (`end`, `watch`, `sessions`), when known. */
  by?: string;
  /** Its last verdict, when known. */
  final?: Record<string, unknown> | null;
  /** Its last recorded state and reason, when there is no final verdict. */
  last?: { state: string; reason: string | null } | null;
}

const BY: Record<string, string> = {
  end: "by codexctl end",
  watch: "by the watch, on a verified completion",
  sessions: "by codexctl sessions (its Codex was gone)",
};

/** The verdict an ended session reports. */
export function endedVerdict(f: EndedFacts): Verdict {
  const how = `Session ${f.session} ended ${BY[f.by ?? ""] ?? ""}`.trimEnd() + ` at ${f.ended}`;
  const nothing = next(
    "nothing",
    null,
    "the session has ended and takes no more input; this is how it ended",
  );
  const parsed = f.final ? VerdictSchema.safeParse(f.final) : null;
  if (parsed?.success) {
    const final = parsed.data;
    return {
      ...final,
      summary: clip(`${how}: ${final.summary}`, 200, { words: true }),
      next_action: nothing,
      ended: { at: f.ended, by: f.by ?? null },
    };
  }
  const last = f.last ? ` (last seen ${f.last.state}${f.last.reason ? `/${f.last.reason}` : ""})` : "";
  return {
    ...cleanedUp(clip(`${how}${last}`, 200, { words: true }), nothing),
    thread: null,
    ended: { at: f.ended, by: f.by ?? null },
  };
}

/** The verdict of a session whose state is gone (`ended`/`cleaned_up`): a summary and what to do next. */
export function cleanedUp(summary: string, nextAction: NextAction): Verdict {
  const { thread: _none, ...empty } = nothingSeen();
  return { ...empty, state: "ended", reason: "cleaned_up", summary, next_action: nextAction };
}
