/**
 * The per-owner cursor index (`hooks/<owner-key>.json`) and the cheap no-change test.
 *
 * One entry per target records what the last delivery pass saw: the rollout's inode and size,
 * whether the Codex process was alive, when to look again regardless (stalls), the verdict
 * signature and a compact verdict, and which signature was last delivered to Claude and last
 * blocked a Stop on. A hook compares a `stat` of each rollout (and, every few seconds, a signal-0
 * probe of each pid that matters) with these entries and stops there when nothing moved — no
 * rollout byte is read, no heavy module loaded. Only the delivery pass (`deliver.ts`, under the
 * owner's lock) writes the index; a quiet pid probe only touches its mtime.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import { joinPath, pidAlive } from "../names.ts";
import { type FleetTarget, ownerKey } from "./targets.ts";

/** Store kind of the per-owner cursor indexes (`hooks/<owner-key>.json`). */
export const HOOK_INDEX_KIND = "hooks";

/** The index file of an owner. */
export function indexPath(root: string, owner: string): string {
  return joinPath(root, HOOK_INDEX_KIND, `${ownerKey(owner)}.json`);
}

/** A compact verdict, enough for Stop reasons and briefs without re-reading anything. */
export interface VerdictBrief {
  state: string;
  reason: string;
  summary: string;
  /** `next_action.command` (null when the verdict names none). */
  next: string | null;
  /** The verdict's `next_action.intent`. */
  intent: string;
}

/** The compact form of a verdict kept in the index. */
export function briefOf(verdict: Verdict): VerdictBrief {
  return {
    state: verdict.state,
    reason: verdict.reason,
    summary: verdict.summary,
    next: verdict.next_action.command,
    intent: verdict.next_action.intent,
  };
}

/** What the index remembers about one target. */
export interface CursorEntry {
  kind: "session" | "thread";
  session: string | null;
  thread: string | null;
  label: string;
  /** The rollout path the record/follow entry gave when this entry was written. */
  source_path: string | null;
  /** The rollout path actually read (located from the thread id when the record had none). */
  path: string | null;
  ino: number | null;
  /** File size when last read (-1: no file). */
  size: number;
  alive: boolean | null;
  /** True when the death of the Codex process would change the verdict (an open turn, or no rollout yet). */
  pid_matters: boolean;
  /**
   * ms epoch at which to look again even if nothing moved: when a silent open turn becomes a stall,
   * or when to retry locating a thread whose rollout was not found (null: never).
   */
  recheck_at: number | null;
  /** True while a huge rollout is being read in several passes (no delivery until caught up). */
  catching_up: boolean;
  /** Signature of the current verdict (`verdict/change.ts` `verdictSignature`). */
  sig: string | null;
  /** True when that verdict is something the caller must act on or know. */
  actionable: boolean;
  stalled: boolean;
  verdict: VerdictBrief | null;
  /** The signature last delivered to Claude (hook context, Stop reason or SessionStart brief). */
  delivered: string | null;
  /** The signature a Stop block was last issued for (blocks happen once per signature). */
  stop_blocked: string | null;
  /**
   * The latest failure in the target's new tool output (`verdict/tool_failure.ts`: a failing test
   * run or a traceback, at most one per turn); absent in indexes written before failures were read.
   */
  failure?: FailureBrief | null;
  /** The signature of the failure last told to Claude (by a hook, the wake-up or `watch --all --mine`). */
  failure_told?: string | null;
}

/** A failure as the index keeps it. */
export interface FailureBrief {
  /** Unique per failure: its turn and rollout offset, hashed. */
  sig: string;
  /** The turn it happened in (`turnKey`): one failure per turn. */
  turn: string;
  kind: "output" | "exit";
  exit_code: number | null;
  summary: string;
}

/** True when `e` holds a failure nobody told Claude yet. */
export function failureNews(e: CursorEntry): boolean {
  return !!e.failure && e.failure.sig !== (e.failure_told ?? null) && !e.catching_up;
}

/** True when `e` holds a verdict to tell Claude: actionable, signed, and not mid-way through a rollout. */
export function deliverable(e: CursorEntry): boolean {
  return e.actionable && !!e.sig && !e.catching_up;
}

/** The cursor index of one owner. */
export interface CursorIndex {
  v: 1;
  owner: string;
  updated: string;
  entries: Record<string, CursorEntry>;
  /** Set (never written) when the file on disk was there but not an index: why. */
  corrupt?: string;
}

/** An empty index. */
export function emptyIndex(owner: string): CursorIndex {
  return { v: 1, owner, updated: new Date(0).toISOString(), entries: {} };
}

