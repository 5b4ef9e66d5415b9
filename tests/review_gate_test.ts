/**
 * The review gate's pure parts: the decision, the working tree's content hash (real git), what it
 * remembers (reviews per tree, marks per owner) and its config section.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decideGate, type GateEvidence, reviewCommand } from "../src/hook/review_gate.ts";
import { readTree, type TreeState } from "../src/review/tree.ts";
import {
  addMark,
  marksFor,
  readMarks,
  readReviews,
  recordReview,
  reviewOfTree,
  reviewsPath,
  type TreeReview,
} from "../src/review/store.ts";
import { parseApprovalConfig, parseReviewGateConfig } from "../src/policy/config.ts";
import { CodexctlError } from "../src/errors.ts";
import { git, scratchRepo } from "./support/review_scenarios.ts";

const TREE = { ok: true as const, root: "/repo", hash: "h1", changed: 2 };

function evidence(over: Partial<GateEvidence> = {}): GateEvidence {
  return {
    settings: { enabled: true, min_priority: 1 },
    stopHookActive: false,
    tree: TREE,
    review: null,
    given: new Set(),
    codex: { ok: true },
    cwd: "/repo",
    ...over,
  };
}

function review(over: Partial<TreeReview> = {}): TreeReview {
  return {
    tree: "h1",
    at: new Date().toISOString(),
    status: "done",
    session: "cdx-0a1b",
    thread: "t1",
    error: null,
    findings: [
      { priority: 2, title: "[P2] Name the magic value", file: "a.js", line: 3 },
      { priority: 1, title: "[P1] Handle the empty input", file: "a.js", line: 2 },
    ],
    total: 2,
    ...over,
  };
}

Deno.test("gate: an unreviewed changed tree blocks once with the exact review command", () => {
  const d = decideGate(evidence());
  assert.equal(d.action, "block");
  assert.ok(d.action === "block" && d.kind === "review");
  assert.match(d.reason, /Run `codexctl review --uncommitted`/);
  // elsewhere in the repository: the command names the root
  const sub = decideGate(evidence({ cwd: "/repo/src" }));
  assert.ok(sub.action === "block" && sub.reason.includes("`codexctl review --uncommitted --cwd /repo`"));
  assert.equal(reviewCommand("/my repo", null), "codexctl review --uncommitted --cwd '/my repo'");
  assert.equal(reviewCommand("/it's", null), `codexctl review --uncommitted --cwd '/it'\\''s'`);
  // the same tree again: never a second time
  assert.deepEqual(decideGate(evidence({ given: new Set(["review"]) })), {
    action: "allow",
    why: "already_given",
  });
});

Deno.test("gate: never on stop_hook_active, when disabled, outside a repository or on a clean tree", () => {
  assert.deepEqual(decideGate(evidence({ stopHookActive: true })), {
    action: "allow",
    why: "stop_hook_active",
  });
  assert.deepEqual(
    decideGate(evidence({ stopHookActive: true, review: review(), tree: TREE })),
    { action: "allow", why: "stop_hook_active" },
    "not even with findings open",
  );
  assert.deepEqual(decideGate(evidence({ settings: { enabled: false, min_priority: 1 } })), {
    action: "allow",
    why: "disabled",
  });
  assert.deepEqual(
    decideGate(
      evidence({ tree: { ok: false, why: "not_a_repo", message: "/x is not inside a git repository" } }),
    ),
    { action: "allow", why: "not_a_repo" },
  );
  assert.deepEqual(decideGate(evidence({ tree: { ...TREE, changed: 0 } })), {
    action: "allow",
    why: "clean",
  });
});

Deno.test("gate: open findings at or above min_priority block once more for the same tree; below it, none", () => {
  const d = decideGate(evidence({ review: review(), given: new Set(["review"]) }));
  assert.ok(d.action === "block" && d.kind === "findings");
  assert.match(d.reason, /1 open finding at P1 or above:\n- P1 Handle the empty input \(a\.js:2\)/);
  assert.doesNotMatch(d.reason, /magic value/, "a P2 finding is below P1");
  assert.match(d.reason, /codexctl send --session/);
  assert.deepEqual(
    decideGate(evidence({ review: review(), given: new Set(["review", "findings"]) })),
    { action: "allow", why: "already_given" },
  );
  assert.deepEqual(decideGate(evidence({ review: review(), settings: { enabled: true, min_priority: 0 } })), {
    action: "allow",
    why: "reviewed",
  });
  const p2 = decideGate(evidence({ review: review(), settings: { enabled: true, min_priority: 2 } }));
  assert.ok(p2.action === "block" && /2 open findings/.test(p2.reason));
  // findings without a priority never block
  assert.deepEqual(
    decideGate(
      evidence({ review: review({ findings: [{ priority: null, title: "x", file: null, line: null }] }) }),
    ),
    { action: "allow", why: "reviewed" },
  );
  assert.deepEqual(decideGate(evidence({ review: review({ status: "running", findings: [] }) })), {
    action: "allow",
    why: "review_running",
  });
});

Deno.test("gate: a failure never blocks — Codex missing, a failed review, git failing: told once", () => {
  const cases: Partial<GateEvidence>[] = [
    { codex: { ok: false, message: "codex was not found on PATH" } },
    { review: review({ status: "failed", error: "Codex exited with status 1", findings: [] }) },
    { tree: { ok: false, why: "git_missing", message: "git is not installed" } },
    { tree: { ok: false, why: "git_failed", message: "fatal: bad object HEAD" } },
  ];
  for (const c of cases) {
    const d = decideGate(evidence(c));
    assert.equal(d.action, "tell", JSON.stringify(c));
    assert.ok(d.action === "tell" && d.kind === "failure" && d.message.startsWith("codexctl review gate:"));
    assert.deepEqual(decideGate(evidence({ ...c, given: new Set(["failure"]) })), {
      action: "allow",
      why: "already_given",
    });
  }
});

async function withRepo(fn: (repo: string) => Promise<void>): Promise<void> {
  const repo = await Deno.makeTempDir({ prefix: "codexctl-tree-" });
  try {
    await scratchRepo(repo);
    await fn(repo);
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
}

async function tree(cwd: string): Promise<TreeState> {
  const r = await readTree(cwd);
  assert.ok(r.ok, JSON.stringify(r));
  return r.tree;
}

Deno.test("tree hash: tracked and untracked content count, ignored files and staging do not, a revert restores it", async () => {
  await withRepo(async (repo) => {
    const clean = await tree(repo);
    assert.equal(clean.changed, 0);
    assert.equal(clean.root, repo);
    await Deno.writeTextFile(join(repo, "README.md"), "# scratch\nchanged\n");
    const edited = await tree(repo);
    assert.equal(edited.changed, 1);
    assert.notEqual(edited.hash, clean.hash);
    await git(repo, "add", "README.md");
    assert.equal((await tree(repo)).hash, edited.hash, "staging the same content is the same state");
    await Deno.writeTextFile(join(repo, "README.md"), "# scratch\nchanged again\n");
    const again = await tree(repo);
    assert.notEqual(again.hash, edited.hash, "the working copy's content counts, not the index's");
    await Deno.writeTextFile(join(repo, "README.md"), "# scratch\nchanged\n");
    assert.equal((await tree(repo)).hash, edited.hash, "same content, same state");
    await Deno.writeTextFile(join(repo, "new\nline.txt"), "untracked\n");
    const untracked = await tree(repo);
    assert.equal(untracked.changed, 2);
    assert.notEqual(untracked.hash, edited.hash);
    await Deno.writeTextFile(join(repo, ".gitignore"), "*.log\n");
    const ignoreFile = await tree(repo);
    await Deno.writeTextFile(join(repo, "noise.log"), "ignored\n");
    assert.equal((await tree(repo)).hash, ignoreFile.hash, "ignored files never count");
    await Deno.mkdir(join(repo, "sub"));
    assert.equal((await tree(join(repo, "sub"))).hash, ignoreFile.hash, "any directory of the repository");
    await Deno.symlink("README.md", join(repo, "link"));
    const linked = await tree(repo);
    assert.notEqual(linked.hash, ignoreFile.hash);
    await Deno.remove(join(repo, "README.md"));
    const deleted = await tree(repo);
    assert.notEqual(deleted.hash, linked.hash, "a deleted file is a change");
    await git(repo, "checkout", "--", "README.md");
    assert.equal((await tree(repo)).hash, linked.hash);
  });
});

Deno.test("tree hash: HEAD counts (a commit is a new state); a repository without commits; the read budget", async () => {
  await withRepo(async (repo) => {
    await Deno.writeTextFile(join(repo, "a.txt"), "a\n");
    const before = await tree(repo);
    await git(repo, "add", "a.txt");
    await git(repo, "commit", "-q", "-m", "a");
    const after = await tree(repo);
    assert.equal(after.changed, 0);
    assert.notEqual(after.hash, before.hash);
    // past the budget, size and mtime stand in for content
    await Deno.writeTextFile(join(repo, "big.bin"), "x".repeat(2048));
    const small = await readTree(repo, { maxFileBytes: 1024 });
    assert.ok(small.ok && small.tree.changed === 1);
  });
  const empty = await Deno.makeTempDir({ prefix: "codexctl-tree-" });
  try {
    await git(empty, "init", "-q");
    await Deno.writeTextFile(join(empty, "f.txt"), "f\n");
    const t = await tree(empty);
    assert.equal(t.head, null);
    assert.equal(t.changed, 1);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("tree hash: outside a repository, git missing — a reading that says why, never a throw", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-notrepo-" });
  try {
    const r = await readTree(dir);
    assert.deepEqual(r.ok ? null : r.why, "not_a_repo");
    const gone = await readTree(join(dir, "does-not-exist"));
    assert.equal(gone.ok ? null : gone.why, "not_a_repo");
    const noGit = await readTree(dir, { git: join(dir, "no-such-git") });
    assert.equal(noGit.ok ? null : noGit.why, "git_missing");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: reviews per tree (a running review becomes done), marks once per tree and kind, broken files read empty", async () => {
  const state = await Deno.makeTempDir({ prefix: "codexctl-gate-state-" });
  try {
    assert.deepEqual(await readReviews(state, "/repo"), []);
    await recordReview(state, "/repo", review({ status: "running", findings: [], total: 0 }));
    assert.equal((await reviewOfTree(state, "/repo", "h1"))?.status, "running");
    await recordReview(state, "/repo", review());
    assert.equal((await readReviews(state, "/repo")).length, 1, "the same session and tree: updated");
    assert.equal((await reviewOfTree(state, "/repo", "h1"))?.status, "done");
    assert.equal(await reviewOfTree(state, "/repo", "h2"), null);
    assert.equal(await reviewOfTree(state, "/other", "h1"), null);
    for (let i = 0; i < 30; i++) {
      await recordReview(state, "/repo", review({ tree: `t${i}`, session: `cdx-${i}` }));
    }
    assert.equal((await readReviews(state, "/repo")).length, 20);
    await addMark(state, "owner-1", { root: "/repo", tree: "h1", kind: "review", at: "now" });
    await addMark(state, "owner-1", { root: "/repo", tree: "h1", kind: "review", at: "later" });
    await addMark(state, "owner-1", { root: "/repo", tree: "h1", kind: "findings", at: "now" });
    assert.equal((await readMarks(state, "owner-1")).length, 2);
    assert.deepEqual([...marksFor(await readMarks(state, "owner-1"), "/repo", "h1")].sort(), [
      "findings",
      "review",
    ]);
    assert.equal(marksFor(await readMarks(state, "owner-2"), "/repo", "h1").size, 0, "marks are per owner");
    await Deno.writeTextFile(reviewsPath(state, "/repo"), "{not json");
    assert.deepEqual(await readReviews(state, "/repo"), []);
  } finally {
    await Deno.remove(state, { recursive: true });
  }
});

Deno.test("config: review_gate is off unless enabled; min_priority P0-P3 or 0-3; anything else is BAD_CONFIG", () => {
  assert.deepEqual(parseReviewGateConfig("", "/c.jsonc"), { enabled: false, min_priority: 1 });
  assert.deepEqual(parseReviewGateConfig(`{"approvals": {}}`, "/c.jsonc"), {
    enabled: false,
    min_priority: 1,
  });
  assert.deepEqual(parseReviewGateConfig(`{"review_gate": {"enabled": true}}`, "/c.jsonc"), {
    enabled: true,
    min_priority: 1,
  });
  assert.deepEqual(
    parseReviewGateConfig(
      `{ // comment\n "review_gate": {"enabled": true, "min_priority": "P2",},}`,
      "/c.jsonc",
    ),
    { enabled: true, min_priority: 2 },
  );
  assert.equal(
    parseReviewGateConfig(`{"review_gate": {"enabled": true, "min_priority": 0}}`, "/c").min_priority,
    0,
  );
  for (
    const bad of [`{"min_priority": "P7"}`, `{"min_priority": "high"}`, `{"enabled": "yes"}`, `{"when": 1}`]
  ) {
    assert.throws(
      () => parseReviewGateConfig(`{"review_gate": ${bad}}`, "/c.jsonc"),
      (err: unknown) =>
        err instanceof CodexctlError && err.code === "BAD_CONFIG" && /review_gate/.test(err.message),
      bad,
    );
    assert.throws(() => parseApprovalConfig(`{"review_gate": ${bad}}`, "/c.jsonc"), /review_gate/);
  }
  assert.equal(parseApprovalConfig(`{"review_gate": {"enabled": true}}`, "/c").autoApprove, false);
});
