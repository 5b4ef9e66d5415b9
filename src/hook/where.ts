/**
 * Where the hooks keep their files, computed without `node:path` or any other heavy import: the
 * no-change hook path must start about as fast as an empty `deno run` (loading `node:path` alone
 * costs more than the whole budget). `store/paths.ts` `stateRoot` is `hookStateRoot`, throwing where
 * this returns null.
 *
 * Layout under the state root:
 * - `hooks/<owner-key>.json`: the per-owner cursor index (one entry per watched target);
 * - `hook-progress/<owner-key>--<target-key>.json`: the folded rollout progress of one target;
 * - `follows/<owner-key>.json` and `follows/everyone.json`: threads and sessions to follow;
 * - `locks/hook-<owner-key>.lock`: the owner's delivery lock;
 * - `logs/hooks.jsonl`: the hook log (errors, deliveries, blocks), written by `logHook` below: one
 *   JSON line per event, so what a hook did (or why it said nothing) can be read afterwards. A hook
 *   never prints diagnostics to stdout, and a failure to log is swallowed too.
 *
 * @module
 */

/** Store kinds used by the hooks. */
export const HOOK_INDEX_KIND = "hooks";
/** Store kind of per-target rollout progress. */
export const HOOK_PROGRESS_KIND = "hook-progress";
/** Store kind of follow lists. */
export const FOLLOW_KIND = "follows";
/** The follow list every Claude Code session reads. */
export const EVERYONE = "everyone";
/** The hook log's name (`logs/hooks.jsonl`). */
export const HOOK_LOG = "hooks";

/** The state root (`store/paths.ts` `stateRoot` uses it); null when none can be found. */
export function hookStateRoot(env: { get(key: string): string | undefined }): string | null {
  const own = env.get("CODEXCTL_HOME");
  if (own && own.startsWith("/")) return own;
  const xdg = env.get("XDG_STATE_HOME");
  if (xdg && xdg.startsWith("/")) return joinPath(xdg, "codexctl");
  const home = env.get("HOME");
  if (home && home.startsWith("/")) return joinPath(home, ".local", "state", "codexctl");
  return null;
}

/**
 * A number from the environment: `fallback` when `key` is unset, blank or not a finite number, or
 * is not more than 0 (with `allowZero`: is negative).
 */
export function envNumber(
  env: { get(key: string): string | undefined },
  key: string,
  fallback: number,
  allowZero = false,
): number {
  const raw = env.get(key);
  const n = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  return Number.isFinite(n) && (allowZero ? n >= 0 : n > 0) ? n : fallback;
}

/** Joins path segments with `/`, collapsing duplicate slashes (no `.`/`..` handling needed here). */
export function joinPath(...parts: string[]): string {
  return parts.join("/").replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");
}

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

/** A 64-bit hash (two 32-bit FNV-1a lanes) of a string's UTF-16 code units, as 16 hex digits. Stable, not cryptographic. */
export function fnv64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** Writes all of `text` as UTF-8 to `target` (loops over partial writes). */
export async function writeAll(
  target: { write(p: Uint8Array): Promise<number> },
  text: string,
): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += await target.write(bytes.subarray(offset));
}

/** Appends one record (with `time`) to the hook log under `root`; never throws. */
export async function logHook(root: string | null, record: Record<string, unknown>): Promise<void> {
  if (!root) return;
  try {
    const dir = joinPath(root, "logs");
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const line = JSON.stringify({ time: new Date().toISOString(), ...record }).slice(0, 8000) + "\n";
    const file = await Deno.open(joinPath(dir, `${HOOK_LOG}.jsonl`), {
      append: true,
      create: true,
      mode: 0o600,
    });
    try {
      await writeAll(file, line);
    } finally {
      file.close();
    }
  } catch {
    // nowhere to log: stay silent
  }
}

/** A short, single-line description of a thrown value for the log. */
export function describeError(err: unknown): { error: string; stack?: string } {
  if (err instanceof Error) {
    return { error: `${err.name}: ${err.message}`, stack: err.stack?.split("\n").slice(0, 6).join(" | ") };
  }
  return { error: String(err) };
}