function isEntry(e: unknown): boolean {
  if (!e || typeof e !== "object" || Array.isArray(e)) return false;
  const x = e as Record<string, unknown>;
  return (x.kind === "session" || x.kind === "thread") && typeof x.label === "string" &&
    (x.sig === null || typeof x.sig === "string") &&
    (x.delivered === null || typeof x.delivered === "string");
}

/**
 * Reads the index at `path`; an absent one is empty. One that is there but not an index (empty,
 * torn, the wrong shape) is empty with `corrupt` saying why: the pass moves it aside and does not
 * deliver again what it may already have told (`fleet/pass.ts`).
 */
export function readIndex(path: string, owner: string): CursorIndex {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return emptyIndex(owner); // absent (or unreadable: the write says why)
  }
  let why = text.trim() ? "it is not JSON" : "it is empty";
  try {
    const data = JSON.parse(text);
    if (
      data && data.v === 1 && data.entries && typeof data.entries === "object" && !Array.isArray(data.entries)
    ) {
      if (Object.values(data.entries).every(isEntry)) {
        return { v: 1, owner, updated: String(data.updated ?? ""), entries: data.entries };
      }
      why = "an entry is not a cursor entry";
    } else why = "it is not a cursor index";
  } catch {
    // why says it
  }
  return { ...emptyIndex(owner), corrupt: why };
}

/** What a cheap look at a target shows. */
export interface Probe {
  path: string | null;
  ino: number | null;
  size: number;
  mtime: number | null;
  alive: boolean | null;
}

/**
 * Stats the target's rollout: the one the index located, while the record or follow entry still
 * names what it named then (a thread found by id, or re-found after archiving); else the path it
 * names now. With `pids`, also
 * probes its Codex process when that can change the verdict (an open turn, or no rollout yet);
 * otherwise the entry's last known liveness stands.
 */
export function probe(target: FleetTarget, entry: CursorEntry | undefined, pids = true): Probe {
  const path = entry?.path && entry.source_path === target.path
    ? entry.path
    : target.path ?? entry?.path ?? null;
  let ino: number | null = null;
  let size = -1;
  let mtime: number | null = null;
  if (path) {
    try {
      const info = Deno.statSync(path);
      ino = info.ino ?? null;
      size = info.size;
      mtime = info.mtime?.getTime() ?? null;
    } catch {
      // gone (archived, deleted): size -1
    }
  }
  let alive: boolean | null = null;
  if (target.exec) {
    // a headless run: its supervisor writes exit.json the moment Codex is gone
    try {
      Deno.statSync(`${target.exec.run_dir}/exit.json`);
      alive = false;
    } catch {
      alive = true;
    }
  } else if (target.pid !== null) {
    alive = pids && (entry?.pid_matters ?? true) ? pidAlive(target.pid) : entry?.alive ?? null;
  }
  return { path, ino, size, mtime, alive };
}

/** True when nothing about `target` moved since `entry` was written. */
export function unchanged(
  target: FleetTarget,
  p: Probe,
  entry: CursorEntry | undefined,
  now: number,
): boolean {
  if (!entry || entry.catching_up) return false;
  if (entry.source_path !== target.path || entry.label !== target.label) return false;
  if (entry.path !== p.path || entry.ino !== p.ino || entry.size !== p.size || entry.alive !== p.alive) {
    return false;
  }
  return entry.recheck_at === null || now < entry.recheck_at;
}

/** Options of {@linkcode nothingChanged}. */
export interface QuietCheck {
  /** The index file: its mtime is when pids were last probed (every write or touch of it). */
  indexPath: string;
  /** Probe pids when the last probe is older than this (0: always). */
  pidCheckMs: number;
}

/**
 * True when no target moved and the set of targets is the one the index knows. Rollouts are
 * stat-ed every time; pids are probed when the last probe (the index file's mtime) is older than
 * `pidCheckMs`, and a probe that finds nothing new touches the index file to say so.
 */
export function nothingChanged(
  targets: FleetTarget[],
  index: CursorIndex,
  now: number,
  o: QuietCheck,
): boolean {
  if (Object.keys(index.entries).length !== targets.length) return false;
  let probedAt: number | null = null;
  try {
    probedAt = Deno.statSync(o.indexPath).mtime?.getTime() ?? null;
  } catch {
    return false;
  }
  const pidsDue = probedAt === null || now - probedAt >= o.pidCheckMs;
  let probed = false;
  for (const t of targets) {
    const entry = index.entries[t.key];
    if (!entry) return false;
    if (pidsDue && t.pid !== null && (entry.pid_matters ?? true)) probed = true;
    if (!unchanged(t, probe(t, entry, pidsDue), entry, now)) return false;
  }
  if (probed) {
    try {
      const at = new Date(now);
      Deno.utimeSync(o.indexPath, at, at);
    } catch {
      // the next hook probes again
    }
  }
  return true;
}
