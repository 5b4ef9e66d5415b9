/**
 * `codexctl watch --all`: one stream for a whole fleet — every live session (pane or headless: a
 * session is a session record, whatever runs its Codex) and every followed thread — for one Claude
 * Code Monitor instead of one per session.
 *
 * Each round is one synced pass of the fleet (`fleet/pass.ts`), woken by filesystem events
 * (`fleet/wait.ts`: rollouts, session records, follow lists) or the few timers that stand for what
 * no file shows (pid probes, stalls, the rate limit, the deadline). A round reports:
 * - `change`: a target's verdict that needs telling (actionable: completed, a question, a plan, a
 *   gate, failed, interrupted, exited, stalled) and was not told yet, or a target that went back to
 *   work (a new turn);
 * - `added` / `dropped`: a session started after the watch began, or one that ended;
 * - `changes`: several of those in one line when the rate limit would hold them back (bursts
 *   coalesced: up to 3 lines at once, then one per `--min-interval`);
 * - first a `snapshot` line, and at `--timeout` an `ended` line naming the command to re-arm.
 *
 * What was told is kept in a cursor index like the hooks' own, so a re-armed watch tells nothing
 * twice. With `--mine` inside Claude Code (an owner known) it is the owner's index itself: a line
 * this stream prints counts as told to Claude — no hook, Stop or wake-up repeats it — and a change a
 * hook already told is not printed again.
 *
 * @module
 */
import type { Envelope, FleetEvent } from "../envelope.ts";
import { CodexctlError } from "../errors.ts";
import { type CursorEntry, deliverable, failureNews, indexPath, readIndex } from "../fleet/cursor.ts";
import type { FailurePatterns } from "../verdict/tool_failure.ts";
import type { Change } from "../verdict/change.ts";
import { type FileValue, readFileValue, valueChange, type WatchedFile } from "./file_value.ts";
import { OverBudget, type PassContext, withSyncedIndex } from "../fleet/pass.ts";
import { allTargets, type FleetTarget, ownerKey, ownerTargets } from "../fleet/targets.ts";
import { type Lease, leaseAlive, readLease, releaseLease, takeLease } from "../fleet/lease.ts";
import { fleetDirs, FleetWaiter, nextRecheck, parentGone } from "../fleet/wait.ts";
import { statusCommand } from "../verdict/next.ts";
import { RateLimiter } from "./rate.ts";
import { renderFleetLine } from "./line.ts";

/** Options of {@linkcode watchFleet}. */
export interface FleetWatchOptions {
  env: { get(key: string): string | undefined };
  root: string;
  /** The Claude Code session this runs for (null outside Claude Code). */
  owner: string | null;
  /** Only the owner's sessions and follows (and claim in the owner's cursor index). */
  mine: boolean;
  /** Stop after this long (0: until the process that started it is gone). */
  timeoutSec: number;
  minIntervalSec: number;
  stallMs: number;
  pidCheckMs: number;
  /** The command that re-arms this watch (named in its last line and its lease). */
  command: string;
  /** The failure rule's patterns (`config.jsonc` `failures`, else the defaults). */
  failures?: FailurePatterns;
  /** `--watch-file`: the file and its value when the watch began (null: none). */
  file?: { file: WatchedFile; value: FileValue } | null;
  emit(text: string, envelope: Envelope): void;
  /** Says something to the person (stderr): a follow list that was corrupt and was moved aside. */
  warn?(text: string): void;
}

/** The lease key of a `watch --all`: the owner's key with `--mine`, else `everyone`. */
export function fleetLeaseKey(owner: string | null, mine: boolean): string {
  return mine && owner ? ownerKey(owner) : "everyone";
}

/** The cursor index a fleet watch keeps: the owner's own with `--mine`, else one of its own. */
export function fleetLedger(owner: string | null, mine: boolean): string {
  return mine && owner ? owner : `watch-all:${owner ?? "everyone"}`;
}

/** One thing a round may tell. */
interface Candidate {
  key: string;
  event: "change" | "added" | "dropped" | "failure" | "value_changed";
  /** Told in the cursor index when printed (an actionable verdict, or a failure). */
  claim: boolean;
  entry: CursorEntry | null;
  label: string;
  priority: number;
  /** value_changed: the change (`file_value.ts`). */
  change?: Change;
}

type TargetFacts = NonNullable<FleetEvent["target"]>;

