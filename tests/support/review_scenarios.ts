/**
 * The review scenarios: `codex exec review` on a scratch repository prepared for each target, with
 * the mock model as the reviewer (`mock_review.ts`). The fixture recorder plays them on both pinned
 * versions (tests/fixtures/codex-<version>/review*\/) and the live tests replay them, so both do the
 * same thing. Each scenario prepares its repository and returns the `review` arguments (a commit
 * scenario needs the sha it just made).
 *
 * @module
 */
import { join } from "node:path";
import type { CodexInstall } from "./codex_bin.ts";
import type { CodexHome } from "./codex_home.ts";
import { type ExecResult, findRollout, listRollouts, runExec } from "./codex_exec.ts";

/** A recorded review scenario. */
export interface ReviewScenario {
  name: string;
  summary: string;
  /** Prepares `repo` (a git repository with one commit of README.md) and returns the review arguments. */
  setup(repo: string): Promise<string[]>;
}

/** Runs git in `cwd` with a fixed identity; returns stdout (trimmed). Throws on failure. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: {
      GIT_AUTHOR_NAME: "fixture",
      GIT_AUTHOR_EMAIL: "fixture@example.invalid",
      GIT_COMMITTER_NAME: "fixture",
      GIT_COMMITTER_EMAIL: "fixture@example.invalid",
      GIT_CONFIG_NOSYSTEM: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`git ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** A fresh repository at `dir` on branch main with one commit (README.md). */
export async function scratchRepo(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  await git(dir, "init", "-q", "-b", "main");
  await Deno.writeTextFile(join(dir, "README.md"), "# scratch\n");
  await git(dir, "add", "README.md");
  await git(dir, "commit", "-q", "-m", "init");
}

async function commitFile(repo: string, file: string, text: string, message: string): Promise<string> {
  await Deno.writeTextFile(join(repo, file), text);
  await git(repo, "add", file);
  await git(repo, "commit", "-q", "-m", message);
  return await git(repo, "rev-parse", "HEAD");
}

/** The plain-text review the `review_text` scenario's reviewer answers (a custom prompt's `{{say}}`). */
export const TEXT_REVIEW = "I read the change and found one thing worth fixing.\n\n" +
  "- [P2] Drop the debug print — app.js:2\n  It prints on every call.";

/** Every review scenario, in recording order. */
export const REVIEW_SCENARIOS: readonly ReviewScenario[] = [
  {
    name: "review",
    summary:
      "review --uncommitted: a tracked change and an untracked file; the reviewer answers two findings (P2 listed first, P1)",
    async setup(repo) {
      await commitFile(repo, "app.js", "export function first(lines) {\n  return lines[0];\n}\n", "app");
      await Deno.writeTextFile(
        join(repo, "app.js"),
        "export function first(lines) {\n  const limit = 42;\n  return lines[0].slice(0, limit);\n}\n",
      );
      await Deno.writeTextFile(join(repo, "notes.md"), "# notes\n\ntodo\n");
      return ["--uncommitted"];
    },
  },
  {
    name: "review_commit",
    summary:
      "review --commit SHA --title T: the findings are on the files of that commit, not on the later ones",
    async setup(repo) {
      await commitFile(repo, "feature.js", "export const feature = () => 1;\n", "feature");
      const sha = await commitFile(
        repo,
        "commit.js",
        "export const chosen = 2;\nexport const more = 3;\n",
        "chosen",
      );
      await commitFile(repo, "later.js", "export const later = 4;\n", "later");
      await Deno.writeTextFile(join(repo, "dirty.js"), "uncommitted\n");
      return ["--commit", sha, "--title", "Add the chosen constants"];
    },
  },
  {
    name: "review_base",
    summary: "review --base main on a feature branch: the findings are on the branch's files",
    async setup(repo) {
      await git(repo, "checkout", "-q", "-b", "feature");
      await commitFile(repo, "branch_a.js", "export const a = 1;\n", "a");
      await commitFile(repo, "branch_b.js", "export const b = 2;\n", "b");
      return ["--base", "main"];
    },
  },
  {
    name: "review_text",
    summary:
      "a custom review prompt the reviewer answers in plain text: Codex keeps it as overall_explanation only",
    async setup(repo) {
      await commitFile(repo, "app.js", "export const x = 1;\n", "app");
      await Deno.writeTextFile(join(repo, "app.js"), "export const x = 1;\nconsole.log(x);\n");
      return [`{{say ${TEXT_REVIEW}}}`];
    },
  },
];

/** The scenario called `name`. */
export function reviewScenario(name: string): ReviewScenario {
  const sc = REVIEW_SCENARIOS.find((s) => s.name === name);
  if (!sc) throw new Error(`no review scenario ${name}`);
  return sc;
}

/** A review run: the exec result, the parent thread's rollout and the reviewer's own rollout. */
export interface ReviewPlay extends ExecResult {
  args: string[];
  rolloutPath: string | null;
  /** The rollout of the reviewer sub-agent (`source: {subagent: "review"}`), when Codex wrote one. */
  reviewerRolloutPath: string | null;
}

/** Prepares `repo` (a fresh scratch repository) and runs the scenario's `codex exec review`. */
export async function playReview(
  scenario: ReviewScenario,
  install: CodexInstall,
  home: CodexHome,
  repo: string,
): Promise<ReviewPlay> {
  await scratchRepo(repo);
  const args = await scenario.setup(repo);
  const before = new Set(await listRollouts(home.dir));
  const result = await runExec(install, home, "", { cwd: repo, review: args });
  const rolloutPath = result.threadId ? await findRollout(home.dir, result.threadId) : null;
  const fresh = (await listRollouts(home.dir)).filter((f) => !before.has(f) && f !== rolloutPath);
  return { ...result, args, rolloutPath, reviewerRolloutPath: fresh[0] ?? null };
}
