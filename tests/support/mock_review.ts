/**
 * The mock model as a code reviewer. `codex exec review` (and the app-server's `review/start`) run
 * a review turn whose instructions begin with Codex's review guidelines — in the request's
 * `instructions` (0.130) or in a developer message (0.169) — and whose user message names what to
 * review, in Codex's own words (recorded live with both pinned versions):
 *
 * - `--uncommitted`: "Review the current code changes (staged, unstaged, and untracked files) and
 *   provide prioritized findings."
 * - `--commit SHA [--title T]`: "Review the code changes introduced by commit SHA ("T"). Provide
 *   prioritized, actionable findings."
 * - `--base BRANCH`: "Review the code changes against the base branch 'BRANCH'. The merge base
 *   commit for this comparison is SHA. Run `git diff SHA` to inspect the changes relative to
 *   BRANCH. …"
 *
 * (`codexctl review --prompt P` words the target itself — Codex takes a target or a prompt, not
 * both — and the mock reads that wording too.)
 *
 * Codex parses the reviewer's final message as the `ReviewOutputEvent` JSON its guidelines ask for
 * (openai/codex `protocol/src/protocol.rs`; the parse in `core/src/tasks/review.rs`: the whole
 * text, else the span from the first `{` to the last `}`, else the text becomes
 * `overall_explanation` with every other field empty). The mock answers a review with that JSON:
 * two findings of different priority (P2 listed before P1, so a reader must sort), each on a line
 * range that the selected diff really changed — the mock reads the diff itself with git in the
 * request's `<cwd>`, so a finding's file proves which diff Codex asked for. Directives in the user
 * text (a custom review prompt) win: `{{say TEXT}}` answers in plain text, `{{fail}}` fails.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import type { MockReply, ParsedRequest } from "./mock_model.ts";

/** The first words of Codex's review guidelines (both pinned versions). */
const GUIDELINES = "# Review guidelines";

/** What a review request asks to review, read from Codex's wording. */
export type ReviewAsk =
  | { kind: "uncommitted" }
  | { kind: "commit"; sha: string; title: string | null }
  | { kind: "base"; branch: string; mergeBase: string | null }
  | { kind: "custom"; text: string };

/** A finding in the JSON shape Codex's review guidelines ask for. */
export interface MockFinding {
  title: string;
  body: string;
  confidence_score: number;
  priority: number | null;
  code_location: { absolute_file_path: string; line_range: { start: number; end: number } };
}

/** The reviewer's answer: `ReviewOutputEvent` as JSON. */
export interface MockReviewOutput {
  findings: MockFinding[];
  overall_correctness: string;
  overall_explanation: string;
  overall_confidence_score: number;
}

function texts(item: Record<string, unknown>): string[] {
  const content = item.content;
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  return content.map((c) => (c && typeof c === "object" ? (c as { text?: unknown }).text : undefined))
    .filter((t): t is string => typeof t === "string");
}

/** True when the request is a review turn (Codex's review guidelines are its instructions). */
export function isReviewRequest(req: ParsedRequest): boolean {
  if (req.instructions.trimStart().startsWith(GUIDELINES)) return true;
  return req.input.some((item) =>
    item.type === "message" && item.role === "developer" &&
    texts(item).some((t) => t.trimStart().startsWith(GUIDELINES))
  );
}

/** What Codex asked to review, from the review turn's user text. */
export function reviewAsk(userText: string): ReviewAsk {
  const commit = userText.match(/(?:introduced by|made by) commit ([0-9a-f]{7,40})(?: \("(.*?)"\))?/);
  if (commit) return { kind: "commit", sha: commit[1], title: commit[2] ?? null };
  const base = userText.match(/against the base branch '([^']+)'/);
  if (base) {
    const mb = userText.match(
      /(?:merge base commit for this comparison is|Their merge base is) ([0-9a-f]{7,40})/,
    );
    return { kind: "base", branch: base[1], mergeBase: mb ? mb[1] : null };
  }
  if (
    /Review the current code changes \(staged, unstaged, and untracked files\)/.test(userText) ||
    /Review the uncommitted changes of this repository/.test(userText)
  ) {
    return { kind: "uncommitted" };
  }
  return { kind: "custom", text: userText };
}

/** The working directory Codex told the model about (`<cwd>` of the environment context). */
export function requestCwd(req: ParsedRequest): string | null {
  for (const item of req.input) {
    for (const t of texts(item)) {
      const m = t.match(/<cwd>([^<]+)<\/cwd>/);
      if (m) return m[1].trim();
    }
  }
  return null;
}

