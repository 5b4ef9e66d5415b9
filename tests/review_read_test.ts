/** A thread's review read back: from its rollout (structured), else from the final message (text). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readReview } from "../src/codex/rollout/review_read.ts";
import { repoRoot } from "../src/review/tree.ts";
import { homeFromFixtures } from "./support/fixtures.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { scratchRepo } from "./support/review_scenarios.ts";

const meta = (v: string, s: string) =>
  JSON.parse(Deno.readTextFileSync(join(FIXTURES_DIR, `codex-${v}`, s, "meta.json")));

Deno.test("readReview: the rollout's review when the thread is found; the final message's text otherwise", async () => {
  const { home, threads } = await homeFromFixtures([
    { version: "0.169.0", scenario: "review", kind: "exec" },
    { version: "0.130.0", scenario: "review_commit", kind: "exec" },
  ]);
  try {
    for (const [i, scenario] of ["review", "review_commit"].entries()) {
      const version = i === 0 ? "0.169.0" : "0.130.0";
      const r = await readReview({
        codexHome: home,
        threadId: threads[i].id,
        repoRoot: meta(version, scenario).cwd,
        finalMessage: "ignored when the rollout says",
      });
      assert.equal(r.source, "rollout");
      assert.equal(r.review?.structured, true);
      assert.equal(r.review?.findings.length, 2);
      assert.equal(r.review?.findings[0].priority, 1);
      assert.equal(r.rollout_path, threads[i].path);
    }
    assert.equal(
      (await readReview({ codexHome: home, threadId: threads[1].id, repoRoot: null, finalMessage: null }))
        .target?.type,
      "commit",
    );
    const text = await readReview({
      codexHome: home,
      threadId: "01a24700-0000-7000-8000-0000000000aa",
      repoRoot: "/r",
      finalMessage:
        "Looks risky.\n\nFull review comments:\n\n- [P0] Stop the leak — /r/a.ts:3-4\n  It leaks.",
    });
    assert.equal(text.source, "text");
    assert.deepEqual(text.review?.findings.map((f) => [f.priority, f.file, f.start_line, f.end_line]), [[
      0,
      "a.ts",
      3,
      4,
    ]]);
    assert.equal(text.review?.structured, false);
    const none = await readReview({ codexHome: home, threadId: null, repoRoot: null, finalMessage: "  " });
    assert.deepEqual(none, { review: null, source: null, target: null, rollout_path: null });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("repoRoot: the top level from any directory inside; null outside", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-root-" });
  try {
    await scratchRepo(join(dir, "repo"));
    await Deno.mkdir(join(dir, "repo", "a", "b"), { recursive: true });
    assert.equal(await repoRoot(join(dir, "repo", "a", "b")), join(dir, "repo"));
    assert.equal(await repoRoot(dir), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
