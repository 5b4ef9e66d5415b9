/**
 * One target, looked at properly: locate its rollout when needed, fold the bytes it gained since
 * the saved progress, add whether its Codex process lives, and let the verdict machine decide. The
 * hook adds one judgement of its own: an open turn whose rollout stayed silent for the stall time
 * is "stalled" (as `watch` reports it).
 *
 * @module
 */
import { codexHome, locateThread } from "../codex/rollout/locate.ts";
import { threadEvidence } from "../codex/rollout/observe.ts";
import { freshProgress, readThread, type ThreadProgress } from "../codex/rollout/reader.ts";
import type { Evidence } from "../verdict/evidence.ts";
import { decide } from "../verdict/machine.ts";
import { type CursorEntry, type Probe, probe } from "./cursor.ts";
import { briefOf, isActionable, signature } from "./signature.ts";
import type { HookTarget } from "./targets.ts";

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
}

/** Retry locating a thread whose rollout is missing after this long. */
const RELOCATE_MS = 30_000;

/** The result of observing one target. */
export interface TargetObservation {
  entry: CursorEntry;
  /** The progress to save (null: nothing to save, e.g. no rollout). */
  progress: ThreadProgress | null;
}

/** Observes `target`, continuing from `previous` and its saved `progress`. */
export async function observeTarget(
  target: HookTarget,
  previous: CursorEntry | undefined,
  saved: ThreadProgress | null,
  o: ObserveTargetOptions,
): Promise<TargetObservation> {
  let p: Probe = o.probed;
  let located = false;
  if (target.thread && (p.path === null || p.size < 0)) {
    // no path yet, or the file moved (archived): find it by thread id
    const found = await locateThread(target.codex_home ?? codexHome(o.env), target.thread).catch(() => null);
    if (found) {
      p = probe({ ...target, path: found.path }, undefined);
      located = true;
    }
  }
  const base = {
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
  };
  let progress: ThreadProgress | null = null;
  let evidence: Evidence;
  let more = false;
  if (p.path && p.size >= 0) {
    const start = saved && !located && previous?.path === p.path && saved.cursor.ino === p.ino
      ? saved
      : freshProgress();
    const read = await readThread(p.path, start, { keepEvents: false, maxBytes: o.maxBytes });
    progress = read.progress;
    more = read.more;
    const threadId = progress.state.thread_id ?? target.thread ?? "";
    evidence = (await threadEvidence(
      { id: threadId, path: p.path, via: "sessions", archived: false },
      progress,
      { expect: target.expect, marker: target.marker, session: target.session, now: o.now },
    )).evidence;
    evidence.target = { session: target.session, thread: target.thread ?? progress.state.thread_id };
  } else {
    evidence = {
      target: { session: target.session, thread: target.thread },
      now: o.now,
      thread: null,
      pane: null,
      process: null,
      marker: target.marker,
      artifacts: [],
    };
  }
  evidence.process = p.alive === null ? null : { alive: p.alive };
  // a dead process changes the verdict only while a turn is open (or before there is a rollout)
  const status = progress?.state.status ?? null;
  const pidMatters = status === null || status === "working" || status === "waiting_input" ||
    status === "waiting_approval_probable";
  if (more) {
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
  const { verdict } = decide(evidence);
  const working = verdict.state === "working";
  const silentMs = p.mtime === null ? 0 : o.now - p.mtime;
  const stalled = working && p.mtime !== null && silentMs >= o.stallMs;
  let recheck: number | null = null;
  if (working && !stalled && p.mtime !== null) recheck = p.mtime + o.stallMs;
  else if (target.thread && (p.path === null || p.size < 0)) recheck = o.now + RELOCATE_MS;
  const summary = stalled
    ? `No rollout activity for ${duration(silentMs)} while the turn is open (${verdict.summary})`
    : verdict.summary;
  return {
    entry: {
      ...base,
      pid_matters: pidMatters,
      recheck_at: recheck,
      catching_up: false,
      sig: signature(verdict, progress?.state.turn_count ?? 0, stalled),
      actionable: isActionable(verdict, stalled),
      stalled,
      verdict: { ...briefOf(verdict), summary },
    },
    progress,
  };
}

/** `45 s` or `12 min`. */
export function duration(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