function factsOf(c: Candidate): TargetFacts {
  const e = c.entry;
  return {
    session: e?.session ?? (c.key.startsWith("cdx-") ? c.key : null),
    thread: e?.thread ?? null,
    label: c.label,
    state: (e?.verdict?.state ?? null) as TargetFacts["state"],
    reason: (e?.verdict?.reason ?? null) as TargetFacts["reason"],
    next: e?.verdict?.next ?? null,
  };
}

/** What a line says about one target (its label, state and next command are in `target`). */
function words(c: Candidate): string {
  if (c.event === "value_changed") return c.change?.summary ?? "";
  if (c.event === "failure") return `failure: ${c.entry?.failure?.summary ?? ""}`;
  const v = c.entry?.verdict;
  if (c.event === "dropped") return "the session ended (its record is gone)";
  if (!v) return c.event === "added" ? "started; no verdict yet" : "no verdict yet";
  const summary = c.entry?.stalled ? `stalled: ${v.summary}` : v.summary;
  return c.event === "added" ? `started; ${summary}` : summary;
}

/** One target in a `changes` line's summary: `cdx-1a2b (slug) completed`. */
function brief(c: Candidate): string {
  if (c.event === "value_changed") return c.change?.summary ?? c.label;
  if (c.event === "failure") return `${c.label} failure`;
  const v = c.entry?.verdict;
  if (c.event === "dropped") return `${c.label} ended`;
  return `${c.label} ${c.entry?.stalled ? "stalled" : v?.state ?? "started"}`;
}

function detailOf(c: Candidate): string | null {
  const e = c.entry;
  if (c.event === "dropped" || !e) return null;
  return statusCommand({ session: e.session, thread: e.thread });
}

/** The line of one candidate. */
function lineOf(c: Candidate): FleetEvent {
  if (c.event === "value_changed") {
    return { event: c.event, target: null, summary: words(c), detail: null, value: c.change?.value };
  }
  const line: FleetEvent = { event: c.event, target: factsOf(c), summary: words(c), detail: detailOf(c) };
  const f = c.event === "failure" ? c.entry?.failure : null;
  return f ? { ...line, failure: { kind: f.kind, exit_code: f.exit_code } } : line;
}

