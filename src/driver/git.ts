/**
 * Running git (argv arrays only) for worktrees and commit detection.
 *
 * @module
 */

/** One git run. */
export interface GitResult {
  ok: boolean;
  out: string;
  err: string;
}

/** Runs `git -C cwd …args`. */
export async function git(cwd: string, args: string[]): Promise<GitResult> {
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", cwd, ...args],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    return {
      ok: out.success,
      out: new TextDecoder().decode(out.stdout).trim(),
      err: new TextDecoder().decode(out.stderr).trim(),
    };
  } catch (err) {
    return { ok: false, out: "", err: err instanceof Error ? err.message : String(err) };
  }
}
