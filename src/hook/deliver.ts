/**
 * What each hook event tells Claude, loaded only when a cheap look saw something move. Every event
 * goes through the fleet's synced pass (`fleet/pass.ts`): under the owner's lock it observes what
 * moved, marks what this hook tells as delivered and commits before the text is printed, so each
 * change is told by exactly one hook process (or wake-up, or `watch --all --mine`).
 *
 * @module
 */
import { type CursorEntry, deliverable, failureNews } from "../fleet/cursor.ts";
import { type PassContext, type PassNotes, withSyncedIndex } from "../fleet/pass.ts";
import type { HookInput } from "./input.ts";
import { briefText, stopReason, type Told, toldText } from "./render.ts";
import { seenVerdicts } from "./seen.ts";
import { type StopCandidate, stopCandidates, workingPolicy } from "./stop_rules.ts";
import { failurePatterns } from "../policy/failure_config.ts";
import type { FleetTarget } from "../fleet/targets.ts";
import { logHook } from "./log.ts";

/** Everything a hook run knows: a fleet pass's context plus the hook's input. */
export interface HookContext extends PassContext {
  input: HookInput;
}

/**
 * The pass context of a hook run: the failure patterns of `config.jsonc` (a broken config is logged
 * and the defaults apply: a hook never fails), and its trace goes to the hook log under
 * `CODEXCTL_HOOK_TRACE`.
 */
async function passOf(ctx: HookContext): Promise<PassContext> {
  const failures = await failurePatterns(ctx.env, ctx.root).catch(async (err) => {
    await logHook(ctx.root, {
      event: ctx.input.hook_event_name,
      note: `failure patterns: ${err instanceof Error ? err.message : String(err)}; the defaults apply`,
    });
    return undefined;
  });
  if (!ctx.env.get("CODEXCTL_HOOK_TRACE")) return { ...ctx, failures };
  return {
    ...ctx,
    failures,
    trace: (observed) =>
      logHook(ctx.root, { event: ctx.input.hook_event_name, trace: "delivery pass", observed }),
  };
}

/** What the user is told, once, when the pass moved a corrupt index aside (null: nothing). */
function indexNote(notes: PassNotes): string | null {
  const q = notes.quarantined;
  if (!q) return null;
  return `codexctl: the delivery index of this conversation (${q.path}) was corrupt (${q.why}) and was moved to ${q.moved_to}; changes before now are not reported again (codexctl sessions lists every session)`;
}

/** The hook's JSON output, with `systemMessage` added when there is a note (null: nothing to say). */
export function hookOutput(out: Record<string, unknown> | null, note: string | null): string | null {
  if (!out && !note) return null;
  return JSON.stringify(note ? { ...(out ?? {}), systemMessage: note } : out);
}

/** PostToolUse / UserPromptSubmit: the changes nobody delivered yet, as hook output (null: none). */
export async function deliverChanges(
  ctx: HookContext,
  targets: FleetTarget[],
  event: "PostToolUse" | "UserPromptSubmit",
): Promise<string | null> {
  // what the tool call itself showed Claude (a codexctl verdict in its output) is not repeated
  const seen = seenVerdicts(ctx.input.tool_stdout);
  const skipped: string[] = [];
  const notes: PassNotes = {};
  const changed = await withSyncedIndex(await passOf(ctx), targets, (index) => {
    const out: { key: string; entry: CursorEntry; what: Told["what"] }[] = [];
    for (const [key, entry] of Object.entries(index.entries)) {
      if (failureNews(entry)) {
        // a failure in the target's tool output: told once, whatever its verdict
        entry.failure_told = entry.failure!.sig;
        out.push({ key, entry, what: "failure" });
      }
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
      out.push({ key, entry, what: "verdict" });
    }
    return out;
  }, notes);
  if (notes.quarantined) await logHook(ctx.root, { event, owner: ctx.owner, quarantined: notes.quarantined });
  if (skipped.length) {
    await logHook(ctx.root, { event, owner: ctx.owner, seen_in_tool_output: skipped });
  }
  if (!changed.length) return hookOutput(null, indexNote(notes));
  const text = toldText(changed.map((c) => ({ facts: c.entry, what: c.what })));
  await logHook(ctx.root, {
    event,
    owner: ctx.owner,
    delivered: changed.map((c) => ({
      key: c.key,
      sig: c.what === "failure" ? c.entry.failure!.sig : c.entry.sig,
      ...(c.what === "failure" ? { failure: true } : {}),
    })),
    chars: text.length,
  });
  return hookOutput(
    { hookSpecificOutput: { hookEventName: event, additionalContext: text } },
    indexNote(notes),
  );
}

/** Stop: one block naming what still needs Claude (null: allow). */
export async function stopDecision(ctx: HookContext, targets: FleetTarget[]): Promise<string | null> {
  const policy = workingPolicy(ctx.env);
  const notes: PassNotes = {};
  const items = await withSyncedIndex(await passOf(ctx), targets, (index) => {
    const out: StopCandidate[] = [];
    for (const c of stopCandidates(index.entries, policy, ctx.input.background_tasks)) {
      c.entry.stop_blocked = c.entry.sig;
      if (c.why !== "working") c.entry.delivered = c.entry.sig;
      out.push(c);
      // a failure in its tool output nobody told yet is told with it, once (alone it never blocks)
      if (failureNews(c.entry)) {
        c.entry.failure_told = c.entry.failure!.sig;
        out.push({ ...c, why: "failure" });
      }
    }
    return out;
  }, notes);
  if (!items.length) return hookOutput(null, indexNote(notes));
  const reason = stopReason(items.map((c) => ({ facts: c.entry, why: c.why })));
  await logHook(ctx.root, {
    event: "Stop",
    owner: ctx.owner,
    blocked: items.map((c) => ({
      key: c.key,
      sig: c.why === "failure" ? c.entry.failure!.sig : c.entry.sig,
      why: c.why,
    })),
  });
  return hookOutput({ decision: "block", reason }, indexNote(notes));
}

/** SessionStart: a brief of every target and its state (null: nothing to tell). */
export async function sessionBrief(ctx: HookContext, targets: FleetTarget[]): Promise<string | null> {
  const notes: PassNotes = {};
  const entries = await withSyncedIndex(await passOf(ctx), targets, (index) => {
    const all = Object.values(index.entries);
    // the brief states each one: what it reports counts as delivered
    for (const e of all) if (deliverable(e)) e.delivered = e.sig;
    return all;
  }, notes);
  const text = briefText(entries);
  if (!text) return hookOutput(null, indexNote(notes));
  await logHook(ctx.root, { event: "SessionStart", owner: ctx.owner, briefed: entries.length });
  return hookOutput(
    { hookSpecificOutput: { hookEventName: "SessionStart", additionalContext: text } },
    indexNote(notes),
  );
}