/** Runs the stream until the timeout (or, with 0, until its parent is gone). Returns the exit code. */
export async function watchFleet(o: FleetWatchOptions): Promise<number> {
  const started = Date.now();
  const deadline = o.timeoutSec > 0 ? started + o.timeoutSec * 1000 : Infinity;
  const startPpid = Deno.ppid;
  const leaseKey = fleetLeaseKey(o.owner, o.mine);
  const takeOurs = () =>
    takeLease(o.root, "watch-all", leaseKey, {
      expires: Number.isFinite(deadline) ? deadline + 5000 : null,
      command: o.command,
    });
  let lease: Lease = takeOurs();
  const ctx: PassContext = {
    env: o.env,
    root: o.root,
    owner: fleetLedger(o.owner, o.mine),
    deadline: 0,
    stallMs: o.stallMs,
    failures: o.failures,
  };
  const targetsNow = async (): Promise<FleetTarget[]> => {
    const bad: string[] = [];
    const targets = o.mine && o.owner ? ownerTargets(o.root, o.owner, bad) : allTargets(o.root, o.owner, bad);
    if (bad.length) {
      // a follow list that is not one is moved aside and said, never read as "nothing followed"
      const repair: typeof import("../fleet/follow_repair.ts") = await import(
        new URL("../fleet/follow_repair.ts", import.meta.url).href
      );
      const note = repair.followNote(await repair.repairFollows(o.root, bad));
      if (note) o.warn?.(note);
    }
    return targets;
  };
  const limiter = new RateLimiter(o.minIntervalSec * 1000, 3, Date.now());
  const waiter = new FleetWaiter();
  /** What the stream last showed per target: its signature (the snapshot counts). */
  const shown = new Map<string, string | null>();
  /** The targets the stream has shown as present, with their labels. */
  const present = new Map<string, string>();
  let first = true;
  let lastPass = 0;
  let lastParentCheck = Date.now();
  // --watch-file: its value is read once a second; a change waits as a candidate of the next round
  const files: Candidate[] = [];
  let fileValue = o.file?.value ?? null;
  let lastFile = Date.now();
  const readFile = () => {
    if (!o.file || !fileValue || Date.now() - lastFile < FILE_CHECK_MS) return;
    lastFile = Date.now();
    const value = readFileValue(o.file.file);
    const change = valueChange(o.file.file, fileValue, value);
    fileValue = value;
    if (change) {
      files.push({
        key: `file:${o.file.file.path}`,
        event: "value_changed",
        claim: false,
        entry: null,
        label: o.file.file.path,
        priority: 4,
        change,
      });
    }
  };
  const emit = (result: FleetEvent, session: string | null) => {
    const line = renderFleetLine(result, session);
    if (line) o.emit(line.text, line.envelope);
  };
  try {
    for (;;) {
      const targets = await targetsNow();
      let lines: { result: FleetEvent; session: string | null }[] = [];
      try {
        lastPass = Date.now();
        readFile();
        lines = await withSyncedIndex({ ...ctx, deadline: Date.now() + 10_000 }, targets, (index) => {
          if (first) return [snapshot(targets, index.entries, shown, present, limiter)];
          return round(targets, index.entries, shown, present, limiter, files);
        });
        first = false;
      } catch (err) {
        if (!(err instanceof OverBudget) && !(err instanceof CodexctlError && err.code === "LOCK_TIMEOUT")) {
          throw err;
        }
      }
      for (const l of lines) emit(l.result, l.session);
      const now = Date.now();
      if (now >= deadline) break;
      if (now - lastParentCheck >= 5000) {
        lastParentCheck = now;
        if (o.timeoutSec === 0 && parentGone(o.env, startPpid)) return 0;
        // a watch whose lease was removed (or taken by one that died) takes it again
        if (!leaseAlive(readLease(o.root, "watch-all", leaseKey))) lease = takeOurs();
      }
      const index = readIndex(indexPath(o.root, ctx.owner), ctx.owner);
      waiter.watch(fleetDirs(o.root, targets, index));
      const recheck = nextRecheck(index, now, { pidCheckMs: o.pidCheckMs, lastPidProbe: lastPass, targets });
      const wakeAt = [deadline, now + (o.file ? FILE_CHECK_MS : 5000)];
      if (recheck !== null) wakeAt.push(recheck);
      // changes held back by the rate limit go out as soon as a token is back
      if (files.length || pendingCount(targets, index.entries, shown, present) > 0) {
        wakeAt.push(now + Math.max(50, limiter.waitMs(now)));
      }
      const until = Math.min(...wakeAt);
      await waiter.wait(Math.max(0, until - now));
    }
    emit({
      event: "ended",
      target: null,
      summary: `watch ended: no more time (--timeout ${o.timeoutSec} s); re-arm with ${o.command}`,
      detail: null,
    }, null);
    return 0;
  } finally {
    waiter.close();
    releaseLease(o.root, lease);
  }
}

/** The first line: what the stream follows; every current verdict is the baseline (told ones stay told). */
function snapshot(
  targets: FleetTarget[],
  entries: Record<string, CursorEntry>,
  shown: Map<string, string | null>,
  present: Map<string, string>,
  limiter: RateLimiter,
): { result: FleetEvent; session: string | null } {
  let working = 0;
  for (const t of targets) {
    const e = entries[t.key];
    present.set(t.key, t.label);
    // an actionable verdict not told yet is still news: it comes in the next round
    shown.set(t.key, e && deliverable(e) && e.delivered !== e.sig ? null : e?.sig ?? null);
    if (e?.verdict?.state === "working") working++;
  }
  limiter.take(Date.now());
  const sessions = targets.filter((t) => t.kind === "session").length;
  const threads = targets.length - sessions;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return {
    result: {
      event: "snapshot",
      target: null,
      summary: `watching ${plural(sessions, "session")} and ${
        plural(threads, "followed thread")
      } (${working} working); one line per change`,
      detail: "codexctl sessions",
      counts: { sessions, threads, working },
    },
    session: null,
  };
}

