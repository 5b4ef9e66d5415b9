/**
 * Following one Codex thread: read new rollout bytes as they land, report each change (fold
 * transitions, git commits in the thread's cwd, and the verdict turning stalled and back — see
 * `verdict/change.ts`) as a watch line, and save the progress record (`observe/progress.ts`) after
 * every line, so a re-armed watch continues exactly where the last one stopped — no event twice,
 * none lost.
 *
 * @module
 */
import type { Envelope } from "../envelope.ts";
import { notFoundError } from "../errors.ts";
import { ChangeNotifier } from "../codex/rollout/changes.ts";
import { codexHome, locateOrThrow, parseThreadRef } from "../codex/rollout/locate.ts";
import { type Observation, observe } from "../observe/observe.ts";
import { readRollout, type RolloutReading } from "../observe/rollout.ts";
import { advanceProgress, progressRecord, readProgress, WATCH_PROGRESS_KIND } from "../observe/progress.ts";
import { type Change, coalesce, failureChange, transitionChange } from "../verdict/change.ts";
import { type FailurePatterns, newFailures } from "../verdict/tool_failure.ts";
import { statusCommand } from "../verdict/next.ts";
import { type RolloutStatus, rolloutStatus, SETTLED_STATUSES } from "../verdict/rollout_status.ts";
import { isStalled } from "../verdict/states.ts";
import { Store } from "../store/store.ts";
import { renderLine } from "./line.ts";
import { RateLimiter } from "./rate.ts";
import { type FileValue, readFileValue, valueChange, type WatchedFile } from "./file_value.ts";

/** Options of {@linkcode watchThread}. */
export interface ThreadWatchOptions {
  ref: string;
  env: { get(key: string): string | undefined };
  timeoutSec: number;
  stallSec: number;
  until: "completed" | "settled" | null;
  minIntervalSec: number;
  fresh: boolean;
  expect: string[];
  marker: string | null;
  /** The failure rule's patterns (`config.jsonc` `failures`, else the defaults). */
  failures: FailurePatterns;
  /** `--watch-file`: the file and its value when the watch began (null: none). */
  file: { file: WatchedFile; value: FileValue } | null;
  /** Writes one line (already ≤ 500 characters). */
  emit(text: string, envelope: Envelope): void;
  /** Clock (ms); a seam for tests. */
  now?: () => number;
}

/** How often a `--watch-file` is read. */
const FILE_CHECK_MS = 1000;

const TURN_ENDS = new Set(["turn_completed", "turn_failed", "turn_aborted", "plan_proposed"]);

