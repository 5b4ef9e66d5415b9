/**
 * The review gate's decision at Stop — pure: evidence in, decision out (the Stop hook gathers the
 * evidence, applies the decision and remembers its mark). Opt-in (`review_gate.enabled` in
 * config.jsonc). The rules, in order:
 *
 * 1. Disabled, or `stop_hook_active` (the re-check after any block): let Claude stop.
 * 2. The working tree cannot be read: outside a repository say nothing; git missing or failing:
 *    tell once, let Claude stop (a failure never blocks).
 * 3. Nothing uncommitted: nothing to review, let Claude stop.
 * 4. This very tree state was reviewed:
 *    - the review failed: tell once, let Claude stop;
 *    - it is still running (`review_stop.ts` read its session first): let Claude stop (the session's
 *      own Stop rules speak for it);
 *    - findings at or above `min_priority` are open: block once, naming them;
 *    - otherwise let Claude stop.
 * 5. Not reviewed: Codex cannot run here → tell once, let Claude stop; else block once with the
 *    exact `codexctl review --uncommitted` command.
 *
 * "Once" is per tree state and kind (`review`, `findings`, `failure`): a tree state is blocked at
 * most twice — once to ask for the review, once more if that review of the same tree left findings
 * open — and any change to the tree is a new state. Findings without a priority never block.
 *
 * @module
 */
import type { MarkKind, NotedFinding, TreeReview } from "../review/store.ts";
import type { TreeFailure } from "../review/tree.ts";
import { clip } from "../text.ts";

/** The gate's settings (`review_gate` in config.jsonc). */
export interface GateSettings {
  enabled: boolean;
  /** Findings at this priority or higher (0 = P0 is the highest) keep Claude working. */
  min_priority: number;
}

/** What the Stop hook gathered for the gate. */
export interface GateEvidence {
  settings: GateSettings;
  stopHookActive: boolean;
  /** The working tree: read, or why not. */
  tree:
    | { ok: true; root: string; hash: string; changed: number }
    | { ok: false; why: TreeFailure; message: string };
  /** The latest review of exactly this tree state, if any. */
  review: TreeReview | null;
  /** What was already given for this tree state. */
  given: ReadonlySet<MarkKind>;
  /** Codex can be run (`codexctl review` would find it); `message` says why not. */
  codex: { ok: true } | { ok: false; message: string };
  /** The directory Claude works in (the command names `--cwd` when it is not the repository's root). */
  cwd: string | null;
}

/** Why the gate let Claude stop. */
export type AllowWhy =
  | "disabled"
  | "stop_hook_active"
  | "not_a_repo"
  | "clean"
  | "review_running"
  | "reviewed"
  | "already_given";

/** The gate's decision. */
export type GateDecision =
  | { action: "allow"; why: AllowWhy }
  /** Block the Stop; `reason` is what Claude reads. */
  | { action: "block"; kind: "review" | "findings"; reason: string }
  /** Let Claude stop and tell the user (and the log) why the gate could not do its work. */
  | { action: "tell"; kind: "failure"; message: string };

/** The exact review command for this tree (with `--cwd` when Claude is elsewhere). */
export function reviewCommand(root: string, cwd: string | null): string {
  return cwd === root
    ? "codexctl review --uncommitted"
    : `codexctl review --uncommitted --cwd ${shellWord(root)}`;
}

function shellWord(value: string): string {
  return /^[A-Za-z0-9_\/.,:@%+=-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The findings that keep Claude working: a priority at or above the minimum. */
export function openFindings(review: TreeReview, minPriority: number): NotedFinding[] {
  return review.findings.filter((f) => f.priority !== null && f.priority <= minPriority);
}

function findingLine(f: NotedFinding): string {
  const where = f.file === null ? "" : ` (${f.file}${f.line === null ? "" : `:${f.line}`})`;
  return `- P${f.priority} ${clip(f.title.replace(/^\s*\[P[0-3]\]\s*/, ""), 160)}${where}`;
}

/** Decides what the gate does at this Stop. */
export function decideGate(e: GateEvidence): GateDecision {
  if (!e.settings.enabled) return { action: "allow", why: "disabled" };
  if (e.stopHookActive) return { action: "allow", why: "stop_hook_active" };
  const tree = e.tree;
  if (!tree.ok) {
    if (tree.why === "not_a_repo") return { action: "allow", why: "not_a_repo" };
    if (e.given.has("failure")) return { action: "allow", why: "already_given" };
    return {
      action: "tell",
      kind: "failure",
      message: `codexctl review gate: could not read the working tree (${
        clip(tree.message, 200)
      }); no review was asked for`,
    };
  }
  if (tree.changed === 0) return { action: "allow", why: "clean" };
  const review = e.review;
  if (review) {
    if (review.status === "running") return { action: "allow", why: "review_running" };
    if (review.status === "failed") {
      if (e.given.has("failure")) return { action: "allow", why: "already_given" };
      return {
        action: "tell",
        kind: "failure",
        message: `codexctl review gate: the review of this working tree failed (${
          clip(review.error ?? "no reason given", 200)
        }); Claude was let stop without one`,
      };
    }
    const open = openFindings(review, e.settings.min_priority);
    if (open.length === 0) return { action: "allow", why: "reviewed" };
    if (e.given.has("findings")) return { action: "allow", why: "already_given" };
    const shown = open.slice(0, 8).map(findingLine);
    const more = open.length > shown.length ? [`- … and ${open.length - shown.length} more`] : [];
    return {
      action: "block",
      kind: "findings",
      reason: [
        `Codex's review of these uncommitted changes has ${open.length} open finding${
          open.length === 1 ? "" : "s"
        } at P${e.settings.min_priority} or above:`,
        ...shown,
        ...more,
        "Check each one. Fix the real ones; a finding you disagree with can go back to Codex with " +
        `\`codexctl send --session ${
          review.session ?? "<review session>"
        } --message '<the finding and why>'\`. Tell the user what you ` +
        "fixed and what you disputed. This gate will not block again for this state of the working tree.",
      ].join("\n"),
    };
  }
  if (e.given.has("review")) return { action: "allow", why: "already_given" };
  if (!e.codex.ok) {
    if (e.given.has("failure")) return { action: "allow", why: "already_given" };
    return {
      action: "tell",
      kind: "failure",
      message: `codexctl review gate: Codex cannot run here (${
        clip(e.codex.message, 200)
      }); no review was asked for`,
    };
  }
  return {
    action: "block",
    kind: "review",
    reason: `The working tree has uncommitted changes Codex has not reviewed. Run \`${
      reviewCommand(tree.root, e.cwd)
    }\` and deal with its findings before you finish (this gate asks once for this state of the working tree).`,
  };
}
