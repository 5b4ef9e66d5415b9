/**
 * Reading Codex's reviews: the recorded `codex exec review` runs of both pinned versions (the
 * rollout keeps `review_output`: 0.169 as an `ExitedReviewMode` item, 0.130 as an
 * `exited_review_mode` event), the text rendering the exec stream carries, and the lenient parse
 * of hostile shapes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  atLeast,
  type CodexReviewOutput,
  parsePriority,
  readReviewOutput,
  relativeToRepo,
  type Review,
  reviewFromOutput,
  reviewFromText,
} from "../src/codex/rollout/review.ts";
import { ALL_CODEX_VERSIONS } from "./support/codex_bin.ts";
import { parseJsonLines } from "./support/codex_exec.ts";
import { foldLines } from "./support/fixtures.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { REVIEW_SCENARIOS, TEXT_REVIEW } from "./support/review_scenarios.ts";

interface Recorded {
  meta: { cwd: string; review_args: string[]; exec: { thread_id: string } };
  lines: string[];
  events: Record<string, unknown>[];
  requests: Record<string, unknown>[];
}

function recorded(version: string, scenario: string): Recorded {
  const dir = join(FIXTURES_DIR, `codex-${version}`, scenario);
  const read = (f: string) => Deno.readTextFileSync(join(dir, f));
  return {
    meta: JSON.parse(read("meta.json")),
    lines: read("exec.rollout.jsonl").split("\n").filter(Boolean),
    events: parseJsonLines(read("exec.events.jsonl")),
    requests: parseJsonLines(read("exec.requests.jsonl")),
  };
}

/** The review as `codexctl` reports it from a recorded rollout. */
function reviewOf(version: string, scenario: string): { review: Review; rec: Recorded } {
  const rec = recorded(version, scenario);
  const { state } = foldLines(rec.lines);
  assert.ok(state.review, `${version}/${scenario}: the fold saw no review`);
  assert.equal(state.review.done, true, `${version}/${scenario}: the review turn did not end`);
  assert.ok(state.review.output, `${version}/${scenario}: no review_output`);
  return { review: reviewFromOutput(state.review.output, { repoRoot: rec.meta.cwd }), rec };
}

/** The exec stream's final agent message (Codex's text rendering of the review). */
function renderedText(rec: Recorded): string {
  const items = rec.events.filter((e) => e.type === "item.completed").map((e) =>
    e.item as Record<string, unknown>
  );
  const last = items.filter((i) => i.type === "agent_message").at(-1);
  assert.ok(last, "no agent_message in the exec stream");
  return String(last.text);
}

const brief = (r: Review) =>
  r.findings.map((f) => ({ priority: f.priority, file: f.file, start: f.start_line, end: f.end_line }));

Deno.test("every review scenario is recorded on both versions with the thread's and the reviewer's rollout", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    for (const sc of REVIEW_SCENARIOS) {
      const dir = join(FIXTURES_DIR, `codex-${version}`, sc.name);
      for (
        const f of ["meta.json", "exec.events.jsonl", "exec.rollout.jsonl", "exec.reviewer.rollout.jsonl"]
      ) {
        assert.ok(Deno.statSync(join(dir, f)).isFile, `${version}/${sc.name}/${f}`);
      }
      const rec = recorded(version, sc.name);
      const meta0 = JSON.parse(rec.lines[0]).payload;
      assert.equal(meta0.cli_version, version);
      assert.equal(
        meta0.id,
        rec.meta.exec.thread_id,
        "exec.rollout.jsonl is the thread the exec run started",
      );
      const reviewer = Deno.readTextFileSync(join(dir, "exec.reviewer.rollout.jsonl"));
      const rmeta = JSON.parse(reviewer.slice(0, reviewer.indexOf("\n"))).payload;
      assert.deepEqual(rmeta.source, { subagent: "review" }, "the reviewer runs as a review sub-agent");
    }
  }
});

Deno.test("review --uncommitted: both findings with title, priority, file and lines, P1 first, files relative", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    const { review } = reviewOf(version, "review");
    assert.equal(review.structured, true);
    assert.deepEqual(brief(review), [
      { priority: 1, file: "app.js", start: 2, end: 3 },
      { priority: 2, file: "notes.md", start: 1, end: 2 },
    ], version);
    assert.match(review.findings[0].title, /^\[P1\] Handle the empty input in app\.js$/);
    assert.match(review.findings[1].title, /^\[P2\] Name the magic value/);
    assert.match(review.findings[0].body, /empty/);
    assert.equal(review.findings[0].confidence, 0.8);
    assert.equal(review.overall_correctness, "patch is incorrect");
    assert.match(review.overall_explanation ?? "", /empty-input case/);
    assert.equal(review.overall_confidence, 0.75);
  }
});

