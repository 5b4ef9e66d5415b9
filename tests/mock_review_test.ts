/** The mock model as a reviewer: how it recognises a review turn and what it reads from it. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseRequest } from "./support/mock_model.ts";
import { changedRanges, isReviewRequest, mockReview, reviewAsk, reviewReply } from "./support/mock_review.ts";
import { git, scratchRepo } from "./support/review_scenarios.ts";

const user = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });
const developer = (text: string) => ({
  type: "message",
  role: "developer",
  content: [{ type: "input_text", text }],
});
const UNCOMMITTED =
  "Review the current code changes (staged, unstaged, and untracked files) and provide prioritized findings.";

Deno.test("a review turn is recognised from 0.130's instructions and from 0.169's developer message only", () => {
  const legacy = parseRequest({
    instructions: "# Review guidelines:\n\nYou are…",
    input: [user(UNCOMMITTED)],
  });
  const paginated = parseRequest({
    input: [developer("# Review guidelines:\n\nYou are…"), user(UNCOMMITTED)],
  });
  const task = parseRequest({ instructions: "You are Codex", input: [user("# Review guidelines are nice")] });
  assert.equal(isReviewRequest(legacy), true);
  assert.equal(isReviewRequest(paginated), true);
  assert.equal(isReviewRequest(task), false);
});

Deno.test("what to review is read from Codex's own wording of each target", () => {
  assert.deepEqual(reviewAsk(UNCOMMITTED), { kind: "uncommitted" });
  assert.deepEqual(
    reviewAsk(
      'Review the code changes introduced by commit 0123abcd ("Title here"). Provide prioritized, actionable findings.',
    ),
    { kind: "commit", sha: "0123abcd", title: "Title here" },
  );
  const sha = "a".repeat(40);
  assert.deepEqual(
    reviewAsk(
      `Review the code changes against the base branch 'dev'. The merge base commit for this comparison is ${sha}.`,
    ),
    { kind: "base", branch: "dev", mergeBase: sha },
  );
  assert.deepEqual(reviewAsk("look at security"), { kind: "custom", text: "look at security" });
});

Deno.test("changed ranges: the first added hunk of each file, deletions and removed files skipped", () => {
  const diff = [
    "diff --git a/x.ts b/x.ts",
    "--- a/x.ts",
    "+++ b/x.ts",
    "@@ -3,0 +4,2 @@",
    "+a",
    "+b",
    "@@ -9 +11 @@",
    "diff --git a/gone.ts b/gone.ts",
    "--- a/gone.ts",
    "+++ /dev/null",
    "@@ -1,3 +0,0 @@",
    "diff --git a/y.ts b/y.ts",
    "--- a/y.ts",
    "+++ b/y.ts",
    "@@ -5,2 +5,0 @@",
    "@@ -8 +7 @@",
  ].join("\n");
  assert.deepEqual(changedRanges(diff), [
    { file: "x.ts", start: 4, end: 5 },
    { file: "y.ts", start: 7, end: 7 },
  ]);
});

Deno.test("the default review: two findings of different priority on real changed lines; none for an empty diff", async () => {
  const repo = await Deno.makeTempDir({ prefix: "codexctl-mock-review-" });
  try {
    await scratchRepo(repo);
    await Deno.writeTextFile(join(repo, "README.md"), "# scratch\nmore\n");
    const req = parseRequest({
      input: [
        developer("# Review guidelines:"),
        user(`<environment_context>\n  <cwd>${repo}</cwd>\n</environment_context>`),
        user(UNCOMMITTED),
      ],
    });
    const reply = reviewReply(req);
    assert.ok(reply && reply.kind === "message");
    const out = JSON.parse(reply.text);
    assert.deepEqual(out.findings.map((f: { priority: number }) => f.priority), [2, 1]);
    for (const f of out.findings) {
      assert.deepEqual(f.code_location, {
        absolute_file_path: join(repo, "README.md"),
        line_range: { start: 2, end: 2 },
      });
    }
    await git(repo, "checkout", "--", "README.md");
    const clean = JSON.parse((reviewReply(req) as { text: string }).text);
    assert.deepEqual(clean.findings, []);
    assert.equal(clean.overall_correctness, "patch is correct");
    // a custom prompt's directives decide instead
    assert.equal(
      reviewReply(parseRequest({ input: [developer("# Review guidelines:"), user("{{say fine}}")] })),
      null,
    );
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
  assert.equal(mockReview([], "/r").findings.length, 0);
});
