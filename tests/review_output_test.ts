/** A review in the v1 contract: its schema, `--min-priority`, and the terminal rendering. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { jsonSchemaFor, okEnvelope, type Review, ReviewSchema, VerdictSchema } from "../src/envelope.ts";
import { filterReview, reviewFromOutput } from "../src/codex/rollout/review.ts";
import { renderHuman, renderReview } from "../src/output.ts";
import { ALL_CODEX_VERSIONS } from "./support/codex_bin.ts";
import { foldLines } from "./support/fixtures.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { REVIEW_SCENARIOS } from "./support/review_scenarios.ts";

function fixtureReview(version: string, scenario: string): Review {
  const dir = join(FIXTURES_DIR, `codex-${version}`, scenario);
  const meta = JSON.parse(Deno.readTextFileSync(join(dir, "meta.json")));
  const lines = Deno.readTextFileSync(join(dir, "exec.rollout.jsonl")).split("\n").filter(Boolean);
  return reviewFromOutput(foldLines(lines).state.review!.output!, { repoRoot: meta.cwd });
}

const VERDICT = {
  state: "completed",
  reason: "turn_complete",
  summary: "Codex finished the review",
  plan: null,
  questions: [],
  options: [],
  marker_found: false,
  artifacts: [],
  transcript_tail: "",
  next_action: { intent: "nothing", command: null, why: "done" },
};

Deno.test("every recorded review is a valid review object, also inside a verdict and an envelope", () => {
  for (const version of ALL_CODEX_VERSIONS) {
    for (const sc of REVIEW_SCENARIOS) {
      const review = fixtureReview(version, sc.name);
      ReviewSchema.parse(review);
      const env = okEnvelope("review", "cdx-0a1b", { ...VERDICT, review });
      assert.deepEqual((env.result as { review: Review }).review, review);
    }
  }
  VerdictSchema.parse({ ...VERDICT, review: null });
  const bad = { ...fixtureReview("0.169.0", "review") };
  bad.findings = [{ ...bad.findings[0], priority: 7 }];
  assert.throws(() => VerdictSchema.parse({ ...VERDICT, review: bad }));
  assert.throws(() => ReviewSchema.parse({ ...bad, extra: 1 }), "the review object is strict");
});

Deno.test("codexctl schema review: the review object's JSON Schema names every field", () => {
  const doc = jsonSchemaFor("review") as { properties: Record<string, unknown>; $id: string };
  assert.equal(doc.$id, "https://codexctl.dev/schema/v1/review.json");
  assert.deepEqual(Object.keys(doc.properties).sort(), [
    "findings",
    "hidden",
    "min_priority",
    "overall_confidence",
    "overall_correctness",
    "overall_explanation",
    "structured",
  ]);
  const finding = (doc.properties.findings as { items: { properties: Record<string, unknown> } }).items;
  assert.deepEqual(Object.keys(finding.properties).sort(), [
    "body",
    "confidence",
    "end_line",
    "file",
    "priority",
    "start_line",
    "title",
  ]);
  const verdict = jsonSchemaFor("verdict") as { properties: Record<string, unknown> };
  assert.ok("review" in verdict.properties, "the verdict schema carries the review");
});

Deno.test("--min-priority keeps the findings at or above it and says how many it left out", () => {
  const review = fixtureReview("0.169.0", "review");
  const p1 = filterReview(review, 1);
  assert.deepEqual(p1.findings.map((f) => f.priority), [1]);
  assert.equal(p1.hidden, 1);
  assert.equal(p1.min_priority, 1);
  ReviewSchema.parse(p1);
  assert.deepEqual(filterReview(review, 3).findings.length, 2);
  assert.equal(filterReview(review, 3).hidden, 0);
  assert.equal(filterReview(review, 0).findings.length, 0);
  assert.equal(filterReview(review, null), review, "no filter: the same review");
});

Deno.test("terminal: the verdict, then one row per finding — priority, file:lines, title without its tag", () => {
  const review = fixtureReview("0.169.0", "review");
  const lines = renderReview(review, false, 120);
  assert.deepEqual(lines, [
    "review: patch is incorrect  confidence 0.75  2 findings",
    "  The empty-input case breaks the change; the unnamed literal is a smaller issue.",
    "  P1  app.js:2-3    Handle the empty input in app.js",
    "  P2  notes.md:1-2  Name the magic value in notes.md",
  ]);
  const filtered = renderReview(filterReview(review, 1), false, 120);
  assert.equal(filtered[0], "review: patch is incorrect  confidence 0.75  1 finding (1 below P1 not shown)");
  const text = renderReview(fixtureReview("0.130.0", "review_text"), false, 120);
  assert.deepEqual(text, [
    "review: no verdict (text review)  1 finding",
    "  I read the change and found one thing worth fixing.",
    "  P2  app.js:2  Drop the debug print",
  ]);
  // narrow terminals: every row fits
  for (const line of renderReview(review, false, 40)) assert.ok(line.length <= 40, line);
  // colour only when asked
  assert.ok(renderReview(review, true, 120).some((l) => l.includes("\x1b[31m")));
  // a verdict with a review renders it below the verdict's rows
  const human = renderHuman(okEnvelope("review", "cdx-0a1b", { ...VERDICT, review }), false);
  assert.match(human, /completed turn_complete[\s\S]*review: patch is incorrect[\s\S]*P1 {2}app\.js:2-3/);
});
