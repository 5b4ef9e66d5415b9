/**
 * What `codexctl review` asks Codex to review, as `codex exec review` arguments. Codex takes a
 * target (`--uncommitted`, `--base BRANCH`, `--commit SHA [--title T]`) or custom instructions, never
 * both (clap refuses `--uncommitted` with a prompt — observed on 0.169.0 and 0.130.0). So with
 * `--prompt`, codexctl words the target itself in the instructions and adds the caller's text; for
 * `--base` it names the merge base, as Codex does (found with git, argv only).
 *
 * @module
 */

/** A review target. */
export type ReviewTarget =
  | { kind: "uncommitted" }
  | { kind: "base"; branch: string }
  | { kind: "commit"; sha: string; title: string | null };

/** The target in words, for summaries (`uncommitted changes`, `commit abc1234`, `against main`). */
export function describeTarget(t: ReviewTarget): string {
  switch (t.kind) {
    case "uncommitted":
      return "the uncommitted changes";
    case "base":
      return `the changes against ${t.branch}`;
    case "commit":
      return `commit ${t.sha.slice(0, 12)}${t.title ? ` (${t.title})` : ""}`;
  }
}

/**
 * The instructions codexctl gives for a target plus the caller's own (`--prompt`). `mergeBase` is
 * the base branch's merge base with HEAD (null when git could not find one).
 */
export function reviewInstructions(t: ReviewTarget, prompt: string, mergeBase: string | null): string {
  let what: string;
  switch (t.kind) {
    case "uncommitted":
      what = "Review the uncommitted changes of this repository: staged, unstaged and untracked files.";
      break;
    case "commit":
      what = `Review the changes made by commit ${t.sha}${t.title ? ` ("${t.title}")` : ""}.`;
      break;
    case "base":
      what = mergeBase
        ? `Review the changes of the current branch against the base branch '${t.branch}'. Their merge base is ${mergeBase}: \`git diff ${mergeBase}\` shows the changes.`
        : `Review the changes of the current branch against the base branch '${t.branch}' (find the merge base with \`git merge-base HEAD ${t.branch}\`).`;
      break;
  }
  return `${what} Give prioritized findings.\n\nAlso: ${prompt.trim()}`;
}

/** The arguments after `codex exec … review`: the target, or the instructions when there is a prompt. */
export function reviewArgs(t: ReviewTarget, prompt: string | null, mergeBase: string | null): string[] {
  if (prompt !== null && prompt.trim()) return [reviewInstructions(t, prompt, mergeBase)];
  switch (t.kind) {
    case "uncommitted":
      return ["--uncommitted"];
    case "base":
      return ["--base", t.branch];
    case "commit":
      return ["--commit", t.sha, ...(t.title ? ["--title", t.title] : [])];
  }
}

/** A branch or revision name codexctl passes on: no leading dash (never read as an option), no blanks. */
export function safeRef(name: string): boolean {
  if (!/^[^-\s][^\s]{0,254}$/.test(name) || name.includes("..") || /[~^:?*[\\]/.test(name)) return false;
  return [...name].every((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f);
}

/** A revision codexctl hands to git (`HEAD~1`, a short sha …): no leading dash, no blanks or control characters. */
export function safeRevision(rev: string): boolean {
  return /^[^-\s][^\s]{0,254}$/.test(rev) &&
    [...rev].every((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f);
}

async function gitLine(cwd: string, args: string[], git: string): Promise<string | null> {
  try {
    const out = await new Deno.Command(git, {
      args: ["-C", cwd, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    })
      .output();
    const line = new TextDecoder().decode(out.stdout).trim();
    return out.success && line ? line : null;
  } catch {
    return null;
  }
}

/** The base branch's merge base with HEAD in `cwd` (git argv), or null. `branch` must be {@linkcode safeRef}. */
export async function mergeBase(cwd: string, branch: string, git = "git"): Promise<string | null> {
  if (!safeRef(branch)) return null;
  const sha = await gitLine(cwd, ["merge-base", "HEAD", branch], git);
  return sha && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/** The full commit id a revision names in `cwd` (`HEAD~1`, a short sha …), or null when it names none. */
export async function resolveCommit(cwd: string, rev: string, git = "git"): Promise<string | null> {
  if (!safeRevision(rev)) return null;
  const sha = await gitLine(
    cwd,
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`],
    git,
  );
  return sha && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/** True when `branch` names a commit in `cwd` (a local or remote-tracking branch, a tag …). */
export async function refExists(cwd: string, branch: string, git = "git"): Promise<boolean> {
  return safeRef(branch) && (await resolveCommit(cwd, branch, git)) !== null;
}
