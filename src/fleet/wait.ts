/**
 * Waiting for an owner's fleet to move, without polling: one `Deno.watchFs` (inotify / FSEvents)
 * over the directories where anything that changes a verdict is written — each target's rollout
 * directory, the session records, the follow lists, the cursor indexes and the leases — plus the
 * few timers that stand for what no file shows: when to probe the Codex pids again, when a silent
 * open turn becomes a stall, the caller's deadline. Where watching is impossible it falls back to
 * a slow poll (2 s).
 *
 * @module
 */
import { joinPath } from "../names.ts";
import type { CursorIndex } from "./cursor.ts";
import { FOLLOW_KIND } from "./targets.ts";
import type { FleetTarget } from "./targets.ts";
import { LEASE_KIND } from "./lease.ts";

/** How often a waiter without filesystem events looks anyway. */
export const POLL_FALLBACK_MS = 2000;

/** The directories to watch for `targets` (existing ones only; `Deno.watchFs` refuses missing paths). */
export function fleetDirs(root: string, targets: FleetTarget[], index: CursorIndex | null): string[] {
  const dirs = new Set<string>([
    root,
    joinPath(root, "sessions"),
    joinPath(root, FOLLOW_KIND),
    joinPath(root, "hooks"),
    joinPath(root, LEASE_KIND),
  ]);
  for (const t of targets) {
    for (const path of [t.path, index?.entries[t.key]?.path ?? null]) {
      if (path && path.includes("/")) dirs.add(path.slice(0, path.lastIndexOf("/")) || "/");
    }
  }
  return [...dirs].filter((d) => {
    try {
      return Deno.statSync(d).isDirectory;
    } catch {
      return false;
    }
  }).sort();
}

/** When the next timer is due for `index`: the earliest `recheck_at`, a pid probe, or null. */
export function nextRecheck(
  index: CursorIndex,
  now: number,
  o: { pidCheckMs: number; lastPidProbe: number; targets: FleetTarget[] },
): number | null {
  let next: number | null = null;
  const at = (t: number) => {
    next = next === null ? t : Math.min(next, t);
  };
  for (const t of o.targets) {
    const e = index.entries[t.key];
    if (!e) continue;
    if (e.recheck_at !== null) at(e.recheck_at);
    if (t.pid !== null && (e.pid_matters ?? true)) at(o.lastPidProbe + o.pidCheckMs);
  }
  return next === null ? null : Math.max(now, next);
}

/** Wakes on any filesystem event in the directories it watches. */
export class FleetWaiter {
  #watcher: Deno.FsWatcher | null = null;
  #key = "";
  #pending = false;
  #waiters: (() => void)[] = [];
  /** Filesystem events seen (for tests and the bench). */
  events = 0;

  /** Watches exactly `dirs` from now on (re-created only when the set changed). */
  watch(dirs: string[]): void {
    const key = dirs.join("\n");
    if (key === this.#key && this.#watcher) return;
    this.#stop();
    this.#key = key;
    if (!dirs.length) return;
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(dirs, { recursive: false });
    } catch {
      return; // polling only
    }
    this.#watcher = watcher;
    (async () => {
      try {
        for await (const _event of watcher) {
          this.events++;
          this.#wake();
        }
      } catch {
        // a directory went away or the watcher was closed
      }
      if (this.#watcher === watcher) {
        this.#watcher = null;
        this.#key = "";
        this.#wake(); // let the caller look (and watch again)
      }
    })();
  }

  /** True while filesystem notifications are active. */
  get watching(): boolean {
    return this.#watcher !== null;
  }

  #wake(): void {
    const waiters = this.#waiters.splice(0);
    if (!waiters.length) this.#pending = true;
    for (const w of waiters) w();
  }

  /**
   * Resolves on the next filesystem event (or one that came since the last wait), or after
   * `timeoutMs` — at most {@linkcode POLL_FALLBACK_MS} while nothing is watched. True on an event.
   */
  wait(timeoutMs: number): Promise<boolean> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve(true);
    }
    const ms = Math.max(0, this.#watcher ? timeoutMs : Math.min(timeoutMs, POLL_FALLBACK_MS));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      this.#waiters.push(done);
    });
  }

  #stop(): void {
    const w = this.#watcher;
    this.#watcher = null;
    try {
      w?.close();
    } catch {
      // already closed
    }
  }

  /** Stops watching and releases waiters. */
  close(): void {
    this.#stop();
    this.#key = "";
    this.#wake();
    this.#pending = false;
  }
}

/**
 * True when the process that started this one is gone: Claude Code (`CLAUDE_PID`, when given) or
 * the parent (re-parented since start). A waiter or stream whose Claude Code ended stops.
 */
export function parentGone(env: { get(key: string): string | undefined }, startPpid: number): boolean {
  const claude = Number(env.get("CLAUDE_PID") ?? "");
  if (Number.isInteger(claude) && claude > 0) {
    try {
      Deno.kill(claude, 0 as unknown as Deno.Signal);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return true;
    }
  }
  try {
    return Deno.ppid !== startPpid;
  } catch {
    return false;
  }
}