/** One changed range of one file. */
export interface ChangedRange {
  file: string;
  start: number;
  end: number;
}

function git(cwd: string, args: string[]): string | null {
  try {
    const out = new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "null", stdin: "null" })
      .outputSync();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null;
  }
}

/** The first changed range of each file in a `git diff --unified=0` text (added or changed lines only). */
export function changedRanges(diff: string): ChangedRange[] {
  const out: ChangedRange[] = [];
  let file: string | null = null;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+++ ")) {
      const path = line.slice(4).trim();
      file = path === "/dev/null" ? null : path.replace(/^b\//, "");
      continue;
    }
    const hunk = line.match(/^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/);
    if (hunk && file && !out.some((r) => r.file === file)) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      if (count > 0) out.push({ file, start, end: start + Math.min(count, 5) - 1 });
    }
  }
  return out;
}

/** The ranges the selected diff changed, read with git in `cwd` (sorted by file). */
export function rangesFor(ask: ReviewAsk, cwd: string): ChangedRange[] {
  const diffArgs = ["-c", "core.quotePath=false", "diff", "--unified=0", "--no-color", "--no-ext-diff"];
  let ranges: ChangedRange[] = [];
  switch (ask.kind) {
    case "commit":
      ranges = changedRanges(
        git(cwd, ["-c", "core.quotePath=false", "show", "--format=", "--unified=0", "--no-color", ask.sha]) ??
          "",
      );
      break;
    case "base": {
      const mb = ask.mergeBase ?? git(cwd, ["merge-base", "HEAD", ask.branch])?.trim();
      ranges = mb ? changedRanges(git(cwd, [...diffArgs, mb]) ?? "") : [];
      break;
    }
    case "uncommitted":
    case "custom": {
      ranges = changedRanges(git(cwd, [...diffArgs, "HEAD"]) ?? "");
      const untracked = (git(cwd, ["ls-files", "-z", "--others", "--exclude-standard"]) ?? "")
        .split("\0").filter(Boolean);
      for (const file of untracked) {
        let lines = 1;
        try {
          lines = Math.max(1, Deno.readTextFileSync(join(cwd, file)).split("\n").filter(Boolean).length);
        } catch { /* unreadable: one line */ }
        ranges.push({ file, start: 1, end: Math.min(lines, 3) });
      }
      break;
    }
  }
  return ranges.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * The mock's review: two findings of different priority on the first changed ranges (P2 on the
 * second range, listed first; P1 on the first), or no finding when nothing changed.
 */
export function mockReview(ranges: ChangedRange[], root: string): MockReviewOutput {
  if (ranges.length === 0) {
    return {
      findings: [],
      overall_correctness: "patch is correct",
      overall_explanation: "The diff is empty; there is nothing to flag.",
      overall_confidence_score: 0.9,
    };
  }
  const first = ranges[0];
  const second = ranges[1] ?? first;
  const at = (r: ChangedRange) => ({
    absolute_file_path: isAbsolute(r.file) ? r.file : join(root, r.file),
    line_range: { start: r.start, end: r.end },
  });
  return {
    findings: [
      {
        title: `[P2] Name the magic value in ${second.file}`,
        body: `The literal introduced at line ${second.start} has no name; give it one so the next reader ` +
          `knows what it stands for.`,
        confidence_score: 0.55,
        priority: 2,
        code_location: at(second),
      },
      {
        title: `[P1] Handle the empty input in ${first.file}`,
        body:
          `The change at lines ${first.start}-${first.end} assumes at least one line of input; an empty ` +
          `file makes it fail.`,
        confidence_score: 0.8,
        priority: 1,
        code_location: at(first),
      },
    ],
    overall_correctness: "patch is incorrect",
    overall_explanation: "The empty-input case breaks the change; the unnamed literal is a smaller issue.",
    overall_confidence_score: 0.75,
  };
}

/** The review answer for a review request: the directives of a custom prompt, else the JSON review. */
export function reviewReply(req: ParsedRequest): MockReply | null {
  if (/\{\{\s*[a-z_]+/.test(req.userText)) return null; // directives decide (see mock_model.ts)
  const cwd = requestCwd(req);
  const root = cwd ? git(cwd, ["rev-parse", "--show-toplevel"])?.trim() || cwd : null;
  const ranges = root ? rangesFor(reviewAsk(req.userText), root) : [];
  return { kind: "message", text: JSON.stringify(mockReview(ranges, root ?? "/"), null, 2) };
}