/** Runs the watch until `until`, the timeout, or the rollout disappearing. Returns the exit code. */
export async function watchThread(o: ThreadWatchOptions): Promise<number> {
  const now = o.now ?? (() => Date.now());
  const id = parseThreadRef(o.ref);
  const home = codexHome(o.env);
  const located = await locateOrThrow(o.env, o.ref);
  const store = Store.fromEnv(o.env);
  const saved = o.fresh ? null : await readProgress(store, WATCH_PROGRESS_KIND, id);
  const pending: Change[] = [];
  let reading = await readRollout({
    path: saved?.path ?? located.path,
    thread: id,
    codexHome: home,
    from: saved?.progress ?? null,
    toolOutputs: true,
  });
  if (!reading) {
    reading = await readRollout({ path: located.path, thread: id, codexHome: home, from: null });
  }
  // the last turn a failure was told for (at most one per turn), and the watched file's value:
  // a re-armed watch of the same file reports a change made while nobody watched
  let failureTurn = saved?.failure_turn ?? null;
  let fileValue = o.file?.value ?? null;
  if (
    o.file && saved?.file && saved.file.path === o.file.file.path &&
    saved.file.pattern === o.file.file.pattern
  ) {
    const before = { value: saved.file.value, hash: saved.file.hash };
    const change = valueChange(o.file.file, before, o.file.value);
    if (change) pending.push(change);
  }
  const queueFailures = (r: RolloutReading) => {
    const found = newFailures(r.read.tool_outputs, o.failures, failureTurn);
    failureTurn = found.told;
    for (const f of found.failures) pending.push(failureChange(f));
  };
  if (!reading) {
    throw notFoundError(
      "NO_THREAD",
      `the rollout of thread ${id} vanished while it was being read`,
      `look again: codexctl watch --thread ${id}`,
    );
  }
  // what the first read brought is news only for a re-armed watch; a new one starts with a snapshot
  if (saved) {
    queue(pending, reading);
    queueFailures(reading);
  }
  let head = saved ? saved.head : await gitHead(reading.progress.state.cwd);
  let stalled = saved?.stalled ?? false;
  // when the rollout was last written, as of the previous read (unknown for the first one)
  let lastWrite: number | null = null;
  const target = { session: null, thread: id };
  const detail = statusCommand(target);
  const limiter = new RateLimiter(o.minIntervalSec * 1000, 3, now());
  const notifier = new ChangeNotifier(reading.path);
  const deadline = now() + o.timeoutSec * 1000;
  let lastGit = now();
  let lastFile = now();

  const judge = (r: RolloutReading): Promise<Observation> =>
    observe({
      target,
      now: now(),
      rollout: r,
      marker: o.marker,
      expect: o.expect,
      stallMs: o.stallSec * 1000,
    });
  const write = async (changes: Change[]) => {
    const change = coalesce(changes);
    const { verdict } = await judge(reading!);
    const { text, envelope } = renderLine(change, verdict, target, reading!.progress.cursor.offset, detail);
    o.emit(text, envelope);
    const record = progressRecord({
      path: reading!.path,
      progress: reading!.progress,
      head,
      stalled,
      failure_turn: failureTurn,
      file: o.file && fileValue
        ? {
          path: o.file.file.path,
          pattern: o.file.file.pattern,
          hash: fileValue.hash,
          value: fileValue.value,
        }
        : saved?.file ?? null,
    });
    await advanceProgress(store, WATCH_PROGRESS_KIND, id, record);
    return change;
  };

  try {
    if (!saved) {
      const { verdict } = await judge(reading);
      stalled = isStalled(verdict);
      await write([{ event: "snapshot", summary: verdict.summary, priority: 0 }]);
    }
    // a new watch (snapshot) of a thread that already is where --until asks (a finished thread):
    // say so and stop, instead of waiting for a change that will not come. A re-armed watch goes on
    // from its saved cursor: what it has not told yet is news, and after that it waits for the next.
    const already = rolloutStatus(reading.progress.state);
    if (o.until && !saved && untilReached(o.until, already)) {
      await write([{
        event: "ended",
        summary: `watch ended: the thread is already ${already.replaceAll("_", " ")} (--until ${o.until})`,
        priority: 9,
      }]);
      return 0;
    }
    for (let first = true;; first = false) {
      if (!first) {
        // read what the rollout gained (found again by its thread id when the file moved)
        const next = await readRollout({
          path: reading.path,
          thread: id,
          codexHome: home,
          from: reading.progress,
          toolOutputs: true,
        });
        if (!next) {
          if (pending.length) await write(pending.splice(0));
          await write([{
            event: "ended",
            summary: "The rollout file is gone (deleted?); stopping",
            priority: 9,
          }]);
          return 0;
        }
        if (next.path !== reading.path) notifier.retarget(next.path);
        lastWrite = reading.read.mtime;
        reading = next;
        queue(pending, reading);
        queueFailures(reading);
      }
      if (!first || saved) {
        // the stall is the verdict's (verdict/thread_rules.ts); its start and end are changes
        const verdict = (await judge(reading)).verdict;
        if (stalled && !isStalled(verdict)) {
          const silence = lastWrite !== null && reading.read.mtime !== null
            ? ` after ${Math.round((reading.read.mtime - lastWrite) / 1000)} s of silence`
            : "";
          pending.push({ event: "resumed", summary: `Rollout activity resumed${silence}`, priority: 2 });
        } else if (!stalled && isStalled(verdict)) {
          pending.push({ event: "stalled", summary: verdict.summary, priority: 4 });
        }
        stalled = isStalled(verdict);
      }
      const t = now();
      if (o.file && fileValue && t - lastFile >= FILE_CHECK_MS) {
        lastFile = t;
        const value = readFileValue(o.file.file);
        const change = valueChange(o.file.file, fileValue, value);
        if (change) pending.push(change);
        fileValue = value;
      }
      if (t - lastGit >= 2000 || reading.read.transitions.length) {
        lastGit = t;
        const cwd = reading.progress.state.cwd;
        const h = await gitHead(cwd);
        if (h && head && h !== head) {
          pending.push({
            event: "commit",
            summary: `New commit in ${cwd}: ${await gitOneline(cwd) ?? h.slice(0, 12)}`,
            priority: 3,
          });
        }
        if (h) head = h;
      }
      // one line per change while tokens last; the last token carries everything still pending
      while (pending.length && limiter.available(now()) >= 1) {
        const changes = limiter.available(now()) >= 2 ? pending.splice(0, 1) : pending.splice(0);
        limiter.take(now());
        const change = await write(changes);
        const state = reading.progress.state;
        const status = rolloutStatus(state);
        const done = (o.until === "completed" && TURN_ENDS.has(change.event) && !state.turn) ||
          (o.until === "settled" && SETTLED_STATUSES.has(status) && change.event !== "snapshot");
        if (done) {
          pending.length = 0;
          await write([{
            event: "ended",
            summary: `watch ended: the thread is ${status.replaceAll("_", " ")} (--until ${o.until})`,
            priority: 9,
          }]);
          return 0;
        }
      }
      const left = deadline - now();
      if (left <= 0) break;
      await notifier.wait(Math.min(left, pending.length ? Math.max(50, limiter.waitMs(now())) : 1000));
    }
    if (pending.length) await write(pending.splice(0));
    await write([{
      event: "ended",
      summary:
        `watch ended: no more time (--timeout ${o.timeoutSec} s); re-arm to continue where this one stopped`,
      priority: 9,
    }]);
    return 0;
  } finally {
    notifier.close();
  }
}