Deno.test("review --commit: the request names the commit and the findings are on that commit's file only", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    const { review, rec } = reviewOf(version, "review_commit");
    const sha = rec.meta.review_args[1];
    const ask = rec.requests.find((r) => String(r.user_text).includes("introduced by commit"));
    assert.ok(ask, `${version}: no review request`);
    assert.match(String(ask.user_text), new RegExp(`commit ${sha} \\("Add the chosen constants"\\)`));
    assert.deepEqual(brief(review).map((f) => f.file), ["commit.js", "commit.js"], version);
    assert.deepEqual(review.findings.map((f) => f.priority), [1, 2]);
  }
});

Deno.test("review --base: the request names the branch and its merge base, the findings are the branch's files", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    const { review, rec } = reviewOf(version, "review_base");
    const ask = rec.requests.find((r) => String(r.user_text).includes("base branch"));
    assert.ok(ask, `${version}: no review request`);
    assert.match(
      String(ask.user_text),
      /against the base branch 'main'\. The merge base commit for this comparison is [0-9a-f]{40}/,
    );
    assert.deepEqual(brief(review).map((f) => f.file), ["branch_a.js", "branch_b.js"], version);
  }
});

Deno.test("a reviewer's plain-text answer: structured false, the finding its text gives, nothing made up", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    const { review } = reviewOf(version, "review_text");
    assert.equal(review.structured, false, version);
    assert.deepEqual(review.findings, [{
      title: "[P2] Drop the debug print",
      body: "It prints on every call.",
      priority: 2,
      confidence: null,
      file: "app.js",
      start_line: 2,
      end_line: 2,
    }]);
    assert.equal(review.overall_correctness, null);
    assert.equal(review.overall_confidence, null);
    assert.equal(review.overall_explanation, "I read the change and found one thing worth fixing.");
    assert.equal(renderedText(recorded(version, "review_text")), TEXT_REVIEW);
  }
});

Deno.test("the exec stream's text rendering reads back to the same findings (structured false, no confidence)", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    for (const scenario of ["review", "review_commit", "review_base"]) {
      const { review, rec } = reviewOf(version, scenario);
      const fromText = reviewFromText(renderedText(rec), { repoRoot: rec.meta.cwd });
      assert.equal(fromText.structured, false);
      assert.deepEqual(brief(fromText), brief(review), `${version}/${scenario}`);
      assert.deepEqual(fromText.findings.map((f) => f.title), review.findings.map((f) => f.title));
      assert.deepEqual(fromText.findings.map((f) => f.body), review.findings.map((f) => f.body));
      assert.ok(fromText.findings.every((f) => f.confidence === null));
      assert.equal(fromText.overall_explanation, review.overall_explanation);
      assert.equal(fromText.overall_correctness, null, "the rendering does not say the verdict");
    }
  }
});

Deno.test("the review turn is activity of its turn and the fold knows the target", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    const rec = recorded(version, "review_commit");
    const entered = rec.lines.findIndex((l) => /entered_review_mode|EnteredReviewMode/.test(l));
    assert.ok(entered > 0);
    const before = foldLines(rec.lines.slice(0, entered + 1)).state;
    assert.equal(before.review?.done, false);
    assert.equal(before.review?.target?.type, "commit");
    assert.equal(before.review?.target?.sha, rec.meta.review_args[1]);
    assert.equal(before.review?.target?.title, "Add the chosen constants");
    const { state, stats } = foldLines(rec.lines);
    assert.equal(state.last_turn?.outcome, "completed");
    assert.equal(stats.malformed, 0);
    assert.deepEqual(stats.unknown, {}, `${version}: every line of a review rollout is known`);
  }
});

Deno.test("hostile review_output shapes: wrong types read as null, an interrupted review has no output", () => {
  assert.equal(readReviewOutput(null), null);
  assert.equal(readReviewOutput("text"), null);
  const out = readReviewOutput({
    findings: [
      { title: 7, body: null, priority: "high", confidence_score: "x", code_location: "nowhere" },
      "not an object",
      {
        title: "[P0] Real one",
        body: "b",
        priority: 0,
        confidence_score: 1.5,
        code_location: { absolute_file_path: "/repo/src/x.ts", line_range: { start: 3, end: "9" } },
      },
    ],
    overall_correctness: 1,
    overall_explanation: "why",
    overall_confidence_score: 0.4,
  });
  assert.ok(out);
  assert.equal(out.findings.length, 2);
  const review = reviewFromOutput(out, { repoRoot: "/repo" });
  assert.equal(review.structured, true, "a finding makes it structured even without a verdict");
  assert.deepEqual(review.findings[0], {
    title: "[P0] Real one",
    body: "b",
    priority: 0,
    confidence: null,
    file: "src/x.ts",
    start_line: 3,
    end_line: null,
  });
  assert.deepEqual(review.findings[1], {
    title: "",
    body: "",
    priority: null,
    confidence: null,
    file: null,
    start_line: null,
    end_line: null,
  });
  assert.equal(review.overall_correctness, null);
  // findings beyond the cap are dropped, long texts clipped
  const many = readReviewOutput({
    findings: Array.from(
      { length: 300 },
      (_, i) => ({ title: `t${i}`.padEnd(1000, "x"), body: "b", priority: 3 }),
    ),
    overall_correctness: "patch is incorrect",
  })!;
  assert.equal(many.findings.length, 100);
  assert.ok(many.findings[0].title!.length <= 300);
});

