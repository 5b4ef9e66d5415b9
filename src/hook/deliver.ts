/**
 * The delivery pass, loaded only when a cheap look saw something move. Under the owner's lock it
 * re-reads the cursor index (another hook process may have delivered in the meantime), observes
 * the targets that moved, lets the event decide what to tell Claude and marks it delivered, then
 * commits: progress files first, the index last (an atomic rename — the commit point). The text is
 * printed only after the commit, by the caller. So with any number of parallel hook processes each
 * change is delivered by exactly one of them; a process that runs out of time gives up before the
 * commit and delivers nothing, leaving the change to the next hook.
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
import type { HookInput } from "./input.ts";
import { observeTarget } from "./observe_target.ts";
import { briefText, contextText, stopReason } from "./render.ts";
import { seenVerdicts } from "./seen.ts";
import { stopCandidates, workingPolicy } from "./stop_rules.ts";
import { type HookTarget, ownerKey } from "./targets.ts";
import { logHook } from "./log.ts";

/** Everything a hook run knows. */
export interface HookContext {
  env: { get(key: string): string | undefined };
  root: string;
  owner: string;
  input: HookInput;
  /** ms epoch after which nothing may be committed any more. */
  deadline: number;
  /** An open turn whose rollout is silent this long is stalled (`CODEXCTL_HOOK_STALL_SEC`). */
  stallMs: number;
}

/** Thrown when a pass is past its deadline before the commit (nothing was committed). */
export class OverBudget extends Error {
  constructor() {
    super("the hook ran out of time before committing; the change stays for the next hook");
    this.name = "OverBudget";
  }
}

function progressId(owner: string, key: string): string {
  return `${ownerKey(owner)}--${key}`;
}

/**
 * Runs `mark` on the freshly synced index under the owner's lock and commits what it marked.
 * Returns what `mark` returned.
 */
export async function withSyncedIndex<T>(
  ctx: HookContext,
  targets: HookTarget[],
  mark: (index: CursorIndex) => T,
): Promise<T> {
  const store = new Store(ctx.root);
  const lockMs = Math.max(100, ctx.deadline - Date.now());
  return await store.withLock(`hook-${ownerKey(ctx.owner)}`, async () => {
    const now = Date.now();
    const old = readIndex(indexPath(ctx.root, ctx.owner), ctx.owner);
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
        },
      );
      next.entries[target.key] = observed.entry;
      if (observed.progress) {
        saves.push({ id, record: progressRecord({ ...observed.progress, stalled: observed.entry.stalled }) });
      }
    }
    if (ctx.env.get("CODEXCTL_HOOK_TRACE")) {
      const moved = targets.filter((t) => next.entries[t.key] !== old.entries[t.key]).map((t) => t.key);
      await logHook(ctx.root, { event: ctx.input.hook_event_name, trace: "delivery pass", observed: moved });
    }
    const before = JSON.stringify(next.entries);
    const result = mark(next);
    const same = saves.length === 0 && Object.keys(old.entries).length === Object.keys(next.entries).length &&
      JSON.stringify(next.entries) === before && before === JSON.stringify(old.entries);
    if (same) return result; // another hook already committed all of it: nothing to write
    if (Date.now() > ctx.deadline) throw new OverBudget();
    for (const s of saves) await store.write(HOOK_PROGRESS_KIND, s.id, s.record);
    for (const key of Object.keys(old.entries)) {
      if (!next.entries[key]) {
        await store.remove(HOOK_PROGRESS_KIND, progressId(ctx.owner, key)).catch(() => {});
      }
    }
    next.updated = new Date().toISOString();
    await store.write(HOOK_INDEX_KIND, ownerKey(ctx.owner), next);
    return result;
  }, { timeoutMs: lockMs });
}

/** PostToolUse / UserPromptSubmit: the changes nobody delivered yet, as hook output (null: none). */
export async function deliverChanges(
  ctx: HookContext,
  targets: HookTarget[],
  event: "PostToolUse" | "UserPromptSubmit",
): Promise<string | null> {
  // what the tool call itself showed Claude (a codexctl verdict in its output) is not repeated
  const seen = seenVerdicts(ctx.input.tool_stdout);
  const skipped: string[] = [];
  const changed = await withSyncedIndex(ctx, targets, (index) => {
    const out: { key: string; entry: CursorEntry }[] = [];
    for (const [key, entry] of Object.entries(index.entries)) {
      if (!deliverable(entry) || entry.delivered === entry.sig) continue;
      entry.delivered = entry.sig;
      const shown = (entry.session ? seen.get(entry.session) : undefined) ??
        (entry.thread ? seen.get(`thread:${entry.thread}`) : undefined);
      if (
        shown && !entry.stalled && shown.state === entry.verdict?.state &&
        shown.reason === entry.verdict?.reason
      ) {
        skipped.push(key);
        continue;
      }
      out.push({ key, entry });
    }
    return out;
  });
  if (skipped.length) {
    await logHook(ctx.root, { event, owner: ctx.owner, seen_in_tool_output: skipped });
  }
  if (!changed.length) return null;
  const text = contextText(changed.map((c) => c.entry));
  await logHook(ctx.root, {
    event,
    owner: ctx.owner,
    delivered: changed.map((c) => ({ key: c.key, sig: c.entry.sig })),
    chars: text.length,
  });
  return JSON.stringify({ hookSpecificOutput: { hookEventName: event, additionalContext: text } });
}

/** Stop: one block naming what still needs Claude (null: allow). */
export async function stopDecision(ctx: HookContext, targets: HookTarget[]): Promise<string | null> {
  const policy = workingPolicy(ctx.env);
  const items = await withSyncedIndex(ctx, targets, (index) => {
    const found = stopCandidates(index.entries, policy, ctx.input.background_tasks);
    for (const c of found) {
      c.entry.stop_blocked = c.entry.sig;
      if (c.why !== "working") c.entry.delivered = c.entry.sig;
    }
    return found;
  });
  if (!items.length) return null;
  const reason = stopReason(items.map((c) => ({ facts: c.entry, why: c.why })));
  await logHook(ctx.root, {
    event: "Stop",
    owner: ctx.owner,
    blocked: items.map((c) => ({ key: c.key, sig: c.entry.sig, why: c.why })),
  });
  return JSON.stringify({ decision: "block", reason });
}

/** SessionStart: a brief of every target and its state (null: nothing to tell). */
export async function sessionBrief(ctx: HookContext, targets: HookTarget[]): Promise<string | null> {
  const entries = await withSyncedIndex(ctx, targets, (index) => {
    const all = Object.values(index.entries);
    // the brief states each one: what it reports counts as delivered
    for (const e of all) if (deliverable(e)) e.delivered = e.sig;
    return all;
  });
  const text = briefText(entries);
  if (!text) return null;
  await logHook(ctx.root, { event: "SessionStart", owner: ctx.owner, briefed: entries.length });
  return JSON.stringify({ hookSpecificOutput: { hookEventName: "SessionStart", additionalContext: text } });
}
