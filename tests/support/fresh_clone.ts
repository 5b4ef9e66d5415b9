/**
 * A fresh clone's layout for launcher and plugin tests: the files `git clone` would give that a
 * run needs (no `.tools`, `.cache` or `dist`), copied from this checkout's working copy so the
 * code under test is what is being changed.
 *
 * @module
 */
import { join } from "node:path";
import { REPO_ROOT } from "./paths.ts";

const KEEP = /^(bin|src|hooks|skills|\.claude-plugin)\/|^(deno\.json|deno\.lock|scripts\/dev)$/;

/** Copies the plugin and source files of this checkout into a new temporary directory. */
export async function freshClone(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-clone-" });
  // tracked files plus new ones not yet committed (never ignored ones)
  const listed = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: REPO_ROOT,
    stdout: "piped",
  }).output();
  const files = new TextDecoder().decode(listed.stdout).split("\0").filter((f) => KEEP.test(f));
  for (const file of new Set(files)) {
    const from = join(REPO_ROOT, file);
    const info = await Deno.stat(from).catch(() => null);
    if (!info?.isFile) continue; // deleted in the working copy
    await Deno.mkdir(join(dir, file, ".."), { recursive: true });
    await Deno.copyFile(from, join(dir, file));
    if (info.mode !== null) await Deno.chmod(join(dir, file), info.mode & 0o777);
  }
  return dir;
}