Deno.test("priority: Codex's number when 0-3, else the title's [Pn] tag; sorted P0 first, none last, stable", () => {
  const finding = (title: string, priority: number | null) => ({
    title,
    body: "",
    confidence_score: null,
    priority,
    absolute_file_path: null,
    start: null,
    end: null,
  });
  const output: CodexReviewOutput = {
    findings: [
      finding("no priority", null),
      finding("[P3] tagged", null),
      finding("[P3] says P3", 0),
      finding("first P2", 2),
      finding("second P2", 2),
      finding("out of range", 9),
    ],
    overall_correctness: "patch is incorrect",
    overall_explanation: null,
    overall_confidence_score: null,
  };
  const review = reviewFromOutput(output);
  assert.deepEqual(review.findings.map((f) => [f.title, f.priority]), [
    ["[P3] says P3", 0],
    ["first P2", 2],
    ["second P2", 2],
    ["[P3] tagged", 3],
    ["no priority", null],
    ["out of range", null],
  ]);
  assert.deepEqual(atLeast(review.findings, 2).map((f) => f.title), [
    "[P3] says P3",
    "first P2",
    "second P2",
    "no priority",
    "out of range",
  ]);
  assert.deepEqual(atLeast(review.findings, 0).map((f) => f.priority), [0, null, null]);
});

Deno.test("files are relative only when inside the repository (a sibling with the same prefix is not)", () => {
  assert.equal(relativeToRepo("/repo/a/b.ts", "/repo"), "a/b.ts");
  assert.equal(relativeToRepo("/repo/a/b.ts", "/repo/"), "a/b.ts");
  assert.equal(relativeToRepo("/repo2/b.ts", "/repo"), "/repo2/b.ts");
  assert.equal(relativeToRepo("/elsewhere/b.ts", "/repo"), "/elsewhere/b.ts");
  assert.equal(relativeToRepo("rel/b.ts", "/repo"), "rel/b.ts");
  assert.equal(relativeToRepo("/repo/a.ts", null), "/repo/a.ts");
  assert.equal(relativeToRepo("/a.ts", "/"), "/a.ts");
});

Deno.test("Codex's text fallback (no finding, no verdict) is read as text; text never invents a field", () => {
  const fallback = reviewFromOutput({
    findings: [],
    overall_correctness: "",
    overall_explanation: "Looks fine. The patch is correct as far as I can see.",
    overall_confidence_score: 0,
  });
  assert.deepEqual(fallback, {
    findings: [],
    overall_correctness: "patch is correct",
    overall_explanation: "Looks fine. The patch is correct as far as I can see.",
    overall_confidence: null,
    structured: false,
  });
  const prose = reviewFromText(
    "- a bullet that is not a finding\n- [P1] A finding without a location\n  body line\n",
  );
  assert.deepEqual(prose.findings, [{
    title: "[P1] A finding without a location",
    body: "body line",
    priority: 1,
    confidence: null,
    file: null,
    start_line: null,
    end_line: null,
  }]);
  assert.equal(prose.overall_explanation, "- a bullet that is not a finding");
  assert.deepEqual(reviewFromText(""), {
    findings: [],
    overall_correctness: null,
    overall_explanation: null,
    overall_confidence: null,
    structured: false,
  });
  // the app-server's check-box rendering and a single-line location
  const boxes = reviewFromText("Review comment:\n\n- [x] [P0] Stop the leak — /r/a.ts:7\n  It leaks.", {
    repoRoot: "/r",
  });
  assert.deepEqual(brief(boxes), [{ priority: 0, file: "a.ts", start: 7, end: 7 }]);
});

Deno.test("priorities as given on the command line or in config", () => {
  assert.equal(parsePriority("P1"), 1);
  assert.equal(parsePriority("p0"), 0);
  assert.equal(parsePriority("3"), 3);
  assert.equal(parsePriority(2), 2);
  for (const bad of ["P4", "high", "", "1.5", -1, 4, 1.5, null, undefined, {}]) {
    assert.equal(parsePriority(bad), null, String(bad));
  }
});
