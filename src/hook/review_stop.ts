/**
 * The review gate at Stop (loaded on demand by `run.ts`, only when config.jsonc mentions
 * `review_gate`): gathers the evidence — the settings, the working tree's content hash, the review
 * recorded for that very tree (one still recorded as running is read from its session first: it
 * may have ended while nobody asked, `review/run.ts` `settleRunningReview`), what this conversation
 * was already given, whether Codex can run — asks `review_gate.ts`, remembers the mark, and merges its answer into the Stop's own. A failure
 * (`tell`) is shown to the user at once (`systemMessage`) and told to Claude once, at its next
 * prompt (a note `UserPromptSubmit` delivers); Claude is let stop. Any error here is logged and the
 * gate says nothing.
 *
 * @module
 */
import { parseReviewGateConfig } from "../policy/config.ts";
import { addMark, marksFor, readMarks, reviewOfTree } from "../review/store.ts";
import { readTree } from "../review/tree.ts";
import { fnv64, joinPath } from "../names.ts";
import { describeError, logHook } from "./log.ts";
import { decideGate, type GateDecision } from "./review_gate.ts";
import type { HookInput } from "./input.ts";

/** Read-only environment access. */
interface Env {
  get(key: string): string | undefined;
}

/** Codex as `codexctl review` would find it: `$CODEXCTL_CODEX` (a path or a name on PATH), else `codex` on PATH. */
export function codexAvailable(env: Env): { ok: true } | { ok: false; message: string } {
  const wanted = env.get("CODEXCTL_CODEX")?.trim() || "codex";
  const candidates = wanted.includes("/")
    ? [wanted]
    : (env.get("PATH") ?? "").split(":").filter((d) => d.startsWith("/")).map((d) => `${d}/${wanted}`);
  for (const path of candidates) {
    try {
      const info = Deno.statSync(path);
      if (info.isFile && (info.mode === null || (info.mode & 0o111) !== 0)) return { ok: true };
    } catch {
      // not here
    }
  }
  return {
    ok: false,
    message: wanted.includes("/")
      ? `CODEXCTL_CODEX=${wanted} is not an executable file`
      : `${wanted} was not found on PATH`,
  };
}

/** The note Claude is told at its next prompt (one per conversation, replaced by a newer one). */
export function notePath(root: string, owner: string): string {
  return joinPath(root, "reviews", `note-${fnv64(owner)}.txt`);
}

/** Decides the gate for this Stop and remembers its mark; null when the gate is off or has nothing to say. */
export async function reviewGateAtStop(
  env: Env,
  root: string,
  configText: string,
  input: HookInput,
): Promise<GateDecision | null> {
  let settings;
  try {
    settings = parseReviewGateConfig(configText, joinPath(root, "config.jsonc"));
  } catch (err) {
    await logHook(root, { event: "Stop", review_gate: "config", ...describeError(err) });
    return null;
  }
  if (!settings.enabled || input.stop_hook_active || !input.cwd) return null;
  const tree = await readTree(input.cwd);
  const marks = await readMarks(root, input.session_id);
  const key = tree.ok
    ? { root: tree.tree.root, tree: tree.tree.hash }
    : { root: input.cwd, tree: "unreadable" };
  let review = tree.ok ? await reviewOfTree(root, tree.tree.root, tree.tree.hash) : null;
  if (tree.ok && review?.status === "running") {
    // it may have ended while nobody asked: read its session once
    const { settleRunningReview } = await import("../review/run.ts");
    const { Store } = await import("../store/store.ts");
    await settleRunningReview(new Store(root), env, tree.tree.root, review);
    review = await reviewOfTree(root, tree.tree.root, tree.tree.hash);
  }
  const decision = decideGate({
    settings,
    stopHookActive: input.stop_hook_active,
    tree: tree.ok
      ? { ok: true, root: tree.tree.root, hash: tree.tree.hash, changed: tree.tree.changed }
      : { ok: false, why: tree.why, message: tree.message },
    review,
    given: marksFor(marks, key.root, key.tree),
    codex: codexAvailable(env),
    cwd: input.cwd,
  });
  if (decision.action === "allow") return null;
  await addMark(root, input.session_id, { ...key, kind: decision.kind, at: new Date().toISOString() });
  if (decision.action === "tell") {
    await Deno.writeTextFile(notePath(root, input.session_id), decision.message + "\n", { mode: 0o600 });
  }
  await logHook(root, {
    event: "Stop",
    review_gate: decision.action,
    kind: decision.kind,
    root: key.root,
    tree: key.tree,
  });
  return decision;
}

/** The Stop's own answer (JSON text or null) with the gate's decision merged in. */
export function mergeStop(out: string | null, decision: GateDecision | null): string | null {
  if (!decision || decision.action === "allow") return out;
  let answer: Record<string, unknown> = {};
  if (out) {
    try {
      answer = JSON.parse(out);
    } catch {
      return out; // not ours to rewrite
    }
  }
  if (decision.action === "block") {
    const reason = typeof answer.reason === "string" && answer.decision === "block"
      ? `${answer.reason}\n\n${decision.reason}`
      : decision.reason;
    answer = { ...answer, decision: "block", reason };
  } else {
    const said = typeof answer.systemMessage === "string" ? `${answer.systemMessage}\n` : "";
    answer = { ...answer, systemMessage: said + decision.message };
  }
  return JSON.stringify(answer);
}

/**
 * UserPromptSubmit: the gate's note for Claude, once (the file is removed as it is read), merged
 * into the prompt's own answer as additional context.
 */
export async function takeNote(root: string, owner: string, out: string | null): Promise<string | null> {
  const path = notePath(root, owner);
  let note: string;
  try {
    note = (await Deno.readTextFile(path)).trim();
    await Deno.remove(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      await logHook(root, { event: "UserPromptSubmit", ...describeError(err) });
    }
    return out;
  }
  if (!note) return out;
  let answer: Record<string, unknown> = {};
  if (out) {
    try {
      answer = JSON.parse(out);
    } catch {
      return out;
    }
  }
  const specific = (answer.hookSpecificOutput ?? {}) as Record<string, unknown>;
  const context = typeof specific.additionalContext === "string" ? `${specific.additionalContext}\n` : "";
  return JSON.stringify({
    ...answer,
    hookSpecificOutput: {
      ...specific,
      hookEventName: "UserPromptSubmit",
      additionalContext: context + note.slice(0, 2000),
    },
  });
}

/** For `run.ts`: an error in the gate is logged, never thrown. */
export async function safely<T>(root: string, event: string, fn: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await logHook(root, { event, review_gate: "error", ...describeError(err) });
    return fallback;
  }
}
