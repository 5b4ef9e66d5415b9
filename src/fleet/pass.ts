/**
 * The synced pass over an owner's fleet — the one way anything is marked as told to Claude. Under
 * the owner's lock it re-reads the cursor index (another process may have delivered in the
 * meantime), observes the targets that moved (`observe_target.ts`), lets the caller mark what it
 * tells, then commits: progress files first, the index last (an atomic rename — the commit point).
 * The caller prints only after the commit. So with any number of parallel hook processes, a
 * waiting wake-up hook and a `watch --all --mine`, each change is claimed by exactly one of them;
 * a pass that runs out of time gives up before the commit and claims nothing, leaving the change
 * to the next one.
 *
 * @module
 */
import { Store } from "../store/store.ts";
import {
  HOOK_PROGRESS_KIND,
  type ProgressRecord,
  progressRecord,
  readProgress,
} from "../observe/progress.ts";
import {
  type CursorEntry,
  type CursorIndex,
  deliverable,
  emptyIndex,
  HOOK_INDEX_KIND,
  indexPath,
  probe,
  readIndex,
  unchanged,
} from "./cursor.ts";
import { observeTarget } from "./observe_target.ts";
import { quarantine, type Quarantined } from "../store/quarantine.ts";
import { compileFailurePatterns, type FailurePatterns } from "../verdict/tool_failure.ts";
import { type FleetTarget, ownerKey } from "./targets.ts";

/** What a pass needs to know. */
export interface PassContext {
  env: { get(key: string): string | undefined };
  root: string;
  owner: string;
  /** ms epoch after which nothing may be committed any more. */
  deadline: number;
  /** An open turn whose rollout is silent this long is stalled (`CODEXCTL_HOOK_STALL_SEC`). */
  stallMs: number;
  /** The failure rule's patterns (default: the built-in ones; `policy/failure_config.ts` reads the config's). */
  failures?: FailurePatterns;
  /** Told which targets were observed anew (the hooks log it under `CODEXCTL_HOOK_TRACE`). */
  trace?: (observed: string[]) => Promise<void>;
}

/** What a pass did besides the index, for the caller to say (filled at the commit). */
export interface PassNotes {
  /** The owner's index was corrupt: moved aside here, and nothing it may have told was told again. */
  quarantined?: Quarantined | null;
}

const DEFAULT_PATTERNS = compileFailurePatterns();

/** Thrown when a pass is past its deadline before the commit (nothing was committed). */
export class OverBudget extends Error {
  constructor() {
    super("the pass ran out of time before committing; the change stays for the next one");
    this.name = "OverBudget";
  }
}

/** The lock every pass of one owner takes (`locks/hook-<owner-key>.lock`). */
export function ownerLockName(owner: string): string {
  return `hook-${ownerKey(owner)}`;
}

function progressId(owner: string, key: string): string {
  return `${ownerKey(owner)}--${key}`;
}

/**
 * Runs `mark` on the freshly synced index under the owner's lock and commits what it marked.
 * Returns what `mark` returned.
 */
export async function withSyncedIndex<T>(
  ctx: PassContext,
  targets: FleetTarget[],
  mark: (index: CursorIndex) => T,
  notes: PassNotes = {},
): Promise<T> {
  const store = new Store(ctx.root);
  const lockMs = Math.max(100, ctx.deadline - Date.now());
  return await store.withLock(ownerLockName(ctx.owner), async () => {
    const now = Date.now();
    const path = indexPath(ctx.root, ctx.owner);
    const old = readIndex(path, ctx.owner);
    const next = emptyIndex(ctx.owner);
    const saves: { id: string; record: ProgressRecord }[] = [];
    for (const target of targets) {
      const previous: CursorEntry | undefined = old.entries[target.key];
      const probed = probe(target, previous);
      if (previous && unchanged(target, probed, previous, now)) {
        next.entries[target.key] = previous;
        continue;
      }
      const id = progressId(ctx.owner, target.key);
      const observed = await observeTarget(
        target,
        previous,
        previous ? await readProgress(store, HOOK_PROGRESS_KIND, id) : null,
        {
          env: ctx.env,
          now,
          probed,
          stallMs: ctx.stallMs,
          maxBytes: 64 * 1024 * 1024,
          failures: ctx.failures ?? DEFAULT_PATTERNS,
        },
      );
      next.entries[target.key] = observed.entry;
      if (observed.progress) {
        saves.push({ id, record: progressRecord({ ...observed.progress, stalled: observed.entry.stalled }) });
      }
    }
    if (ctx.trace) {
      await ctx.trace(targets.filter((t) => next.entries[t.key] !== old.entries[t.key]).map((t) => t.key));
    }
    if (old.corrupt) {
      // what the lost index may already have told is not told again: only later changes are
      for (const e of Object.values(next.entries)) if (deliverable(e)) e.delivered = e.sig;
    }
    const before = JSON.stringify(next.entries);
    const result = mark(next);
    const same = saves.length === 0 && Object.keys(old.entries).length === Object.keys(next.entries).length &&
      JSON.stringify(next.entries) === before && before === JSON.stringify(old.entries);
    if (same) return result; // another process already committed all of it: nothing to write
    if (Date.now() > ctx.deadline) throw new OverBudget();
    for (const s of saves) await store.write(HOOK_PROGRESS_KIND, s.id, s.record);
    for (const key of Object.keys(old.entries)) {
      if (!next.entries[key]) {
        await store.remove(HOOK_PROGRESS_KIND, progressId(ctx.owner, key)).catch(() => {});
      }
    }
    next.updated = new Date().toISOString();
    if (old.corrupt) notes.quarantined = await quarantine(path, old.corrupt);
    await store.write(HOOK_INDEX_KIND, ownerKey(ctx.owner), next);
    return result;
  }, { timeoutMs: lockMs });
}
