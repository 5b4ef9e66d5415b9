/**
 * One hook target, looked at properly: observed through `src/observe/` (its rollout read on from
 * the saved progress — found by thread id when it has no path yet or moved —, whether its Codex
 * process lives, and the stall time), then written down as the target's cursor entry: what to
 * compare the next cheap look with, when to look again regardless, the verdict's signature and a
 * brief of it.
 *
 * @module
 */
import { codexHome } from "../codex/rollout/locate.ts";
import type { ThreadProgress } from "../codex/rollout/reader.ts";
import { observe } from "../observe/observe.ts";
import { readRollout } from "../observe/rollout.ts";
import { readExec } from "../substrate/exec_read.ts";
import { turnOpen } from "../verdict/rollout_status.ts";
import { isActionable, isStalled } from "../verdict/states.ts";
import { briefOf, type CursorEntry, type FailureBrief, type Probe, probe } from "./cursor.ts";
import type { Transition } from "../codex/rollout/fold.ts";
import { type FailurePatterns, newFailures } from "../verdict/tool_failure.ts";
import { fnv64 } from "../names.ts";
import type { FleetTarget } from "./targets.ts";

/** Options of {@linkcode observeTarget}. */
export interface ObserveTargetOptions {
  env: { get(key: string): string | undefined };
  now: number;
  /** The caller's `probe(target, previous)`, taken to see whether anything moved. */
  probed: Probe;
  /** An open turn silent this long is stalled. */
  stallMs: number;
  /** Read at most this many rollout bytes in one pass (the rest on the next hook). */
  maxBytes: number;
  /** The failure rule's patterns. */
  failures: FailurePatterns;
}

/**
 * The failure to keep: the last one the new tool outputs show (at most one per turn, and none for
 * the turn of `previous`), else `previous`.
 */
function latestFailure(
  transitions: Transition[],
  patterns: FailurePatterns,
  previous: FailureBrief | null,
): FailureBrief | null {
  const found = newFailures(transitions, patterns, previous?.turn ?? null).failures.at(-1);
  if (!found) return previous;
  return {
    sig: fnv64(`${found.turn}@${found.offset}`),
    turn: found.turn,
    kind: found.kind,
    exit_code: found.exit_code,
    summary: found.summary,
  };
}

/** Retry locating a thread whose rollout is missing after this long. */
const RELOCATE_MS = 30_000;

/** The result of observing one target. */
export interface TargetObservation {
  entry: CursorEntry;
  /** The progress to save, and the rollout it belongs to (null: nothing to save, e.g. no rollout). */
  progress: { path: string; progress: ThreadProgress } | null;
}

/** What an entry keeps of its target, of the cheap look (`p`) and of what it was told before. */
function entryBase(target: FleetTarget, p: Probe, previous: CursorEntry | undefined) {
  return {
    kind: target.kind,
    session: target.session,
    thread: target.thread,
    label: target.label,
    source_path: target.path,
    path: p.path,
    ino: p.ino,
    size: p.size,
    alive: p.alive,
    pid_matters: previous?.pid_matters ?? true,
    delivered: previous?.delivered ?? null,
    stop_blocked: previous?.stop_blocked ?? null,
    failure: previous?.failure ?? null,
    failure_told: previous?.failure_told ?? null,
  };
}

