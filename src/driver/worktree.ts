/**
 * `--worktree`: a plain `git worktree` per session on a unique `codex/<slug>` branch under
 * `<repo>/.worktrees/`, and merge-aware teardown — removed only when the branch has no commits
 * the caller's branch lacks and the tree is clean, kept with a reason otherwise.
 *
 * @module
 */
import { join } from "node:path";
import { environmentError, usageError } from "../errors.ts";
import type { SessionRecord } from "../session/record.ts";
import { git } from "./git.ts";

/** The worktree of a session. */
export type Worktree = NonNullable<SessionRecord["worktree"]>;

/** Creates the worktree for `slug` in the repository that contains `cwd`. */
export async function createWorktree(cwd: string, slug: string, keep: boolean): Promise<Worktree> {
  const top = await git(cwd, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) {
    throw usageError(
      "NO_REPO",
      `--worktree needs a git repository, and ${cwd} is not inside one`,
      "run from a repository or pass --cwd <repo>",
    );
  }
  const repo = top.out;
  const callerBranch = (await git(repo, ["rev-parse", "--abbrev-ref", "HEAD"])).out;
  let branch = `codex/${slug}`;
  for (let n = 2; (await git(repo, ["show-ref", "--verify", "--quiet", `refs/heads/${branch}`])).ok; n++) {
    branch = `codex/${slug}-${n}`;
  }
  const path = join(repo, ".worktrees", branch.replaceAll("/", "-"));
  const add = await git(repo, ["worktree", "add", "-b", branch, path, "HEAD"]);
  if (!add.ok) {
    throw environmentError("WORKTREE_FAILED", `git worktree add failed: ${add.err || "unknown error"}`, {
      retryable: true,
      suggestion: "check the repository has a commit and .worktrees/ is writable, then retry",
    });
  }
  return { repo, branch, path, caller_branch: callerBranch === "HEAD" ? "" : callerBranch, keep };
}

/** What teardown did with a worktree. */
export type WorktreeTeardown =
  | { kept: false; branch: string; path: string; removed: boolean; branch_deleted: boolean; errors: string[] }
  | {
    kept: true;
    branch: string;
    path: string;
    ahead: number;
    dirty: boolean;
    reason: "keep_worktree" | "dirty_tree" | "unmerged_commits" | "unknown_state";
  };

/** Removes the worktree and its branch when merged and clean; otherwise keeps it and says why. */
export async function teardownWorktree(wt: Worktree): Promise<WorktreeTeardown> {
  if (wt.keep) {
    return { kept: true, branch: wt.branch, path: wt.path, ahead: -1, dirty: false, reason: "keep_worktree" };
  }
  const exists = await Deno.stat(wt.path).then(() => true, () => false);
  const count = wt.caller_branch
    ? await git(wt.repo, ["rev-list", "--count", `${wt.caller_branch}..${wt.branch}`])
    : { ok: false, out: "", err: "" };
  const ahead = count.ok ? Number(count.out) : -1;
  const status = exists ? await git(wt.path, ["status", "--porcelain"]) : { ok: true, out: "", err: "" };
  const dirty = !status.ok || status.out.length > 0;
  if (ahead !== 0 || dirty) {
    return {
      kept: true,
      branch: wt.branch,
      path: wt.path,
      ahead,
      dirty,
      reason: dirty ? "dirty_tree" : ahead > 0 ? "unmerged_commits" : "unknown_state",
    };
  }
  const errors: string[] = [];
  let removed = !exists;
  if (exists) {
    const rm = await git(wt.repo, ["worktree", "remove", "--force", wt.path]);
    removed = rm.ok;
    if (!rm.ok) errors.push(rm.err);
  }
  await git(wt.repo, ["worktree", "prune"]);
  const del = await git(wt.repo, ["branch", "-D", wt.branch]);
  if (!del.ok && !/not found/.test(del.err)) errors.push(del.err);
  return { kept: false, branch: wt.branch, path: wt.path, removed, branch_deleted: del.ok, errors };
}
