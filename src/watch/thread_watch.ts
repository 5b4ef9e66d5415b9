/**
 * Following one Codex thread: read new rollout bytes as they land, turn fold transitions (plus
 * git commits in the thread's cwd and stalls) into watch lines, and persist the byte cursor with
 * the folded state after every line, so a re-armed watch continues exactly where the last one
 * stopped — no event twice, none lost.
 *
 * @module
 */
import { z } from "zod";
import type { Envelope } from "../envelope.ts";
import { ChangeNotifier } from "../codex/rollout/changes.ts";
import { codexHome, locateThread, parseThreadRef } from "../codex/rollout/locate.ts";
import { locateOrThrow, threadEvidence } from "../codex/rollout/observe.ts";
import { readThread, type ThreadProgress } from "../codex/rollout/reader.ts";
import type { ThreadStatus } from "../codex/rollout/fold.ts";
import { decide } from "../verdict/machine.ts";
import { statusCommand } from "../verdict/next.ts";
import { Store } from "../store/store.ts";
import { coalesce, itemFromTransition, renderLine, type WatchItem } from "./line.ts";
import { RateLimiter } from "./rate.ts";

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
  /** Writes one line (already ≤ 500 characters). */
  emit(text: string, envelope: Envelope): void;
  /** Clock (ms); a seam for tests. */
  now?: () => number;
}

const WatchRecordSchema = z.object({
  v: z.literal(1),
  thread_id: z.string(),
  path: z.string(),
  progress: z.object({
    cursor: z.object({
      offset: z.number().int().nonnegative(),
      ino: z.number().nullable(),
      skipping: z.boolean(),
    }),
    state: z.looseObject({ v: z.literal(1), status: z.string() }),
    stats: z.looseObject({ lines: z.number() }),
  }),
  head: z.string().nullable(),
  stalled: z.boolean(),
  updated: z.string(),
});

const SETTLED: ReadonlySet<ThreadStatus> = new Set([
  "completed",
  "failed",
  "aborted",
  "waiting_input",
  "waiting_approval_probable",
]);
const TURN_ENDS = new Set(["turn_completed", "turn_failed", "turn_aborted", "plan_proposed"]);

/** Runs the watch until `until`, the timeout, or the rollout disappearing. Returns the exit code. */
export async function watchThread(o: ThreadWatchOptions): Promise<number> {
  const now = o.now ?? (() => Date.now());
  const id = parseThreadRef(o.ref);
  let located = await locateOrThrow(o.env, o.ref);
  const store = Store.fromEnv(o.env);
  const saved = o.fresh ? null : await store.read("watch", id, WatchRecordSchema).catch(() => null);
  let progress: ThreadProgress;
  let head: string | null;
  let stalled: boolean;
  const pending: WatchItem[] = [];
  if (saved) {
    progress = saved.progress as unknown as ThreadProgress;
    head = saved.head;
    stalled = saved.stalled;
  } else {
    progress = (await readThread(located.path, undefined, { keepEvents: false })).progress;
    head = await gitHead(progress.state.cwd);
    stalled = false;
  }
  const target = { session: null, thread: id };
  const detail = statusCommand(target);
  const limiter = new RateLimiter(o.minIntervalSec * 1000, 3, now());
  const notifier = new ChangeNotifier(located.path);
  const deadline = now() + o.timeoutSec * 1000;
  let lastBytesAt = now();
  let lastGit = now();

  const verdictNow = async () =>
    decide(
      (await threadEvidence(located, progress, { expect: o.expect, marker: o.marker, now: now() })).evidence,
    ).verdict;
  const persist = async () => {
    const record = {
      v: 1 as const,
      thread_id: id,
      path: located.path,
      progress,
      head,
      stalled,
      updated: new Date().toISOString(),
    };
    await store.update("watch", id, WatchRecordSchema, (cur) => {
      // several watchers may follow one thread: the cursor only moves forward
      const same = cur && cur.progress.cursor.ino === progress.cursor.ino;
      return same && cur.progress.cursor.offset > progress.cursor.offset
        ? cur
        : record as unknown as z.infer<typeof WatchRecordSchema>;
    });
  };
  const write = async (items: WatchItem[]) => {
    const item = coalesce(items);
    const verdict = await verdictNow();
    const { text, envelope } = renderLine(item, verdict, target, progress.cursor.offset, detail);
    o.emit(text, envelope);
    await persist();
    return item;
  };

  try {
    if (!saved) {
      const verdict = await verdictNow();
      await write([{ event: "snapshot", summary: verdict.summary, priority: 0 }]);
    }
    for (;;) {
      // read what the rollout gained (re-locating when the file moved or vanished)
      let read;
      try {
        read = await readThread(located.path, progress, { keepEvents: false });
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
        const moved = await locateThread(codexHome(o.env), id);
        if (!moved) {
          if (pending.length) await write(pending.splice(0));
          await write([{
            event: "ended",
            summary: "The rollout file is gone (deleted?); stopping",
            priority: 9,
          }]);
          return 0;
        }
        located = moved;
        notifier.retarget(moved.path);
        continue;
      }
      if (read.restarted) {
        pending.push({
          event: "restarted",
          summary: `The rollout was ${read.restarted}; re-read it from the start`,
          priority: 4,
        });
      }
      for (const t of read.transitions) pending.push(itemFromTransition(t));
      progress = read.progress;
      const t = now();
      if (read.bytes > 0) {
        if (stalled) {
          pending.push({
            event: "resumed",
            summary: `Rollout activity resumed after ${Math.round((t - lastBytesAt) / 1000)} s of silence`,
            priority: 2,
          });
        }
        stalled = false;
        lastBytesAt = t;
      } else if (!stalled && progress.state.status === "working" && t - lastBytesAt >= o.stallSec * 1000) {
        stalled = true;
        pending.push({
          event: "stalled",
          summary: `No rollout activity for ${Math.round((t - lastBytesAt) / 1000)} s while the turn is open`,
          priority: 4,
        });
      }
      if (t - lastGit >= 2000 || read.transitions.length) {
        lastGit = t;
        const h = await gitHead(progress.state.cwd);
        if (h && head && h !== head) {
          pending.push({
            event: "commit",
            summary: `New commit in ${progress.state.cwd}: ${
              await gitOneline(progress.state.cwd) ?? h.slice(0, 12)
            }`,
            priority: 3,
          });
        }
        if (h) head = h;
      }
      // one line per change while tokens last; the last token carries everything still pending
      while (pending.length && limiter.available(now()) >= 1) {
        const items = limiter.available(now()) >= 2 ? pending.splice(0, 1) : pending.splice(0);
        limiter.take(now());
        const item = await write(items);
        const status = progress.state.status;
        const done = (o.until === "completed" && TURN_ENDS.has(item.event) && !progress.state.turn) ||
          (o.until === "settled" && SETTLED.has(status) && item.event !== "snapshot");
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