/** Observes `target`, continuing from `previous` and its saved `progress` (of the rollout at `savedPath`). */
export async function observeTarget(
  target: FleetTarget,
  previous: CursorEntry | undefined,
  saved: { path: string | null; progress: ThreadProgress } | null,
  o: ObserveTargetOptions,
): Promise<TargetObservation> {
  if (target.exec) return await observeExecTarget(target, previous, o);
  let p: Probe = o.probed;
  const missing = p.path === null || p.size < 0;
  // the saved progress continues only the file it was read from
  const same = saved && previous?.path === p.path && (saved.path === null || saved.path === p.path) &&
    saved.progress.cursor.ino === p.ino;
  const reading = missing && !target.thread ? null : await readRollout({
    path: missing ? null : p.path,
    thread: missing ? target.thread : null,
    codexHome: target.codex_home ?? codexHome(o.env),
    from: same && !missing ? saved.progress : null,
    maxBytes: o.maxBytes,
    // only what a read continuing a saved progress brings is new tool output (the first is the baseline)
    toolOutputs: true,
  }).catch(() => null);
  // found anew by thread id (no path yet, or the file moved): what the entry remembers is that file
  if (reading?.located) p = probe({ ...target, path: reading.path }, undefined);
  const base = {
    ...entryBase(target, p, previous),
    failure: latestFailure(reading?.read.tool_outputs ?? [], o.failures, previous?.failure ?? null),
  };
  const progress = reading ? { path: reading.path, progress: reading.progress } : null;
  if (reading?.read.more) {
    // mid-way through a huge rollout: the fold so far says nothing about now
    return {
      entry: {
        ...base,
        recheck_at: o.now,
        catching_up: true,
        sig: previous?.sig ?? null,
        actionable: previous?.actionable ?? false,
        stalled: previous?.stalled ?? false,
        verdict: previous?.verdict ?? null,
      },
      progress,
    };
  }
  const obs = await observe({
    target: { session: target.session, thread: target.thread ?? reading?.progress.state.thread_id ?? null },
    now: o.now,
    rollout: reading,
    process: p.alive === null ? null : { alive: p.alive },
    marker: target.marker,
    expect: reading ? target.expect : [],
    stallMs: o.stallMs,
  });
  const verdict = obs.verdict;
  const stalled = isStalled(verdict);
  let recheck: number | null = null;
  // a silent open turn becomes a stall at a known time: look again then, even if nothing moves
  if (verdict.state === "working" && !stalled && reading?.read.mtime != null) {
    recheck = reading.read.mtime + o.stallMs;
  } else if (target.thread && !reading) recheck = o.now + RELOCATE_MS;
  return {
    entry: {
      ...base,
      // a dead process changes the verdict only while a turn is open (or before there is a rollout)
      pid_matters: turnOpen(reading?.progress.state ?? null),
      recheck_at: recheck,
      catching_up: false,
      sig: obs.signature,
      actionable: isActionable(verdict),
      stalled,
      verdict: briefOf(verdict),
    },
    progress,
  };
}

/**
 * A headless session's newest run, observed like `status` does: its process (exit status, or pid
 * and start time) and its event stream decide; no rollout progress is kept (a run's stream is
 * small and read whole).
 */
async function observeExecTarget(
  target: FleetTarget,
  previous: CursorEntry | undefined,
  o: ObserveTargetOptions,
): Promise<TargetObservation> {
  const x = target.exec!;
  const reading = await readExec({ dir: x.run_dir, run: x.run, schema: x.schema });
  const obs = await observe({
    target: { session: target.session, thread: target.thread ?? reading.exec.thread_id },
    now: o.now,
    rollout: null,
    process: reading.process,
    exec: reading.exec,
    review: x.review
      ? { codexHome: x.review.codex_home, repoRoot: x.review.repo_root, minPriority: x.review.min_priority }
      : null,
    marker: target.marker,
    expect: target.expect,
    cwd: null,
    stallMs: o.stallMs,
  });
  const verdict = obs.verdict;
  const stalled = isStalled(verdict);
  return {
    entry: {
      // what the cheap look saw (exit.json), so the next cheap look compares like with like
      ...entryBase(target, o.probed, previous),
      // the thread is known from the run's stream before the session's record names it
      thread: target.thread ?? reading.exec.thread_id,
      pid_matters: false,
      recheck_at: verdict.state === "working" && !stalled && reading.mtime !== null
        ? reading.mtime + o.stallMs
        : null,
      catching_up: false,
      sig: obs.signature,
      actionable: isActionable(verdict),
      stalled,
      verdict: briefOf(verdict),
    },
    progress: null,
  };
}