/** True when a thread in `status` already is where `--until` waits for. */
export function untilReached(until: "completed" | "settled", status: RolloutStatus): boolean {
  return until === "settled" ? SETTLED_STATUSES.has(status) : TURN_OUTCOMES.has(status);
}

/** The statuses of a thread whose last turn ended (completed, failed or interrupted). */
const TURN_OUTCOMES: ReadonlySet<RolloutStatus> = new Set(["completed", "failed", "aborted"]);

/** Queues what one read brought: a restart of the file, then each fold transition. */
function queue(pending: Change[], reading: RolloutReading): void {
  if (reading.read.restarted) {
    pending.push({
      event: "restarted",
      summary: `The rollout was ${reading.read.restarted}; re-read it from the start`,
      priority: 4,
    });
  }
  for (const t of reading.read.transitions) if (t.t !== "tool_output") pending.push(transitionChange(t));
}

/** `git rev-parse HEAD` in `cwd`, or null (not a repository, no commit, git missing). */
export async function gitHead(cwd: string | null): Promise<string | null> {
  return await git(cwd, ["rev-parse", "HEAD"]);
}

async function gitOneline(cwd: string | null): Promise<string | null> {
  return await git(cwd, ["log", "--oneline", "-1"]);
}

async function git(cwd: string | null, args: string[]): Promise<string | null> {
  if (!cwd) return null;
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", cwd, ...args],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() || null : null;
  } catch {
    return null;
  }
}
