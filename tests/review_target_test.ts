/** What `codexctl review` asks Codex to review: the `codex exec review` arguments and the refs it resolves. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  describeTarget,
  mergeBase,
  refExists,
  resolveCommit,
  reviewArgs,
  reviewInstructions,
  safeRef,
} from "../src/review/target.ts";
import { reviewAsk } from "./support/mock_review.ts";
import { git, scratchRepo } from "./support/review_scenarios.ts";

Deno.test("targets become Codex's own flags; with --prompt codexctl words the target and adds the prompt", () => {
  assert.deepEqual(reviewArgs({ kind: "uncommitted" }, null, null), ["--uncommitted"]);
  assert.deepEqual(reviewArgs({ kind: "base", branch: "main" }, null, null), ["--base", "main"]);
  assert.deepEqual(reviewArgs({ kind: "commit", sha: "abc", title: "T" }, null, null), [
    "--commit",
    "abc",
    "--title",
    "T",
  ]);
  assert.deepEqual(reviewArgs({ kind: "commit", sha: "abc", title: null }, "  ", null), ["--commit", "abc"]);
  const [one, ...rest] = reviewArgs({ kind: "uncommitted" }, "focus on errors", null);
  assert.equal(rest.length, 0, "a prompt goes alone: Codex refuses a target with a prompt");
  assert.match(one, /uncommitted changes[\s\S]*Also: focus on errors$/);
  const sha = "b".repeat(40);
  const base = reviewInstructions({ kind: "base", branch: "dev" }, "be brief", sha);
  assert.match(base, new RegExp(`against the base branch 'dev'\\. Their merge base is ${sha}`));
  assert.match(reviewInstructions({ kind: "base", branch: "dev" }, "x", null), /git merge-base HEAD dev/);
  // the mock reads codexctl's wording as the same asks
  assert.deepEqual(reviewAsk(one), { kind: "uncommitted" });
  assert.deepEqual(reviewAsk(base), { kind: "base", branch: "dev", mergeBase: sha });
  assert.deepEqual(reviewAsk(reviewInstructions({ kind: "commit", sha, title: "T" }, "x", null)), {
    kind: "commit",
    sha,
    title: "T",
  });
  assert.equal(describeTarget({ kind: "commit", sha, title: "T" }), `commit ${sha.slice(0, 12)} (T)`);
});

Deno.test("refs: never an option, never blanks; commits resolved to full ids; merge base of a branch", async () => {
  for (const bad of ["-x", "--all", "a b", "a..b", "", "x\ny", "a~1", "a:b"]) {
    assert.equal(safeRef(bad), false, bad);
  }
  for (const good of ["main", "origin/main", "feature/x-1", "v1.2"]) assert.equal(safeRef(good), true, good);
  const repo = await Deno.makeTempDir({ prefix: "codexctl-target-" });
  try {
    await scratchRepo(repo);
    const head = await git(repo, "rev-parse", "HEAD");
    assert.equal(await resolveCommit(repo, "HEAD"), head);
    assert.equal(await resolveCommit(repo, head.slice(0, 8)), head);
    assert.equal(await resolveCommit(repo, "no-such-rev"), null);
    assert.equal(await resolveCommit(repo, "--all"), null, "an option is never passed to git");
    await git(repo, "checkout", "-q", "-b", "feature");
    await Deno.writeTextFile(join(repo, "f.txt"), "f\n");
    await git(repo, "add", "f.txt");
    await git(repo, "commit", "-q", "-m", "f");
    assert.equal(await resolveCommit(repo, "HEAD~1"), head);
    assert.equal(await mergeBase(repo, "main"), head);
    assert.equal(await mergeBase(repo, "nope"), null);
    assert.equal(await refExists(repo, "main"), true);
    assert.equal(await refExists(repo, "nope"), false);
    assert.equal(await refExists(repo, "-main"), false);
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
});
