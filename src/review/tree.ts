/**
 * The working tree's state as one content hash: what `codex exec review --uncommitted` would look
 * at (tracked files that differ from HEAD, staged or not, and untracked files git does not ignore),
 * so the review gate can tell "this very tree was reviewed" from "it changed since". git runs with
 * argv arrays only, never through a shell.
 *
 * The hash covers HEAD's commit and, for every changed path (sorted), its kind and content: a file's
 * SHA-256, a symlink's target, or "deleted". Files past the read budget (one file over 64 MiB, or
 * more than 256 MiB in all) are hashed by size and modification time instead of content.
 *
 * @module
 */

/** One changed path's entry in the hash. */
interface Entry {
  path: string;
  kind: "file" | "link" | "deleted" | "other" | "stat";
  digest: string;
}

/** The working tree, read. */
export interface TreeState {
  /** The repository's top-level directory. */
  root: string;
  /** HEAD's commit; null in a repository without commits. */
  head: string | null;
  /** The content hash (hex SHA-256) of HEAD plus every changed path. */
  hash: string;
  /** How many paths differ from HEAD (untracked ones included); 0: nothing to review. */
  changed: number;
}

/** Why the tree could not be read. */
export type TreeFailure = "not_a_repo" | "git_missing" | "git_failed";

/** The result of {@linkcode readTree}. */
export type TreeReading = { ok: true; tree: TreeState } | { ok: false; why: TreeFailure; message: string };

/** Options of {@linkcode readTree}. */
export interface ReadTreeOptions {
  /** The git executable (default `git` on PATH). */
  git?: string;
  /** Most bytes of one file read for its hash (default 64 MiB). */
  maxFileBytes?: number;
  /** Most bytes read in all (default 256 MiB); later files are hashed by size and mtime. */
  maxTotalBytes?: number;
}

interface Run {
  ok: boolean;
  out: Uint8Array;
  err: string;
  missing: boolean;
}

async function run(git: string, cwd: string, args: string[]): Promise<Run> {
  try {
    const out = await new Deno.Command(git, {
      args: ["-C", cwd, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { GIT_OPTIONAL_LOCKS: "0" },
    }).output();
    return {
      ok: out.success,
      out: out.stdout,
      err: new TextDecoder().decode(out.stderr).trim(),
      missing: false,
    };
  } catch (err) {
    return {
      ok: false,
      out: new Uint8Array(),
      err: err instanceof Error ? err.message : String(err),
      missing: err instanceof Deno.errors.NotFound,
    };
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const nulList = (bytes: Uint8Array) => text(bytes).split("\0").filter(Boolean);

async function sha256(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The repository's top-level directory for `cwd`, or null outside a repository (or without git). */
export async function repoRoot(cwd: string, git = "git"): Promise<string | null> {
  const top = await run(git, cwd, ["rev-parse", "--show-toplevel"]);
  return top.ok ? text(top.out).trim() || null : null;
}

/** Reads the working tree at `cwd` (any directory inside the repository). Never throws. */
export async function readTree(cwd: string, options: ReadTreeOptions = {}): Promise<TreeReading> {
  const git = options.git ?? "git";
  const top = await run(git, cwd, ["rev-parse", "--show-toplevel"]);
  if (top.missing) return { ok: false, why: "git_missing", message: `git is not installed (${top.err})` };
  if (!top.ok) {
    return /not a git repository/i.test(top.err) ||
        /No such file or directory|cannot change to/i.test(top.err)
      ? { ok: false, why: "not_a_repo", message: `${cwd} is not inside a git repository` }
      : { ok: false, why: "git_failed", message: `git rev-parse failed: ${top.err.slice(0, 300)}` };
  }
  const root = text(top.out).trim();
  const headRun = await run(git, root, ["rev-parse", "--verify", "-q", "HEAD"]);
  const head = headRun.ok ? text(headRun.out).trim() : null;
  const tracked = head
    ? await run(git, root, ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "HEAD", "--"])
    : await run(git, root, ["ls-files", "-z", "--cached"]);
  const untracked = await run(git, root, ["ls-files", "-z", "--others", "--exclude-standard"]);
  for (const r of [tracked, untracked]) {
    if (!r.ok) {
      return {
        ok: false,
        why: "git_failed",
        message: `git could not list the changes: ${r.err.slice(0, 300)}`,
      };
    }
  }
  const paths = [...new Set([...nulList(tracked.out), ...nulList(untracked.out)])].sort();
  const entries = await hashPaths(root, paths, options);
  const body = [`head\0${head ?? "-"}`, ...entries.map((e) => `${e.path}\0${e.kind}\0${e.digest}`)].join(
    "\n",
  );
  return { ok: true, tree: { root, head, hash: await sha256(body), changed: paths.length } };
}

async function hashPaths(root: string, paths: string[], options: ReadTreeOptions): Promise<Entry[]> {
  const maxFile = options.maxFileBytes ?? 64 * 1024 * 1024;
  let budget = options.maxTotalBytes ?? 256 * 1024 * 1024;
  const out: Entry[] = [];
  for (const path of paths) {
    const full = `${root}/${path}`;
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(full);
    } catch {
      out.push({ path, kind: "deleted", digest: "-" });
      continue;
    }
    if (info.isSymlink) {
      const target = await Deno.readLink(full).catch(() => "?");
      out.push({ path, kind: "link", digest: await sha256(target) });
    } else if (info.isFile && info.size <= maxFile && info.size <= budget) {
      budget -= info.size;
      const data = await Deno.readFile(full).catch(() => null);
      out.push(
        data
          ? { path, kind: "file", digest: await sha256(data) }
          : { path, kind: "other", digest: "unreadable" },
      );
    } else {
      // a directory (a nested repository), a special file, or past the read budget
      out.push({
        path,
        kind: info.isFile ? "stat" : "other",
        digest: `${info.size}:${info.mtime?.getTime() ?? 0}`,
      });
    }
  }
  return out;
}
