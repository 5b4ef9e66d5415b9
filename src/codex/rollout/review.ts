/**
 * Codex's code reviews, as codexctl reports them. A review turn (`codex exec review`, the TUI's
 * `/review`, the app-server's `review/start`) ends with Codex's `ReviewOutputEvent` — findings with
 * title, body, confidence, priority and code location, and an overall verdict — which the rollout
 * keeps: 0.130 as an `exited_review_mode` event, 0.169 as an `ExitedReviewMode` item (both carry
 * `review_output`; `legacy.ts` and `paginated.ts` read them). Codex parses the reviewer's last
 * message as that JSON and, when it is not JSON, keeps the text as `overall_explanation` with every
 * other field empty (openai/codex `core/src/tasks/review.rs`); the `codex exec` stream and the
 * app-server only carry a rendering of it as text ("- [P1] Title — /abs/file:3-5" lines).
 *
 * This module turns either form into one {@linkcode Review}: findings sorted by priority (P0 first),
 * `file` relative to the repository when inside it, and `structured: false` whenever the fields were
 * read from text — then only what the text says is filled in, never a made-up value. Pure.
 *
 * @module
 */
import { z } from "zod";
import type { Review, ReviewFinding } from "../../envelope.ts";
import { clip } from "../../text.ts";
import type { CodexFinding, CodexReviewOutput, CodexReviewTarget } from "./events.ts";
import { num, str } from "./fields.ts";

export type { CodexFinding, CodexReviewOutput, CodexReviewTarget, Review, ReviewFinding };

/** Most findings kept from one review. */
export const MAX_FINDINGS = 100;
const MAX_TITLE = 300;
const MAX_BODY = 4000;
const MAX_EXPLANATION = 4000;

const int = z.number().int().nullish().catch(null);

const FindingSchema = z.looseObject({
  title: str,
  body: str,
  confidence_score: num,
  priority: int,
  code_location: z.looseObject({
    absolute_file_path: str,
    line_range: z.looseObject({ start: int, end: int }).nullish().catch(null),
  }).nullish().catch(null),
});

const OutputSchema = z.looseObject({
  findings: z.array(z.unknown()).nullish().catch(null),
  overall_correctness: str,
  overall_explanation: str,
  overall_confidence_score: num,
});

const TargetSchema = z.looseObject({ type: z.string(), branch: str, sha: str, title: str });

/** Reads a `review_output` value (lenient); null when it is not an object (an interrupted review). */
export function readReviewOutput(value: unknown): CodexReviewOutput | null {
  const m = OutputSchema.safeParse(value);
  if (!m.success) return null;
  const findings: CodexFinding[] = [];
  for (const raw of m.data.findings ?? []) {
    if (findings.length >= MAX_FINDINGS) break;
    const f = FindingSchema.safeParse(raw);
    if (!f.success) continue;
    const loc = f.data.code_location;
    findings.push({
      title: f.data.title === null || f.data.title === undefined ? null : clip(f.data.title, MAX_TITLE),
      body: f.data.body === null || f.data.body === undefined
        ? null
        : clip(f.data.body, MAX_BODY, { flatten: false }),
      confidence_score: f.data.confidence_score ?? null,
      priority: f.data.priority ?? null,
      absolute_file_path: loc?.absolute_file_path ?? null,
      start: loc?.line_range?.start ?? null,
      end: loc?.line_range?.end ?? null,
    });
  }
  const explanation = m.data.overall_explanation;
  return {
    findings,
    overall_correctness: m.data.overall_correctness ?? null,
    overall_explanation: explanation === null || explanation === undefined
      ? null
      : clip(explanation, MAX_EXPLANATION, { flatten: false }),
    overall_confidence_score: m.data.overall_confidence_score ?? null,
  };
}

/** Reads an `EnteredReviewMode` target (lenient); null when absent. */
export function readReviewTarget(value: unknown): CodexReviewTarget | null {
  const m = TargetSchema.safeParse(value);
  if (!m.success) return null;
  return {
    type: m.data.type,
    branch: m.data.branch ?? null,
    sha: m.data.sha ?? null,
    title: m.data.title ?? null,
  };
}

/** Options of {@linkcode reviewFromOutput} and {@linkcode reviewFromText}. */
export interface ReviewOptions {
  /** The repository's top-level directory: files inside it are reported relative to it. */
  repoRoot?: string | null;
}

const TAG = /^\s*\[P([0-3])\]/;

/** A finding's priority: Codex's number when it is 0–3, else the `[Pn]` tag its title starts with. */
function priorityOf(priority: number | null, title: string): number | null {
  if (priority !== null && priority >= 0 && priority <= 3) return priority;
  const m = title.match(TAG);
  return m ? Number(m[1]) : null;
}

/** `path` relative to `root` when it lies inside it (plain string work: no file system). */
export function relativeToRepo(path: string, root: string | null | undefined): string {
  if (!root || !path.startsWith("/")) return path;
  const base = root.endsWith("/") ? root.slice(0, -1) : root;
  if (!base) return path;
  return path.startsWith(base + "/") ? path.slice(base.length + 1) : path;
}

function line(n: number | null): number | null {
  return n !== null && Number.isInteger(n) && n >= 0 ? n : null;
}

function confidence(n: number | null): number | null {
  return n !== null && Number.isFinite(n) && n >= 0 && n <= 1 ? n : null;
}