/** Every candidate of a round, most important first. */
function candidates(
  targets: FleetTarget[],
  entries: Record<string, CursorEntry>,
  shown: Map<string, string | null>,
  present: Map<string, string>,
): Candidate[] {
  const out: Candidate[] = [];
  const live = new Set(targets.map((t) => t.key));
  for (const [key, label] of present) {
    if (!live.has(key)) out.push({ key, event: "dropped", claim: false, entry: null, label, priority: 2 });
  }
  for (const t of targets) {
    const e = entries[t.key];
    if (!e) continue;
    // a failure in its tool output: a line of its own, told once (also to a hook with --mine)
    if (failureNews(e)) {
      out.push({ key: t.key, event: "failure", claim: true, entry: e, label: t.label, priority: 5 });
    }
    const news = deliverable(e) && e.delivered !== e.sig;
    if (!present.has(t.key)) {
      // a new session is announced once bound to its rollout (or when it already needs telling)
      if (t.kind === "session" && !e.path && !news) continue;
      out.push({ key: t.key, event: "added", claim: news, entry: e, label: t.label, priority: news ? 6 : 3 });
    } else if (news) {
      out.push({ key: t.key, event: "change", claim: true, entry: e, label: t.label, priority: 6 });
    } else if (
      e.sig && !e.catching_up && shown.get(t.key) !== e.sig && !deliverable(e) &&
      e.verdict?.state === "working"
    ) {
      out.push({ key: t.key, event: "change", claim: false, entry: e, label: t.label, priority: 1 });
    } else if (e.sig && deliverable(e) && shown.get(t.key) !== e.sig) {
      // told elsewhere (a hook, another stream): this stream takes it as shown, silently
      shown.set(t.key, e.sig);
    }
  }
  return out.sort((a, b) => b.priority - a.priority);
}

function pendingCount(
  targets: FleetTarget[],
  entries: Record<string, CursorEntry>,
  shown: Map<string, string | null>,
  present: Map<string, string>,
): number {
  return candidates(targets, entries, new Map(shown), present).length;
}

/** Marks `c` told: in the stream's memory, and (for actionable news) in the cursor index. */
function tell(c: Candidate, shown: Map<string, string | null>, present: Map<string, string>): void {
  if (c.event === "value_changed") return;
  if (c.event === "failure") {
    if (c.entry?.failure) c.entry.failure_told = c.entry.failure.sig;
    return;
  }
  if (c.event === "dropped") {
    present.delete(c.key);
    shown.delete(c.key);
    return;
  }
  present.set(c.key, c.label);
  if (c.entry) {
    shown.set(c.key, c.entry.sig);
    if (c.claim) c.entry.delivered = c.entry.sig;
  }
}

/** Drops a told value change from the waiting ones. */
function told(c: Candidate, files: Candidate[]): void {
  const at = files.indexOf(c);
  if (at !== -1) files.splice(at, 1);
}

/** How often a `--watch-file` is read. */
const FILE_CHECK_MS = 1000;

/** One round: a line per candidate while tokens last; the last token carries what is left. */
function round(
  targets: FleetTarget[],
  entries: Record<string, CursorEntry>,
  shown: Map<string, string | null>,
  present: Map<string, string>,
  limiter: RateLimiter,
  files: Candidate[],
): { result: FleetEvent; session: string | null }[] {
  const lines: { result: FleetEvent; session: string | null }[] = [];
  const pending = [...candidates(targets, entries, shown, present), ...files]
    .sort((a, b) => b.priority - a.priority);
  while (pending.length && limiter.available(Date.now()) >= 1) {
    limiter.take(Date.now());
    if (pending.length === 1 || limiter.available(Date.now()) >= 1) {
      const c = pending.shift()!;
      const line = lineOf(c);
      if (!renderFleetLine(line, null)) continue;
      tell(c, shown, present);
      told(c, files);
      lines.push({ result: line, session: c.entry?.session ?? null });
      continue;
    }
    // the last token: as many of the rest as one line holds, most important first
    const taken: Candidate[] = [];
    for (const c of pending) {
      const next = [...taken, c];
      const line: FleetEvent = {
        event: "changes",
        target: null,
        targets: next.map(factsOf),
        summary: `${next.length} changes: ${next.map(brief).join("; ")}`,
        detail: "codexctl sessions",
      };
      if (renderFleetLine(line, null)) taken.push(c);
    }
    if (!taken.length) taken.push(pending[0]);
    for (const c of taken) {
      tell(c, shown, present);
      told(c, files);
      pending.splice(pending.indexOf(c), 1);
    }
    lines.push({
      result: taken.length === 1 ? lineOf(taken[0]) : {
        event: "changes",
        target: null,
        targets: taken.map(factsOf),
        summary: `${taken.length} changes: ${taken.map(brief).join("; ")}`,
        detail: "codexctl sessions",
      },
      session: taken.length === 1 ? taken[0].entry?.session ?? null : null,
    });
  }
  return lines;
}
