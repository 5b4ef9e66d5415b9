/**
 * Where the hooks keep their files under the state root, computed without `node:path` (the
 * no-change hook path must stay lean):
 * - `hooks/<owner-key>.json`: the per-owner cursor index (one entry per watched target);
 * - `hook-progress/<owner-key>--<target-key>.json`: the progress record of one target
 *   (`observe/progress.ts`);
 * - `follows/<owner-key>.json` and `follows/everyone.json`: threads and sessions to follow;
 * - `locks/hook-<owner-key>.lock`: the owner's delivery lock;
 * - `logs/hooks.jsonl`: the hook log (`log.ts`).
 *
 * @module
 */
import { fnv64 } from "../hash.ts";
import { joinPath } from "../store/state_root.ts";

/** Store kind of the per-owner cursor indexes. */
export const HOOK_INDEX_KIND = "hooks";
/** Store kind of follow lists. */
export const FOLLOW_KIND = "follows";
/** The follow list every Claude Code session reads. */
export const EVERYONE = "everyone";

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;

/** A file-name-safe key for an owner id: `o-<id>` when the id is safe, else `o-h<hash>`. */
export function ownerKey(owner: string): string {
  return SAFE.test(owner) && !owner.includes("..") ? `o-${owner}` : `o-h${fnv64(owner)}`;
}

/** The key of a watched target: the session id, or `thread-<uuid>`. */
export function targetKey(target: { session: string | null; thread: string | null }): string {
  return target.session ?? `thread-${target.thread}`;
}

/** The index file of an owner. */
export function indexPath(root: string, owner: string): string {
  return joinPath(root, HOOK_INDEX_KIND, `${ownerKey(owner)}.json`);
}

/** The follow list files an owner reads: its own, then everyone's. */
export function followPaths(root: string, owner: string): string[] {
  return [
    joinPath(root, FOLLOW_KIND, `${ownerKey(owner)}.json`),
    joinPath(root, FOLLOW_KIND, `${EVERYONE}.json`),
  ];
}