/** Sorts by priority (P0 first, none last), keeping Codex's order within one priority. */
export function sortFindings(findings: ReviewFinding[]): ReviewFinding[] {
  const rank = (f: ReviewFinding) => f.priority ?? 4;
  return findings.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) =>
    x.f
  );
}

/**
 * True when `output` is Codex's fallback for a reviewer answer that was not JSON: no finding, no
 * verdict — the text is all in `overall_explanation`.
 */
export function isTextFallback(output: CodexReviewOutput): boolean {
  return output.findings.length === 0 && !output.overall_correctness;
}

/** The review from Codex's `review_output` (the rollout); a text fallback is parsed as text. */
export function reviewFromOutput(output: CodexReviewOutput, options: ReviewOptions = {}): Review {
  if (isTextFallback(output)) return reviewFromText(output.overall_explanation ?? "", options);
  const findings = output.findings.map((f): ReviewFinding => {
    const title = f.title ?? "";
    return {
      title,
      body: f.body ?? "",
      priority: priorityOf(f.priority, title),
      confidence: confidence(f.confidence_score),
      file: f.absolute_file_path ? relativeToRepo(f.absolute_file_path, options.repoRoot) : null,
      start_line: line(f.start),
      end_line: line(f.end),
    };
  });
  return {
    findings: sortFindings(findings),
    overall_correctness: output.overall_correctness || null,
    overall_explanation: output.overall_explanation || null,
    overall_confidence: confidence(output.overall_confidence_score),
    structured: true,
  };
}

/** A bullet of Codex's review rendering: `- [x] Title — /file:3-5` (the check box is optional). */
const BULLET = /^\s*[-*]\s+(?:\[[ xX]\]\s+)?(.+?)\s*$/;
const LOCATION = /^(.*\S)\s+—\s+(\S.*?):(\d+)(?:-(\d+))?$/;
const HEADER = /^(Full review comments|Review comments?):\s*$/i;
const VERDICT = /\bpatch is (?:in)?correct\b/i;

/**
 * The review from text: Codex's own rendering (an explanation, then "Full review comments:" and one
 * bullet per finding with its location and an indented body), or a reviewer's plain answer. Only
 * what the text says is filled in: a finding is a bullet that starts with a `[Pn]` tag or carries a
 * location; confidence is never in text (null); the verdict only when the text says "patch is
 * (in)correct". Always `structured: false`.
 */
export function reviewFromText(text: string, options: ReviewOptions = {}): Review {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const findings: ReviewFinding[] = [];
  const prose: string[] = [];
  let current: { finding: ReviewFinding; body: string[] } | null = null;
  let inList = false;
  const close = () => {
    if (current) {
      current.finding.body = clip(current.body.join("\n").trim(), MAX_BODY, { flatten: false });
      if (findings.length < MAX_FINDINGS) findings.push(current.finding);
    }
    current = null;
  };
  for (const raw of lines) {
    if (HEADER.test(raw.trim())) {
      close();
      inList = true;
      continue;
    }
    const bullet = raw.match(BULLET);
    const item = bullet ? bullet[1] : null;
    const loc = item ? item.match(LOCATION) : null;
    if (item && (loc || TAG.test(item))) {
      close();
      inList = true;
      const title = clip(loc ? loc[1] : item, MAX_TITLE);
      const start = loc ? Number(loc[3]) : null;
      current = {
        finding: {
          title,
          body: "",
          priority: priorityOf(null, title),
          confidence: null,
          file: loc ? relativeToRepo(loc[2], options.repoRoot) : null,
          start_line: start,
          end_line: loc ? (loc[4] !== undefined ? Number(loc[4]) : start) : null,
        },
        body: [],
      };
      continue;
    }
    if (current) {
      // a finding's body: the indented lines under its bullet
      if (raw.trim() === "" || /^\s/.test(raw)) {
        (current as { body: string[] }).body.push(raw.replace(/^ {2}/, ""));
        continue;
      }
      close();
    }
    if (!inList || raw.trim()) prose.push(raw);
  }
  close();
  const explanation = prose.join("\n").trim();
  const verdict = text.match(VERDICT);
  return {
    findings: sortFindings(findings),
    overall_correctness: verdict ? verdict[0].toLowerCase() : null,
    overall_explanation: explanation ? clip(explanation, MAX_EXPLANATION, { flatten: false }) : null,
    overall_confidence: null,
    structured: false,
  };
}

/** The findings at or above a priority (P0 is the highest): `min` 1 keeps P0 and P1. No priority: kept. */
export function atLeast(findings: readonly ReviewFinding[], min: number): ReviewFinding[] {
  return findings.filter((f) => f.priority === null || f.priority <= min);
}

/**
 * The review with only the findings at or above `min` (P0 is the highest; findings without a
 * priority are kept), saying which priority it kept and how many it left out.
 */
export function filterReview(review: Review, min: number | null): Review {
  if (min === null) return review;
  const kept = atLeast(review.findings, min);
  return { ...review, findings: kept, min_priority: min, hidden: review.findings.length - kept.length };
}

/** Parses a priority as given on the command line or in config: `P0`…`P3`, or `0`…`3`. Null otherwise. */
export function parsePriority(value: unknown): number | null {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 && value <= 3 ? value : null;
  if (typeof value !== "string") return null;
  const m = value.trim().match(/^[pP]?([0-3])$/);
  return m ? Number(m[1]) : null;
}
