/**
 * The text the hooks put in front of Claude: one factual line per change with the exact next
 * command, a Stop reason naming what to run, and a SessionStart brief. Every text has a hard
 * character budget far below Claude Code's 10,000-character cap (past which it would silently
 * collapse the text into a 2 KB preview).
 *
 * @module
 */
import { clip } from "../text.ts";
import { statusCommand } from "../verdict/next.ts";
import type { CursorEntry } from "../fleet/cursor.ts";

/** Budget of a PostToolUse / UserPromptSubmit context. */
export const CONTEXT_BUDGET = 2000;
/** Budget of a SessionStart brief. */
export const BRIEF_BUDGET = 1500;
/** Budget of a Stop reason. */
export const STOP_BUDGET = 2000;
/** Budget of one line. */
export const LINE_MAX = 420;

/** The facts one line is built from (an index entry carries them all). */
export type LineFacts =
  & Pick<CursorEntry, "kind" | "session" | "thread" | "label" | "verdict" | "stalled">
  & Partial<Pick<CursorEntry, "failure">>;

/**
 * A failure line: `codexctl: <label>: a failure in Codex's tool output — <summary>. Details: …`.
 * Codex may be fixing it already; the line says what failed and where to read more.
 */
export function failureLine(f: LineFacts): string {
  const head = `codexctl: ${f.label}: a failure in Codex's tool output —`;
  const still = f.verdict?.state === "working" ? " Codex is still working." : "";
  const tail = `${still} Details: ${statusCommand(f)}`;
  const room = LINE_MAX - head.length - tail.length - 2;
  const summary = room > 20 ? sentence(clip(f.failure?.summary ?? "", room)) : "";
  return clip([head, summary].filter(Boolean).join(" ") + tail, LINE_MAX);
}

/** One told item: a verdict change, or a failure. */
export interface Told {
  facts: LineFacts;
  what: "verdict" | "failure";
}

/** The line of one told item. */
export function toldLine(t: Told): string {
  return t.what === "failure" ? failureLine(t.facts) : changeLine(t.facts);
}

/** What to run next for a target, as `Next: …` / `Details: …`. */
export function nextClause(f: LineFacts): string {
  const v = f.verdict;
  if (f.stalled) return `Details: ${statusCommand(f)}`;
  if (v?.next) return `Next: ${v.next}`;
  if (v?.state === "completed" && f.session) {
    return `Details: ${statusCommand(f)}; when done with it: codexctl end --session ${f.session}`;
  }
  return `Details: ${statusCommand(f)}`;
}

/** `is completed (turn_complete).` or `is stalled: …` — the state words of a line. */
function stateWords(f: LineFacts): string {
  const v = f.verdict;
  if (!v) return "has no verdict yet.";
  if (f.stalled) return "is stalled (its turn is open but the rollout has been silent):";
  return `is ${v.state} (${v.reason}).`;
}

function sentence(text: string): string {
  const t = text.trim();
  return !t || /[.?!:…]$/.test(t) ? t : `${t}.`;
}

/**
 * One change line: `codexctl: <label> is <state> (<reason>). <summary> Next: <command>`. The
 * summary is shortened first so the command always survives whole.
 */
export function changeLine(f: LineFacts): string {
  const head = `codexctl: ${f.label} ${stateWords(f)}`;
  const tail = nextClause(f);
  const room = LINE_MAX - head.length - tail.length - 2;
  const summary = room > 20 ? sentence(clip(f.verdict?.summary ?? "", room)) : "";
  return clip([head, summary, tail].filter(Boolean).join(" "), LINE_MAX);
}

/**
 * Joins lines under `budget` characters. Lines that do not fit are summed up in a last line that
 * names each left-out target, so nothing is silently dropped.
 */
export function fitLines(lines: string[], labels: string[], budget: number, header = ""): string {
  const out: string[] = header ? [header] : [];
  let used = header.length;
  for (let i = 0; i < lines.length; i++) {
    const rest = labels.slice(i + 1);
    const reserve = rest.length ? 160 : 0;
    if (used + lines[i].length + 1 + reserve <= budget) {
      out.push(lines[i]);
      used += lines[i].length + 1;
      continue;
    }
    const left = labels.slice(i);
    out.push(
      clip(
        `codexctl: ${left.length} more: ${
          left.join(", ")
        }. Details: codexctl status --session <id> (or --thread <uuid>)`,
        Math.max(0, budget - used - 1),
      ),
    );
    break;
  }
  const text = out.join("\n");
  return clip(text, budget, { flatten: false });
}

/** The additionalContext of a PostToolUse / UserPromptSubmit delivery (verdict changes). */
export function contextText(changed: LineFacts[]): string {
  return toldText(changed.map((facts) => ({ facts, what: "verdict" })));
}

/** The additionalContext of a delivery of verdict changes and failures, in their order. */
export function toldText(told: Told[]): string {
  return fitLines(told.map(toldLine), told.map((t) => t.facts.label), CONTEXT_BUDGET);
}

/** Why a Stop is blocked for one target. */
export interface StopItem {
  facts: LineFacts;
  why: "awaiting" | "unreported" | "working" | "failure";
}

/** The Stop `reason`: what still needs Claude, each with its command; once per state. */
export function stopReason(items: StopItem[]): string {
  const lines = items.map(({ facts, why }) => {
    if (why === "working") {
      const s = facts.session!;
      return clip(
        `- ${facts.label} is still working (${
          facts.verdict?.summary ?? "its turn is open"
        }). To wait for it: codexctl await --session ${s}; or arm the Monitor tool with: codexctl watch --session ${s}`,
        LINE_MAX,
      );
    }
    const line = why === "failure" ? failureLine(facts) : changeLine(facts);
    return "- " + line.replace(/^codexctl: /, "");
  });
  const header = "codexctl: Codex sessions started from this conversation still need attention:";
  const footer =
    "Act on them now, or tell the user plainly which ones you are leaving open. (codexctl says this once per state.)";
  const body = fitLines(lines, items.map((i) => i.facts.label), STOP_BUDGET - footer.length - 1, header);
  return `${body}\n${footer}`;
}

/** The SessionStart brief of every target (null when there is none). */
export function briefText(entries: LineFacts[]): string | null {
  if (!entries.length) return null;
  const lines = entries.map((f) => "- " + changeLine(f).replace(/^codexctl: /, ""));
  return fitLines(
    lines,
    entries.map((f) => f.label),
    BRIEF_BUDGET,
    "codexctl: Codex sessions of this conversation, as of now:",
  );
}
