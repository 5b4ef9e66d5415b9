/**
 * Leases: a small file saying "a process of this kind is watching this owner's fleet", so that
 * exactly one of a kind runs per owner, and others can ask whether one does.
 *
 * - `wake/<owner-key>`: the wake-up hook waiting for the owner's sessions. A newer waiter (the
 *   next Stop) takes the lease over; the older one sees that and leaves. UserPromptSubmit removes
 *   the lease: Claude is busy again, and its next Stop arms a new waiter.
 * - `watch-all/<owner-key>` (or `watch-all/everyone` without `--mine`): a running
 *   `codexctl watch --all`. `start --no-wait` offers the Monitor command only when none is alive.
 *
 * A lease is alive while its process exists and it has not expired, so a watcher that died (or
 * was killed) never blocks another. Plain synchronous JSON (no zod): the UserPromptSubmit hook
 * reads this module on its way.
 *
 * @module
 */
import { joinPath, pidAlive } from "../names.ts";

/** Store kind of lease files (`leases/<kind>-<key>.json`). */
export const LEASE_KIND = "leases";

/** What a lease is for. */
export type LeaseKind = "wake" | "watch-all";

/** One lease. */
export interface Lease {
  v: 1;
  kind: LeaseKind;
  /** The owner key it covers (`o-…`), or `everyone`. */
  key: string;
  pid: number;
  /** Unique per holder, so a holder can tell its own lease from a successor's. */
  token: string;
  /** ms epoch. */
  started: number;
  /** ms epoch after which the lease is dead even if the process lives (null: while it lives). */
  expires: number | null;
  /** The command the holder runs (for `start --no-wait` to name). */
  command: string | null;
}

/** The lease file of `kind` for `key` under `root`. */
export function leasePath(root: string, kind: LeaseKind, key: string): string {
  return joinPath(root, LEASE_KIND, `${kind}-${key}.json`);
}

/** Reads a lease (null: none, or not one). */
export function readLease(root: string, kind: LeaseKind, key: string): Lease | null {
  try {
    const d = JSON.parse(Deno.readTextFileSync(leasePath(root, kind, key)));
    if (
      d && d.v === 1 && d.kind === kind && typeof d.pid === "number" && typeof d.token === "string" &&
      typeof d.started === "number" && (d.expires === null || typeof d.expires === "number")
    ) {
      return {
        v: 1,
        kind,
        key,
        pid: d.pid,
        token: d.token,
        started: d.started,
        expires: d.expires,
        command: typeof d.command === "string" ? d.command : null,
      };
    }
  } catch {
    // absent or torn
  }
  return null;
}

/** True when `lease` is held by a live process and has not expired at `now`. */
export function leaseAlive(lease: Lease | null, now: number = Date.now()): lease is Lease {
  return !!lease && (lease.expires === null || now < lease.expires) && pidAlive(lease.pid);
}

/** Takes the lease (replacing any other holder's) and returns it. */
export function takeLease(
  root: string,
  kind: LeaseKind,
  key: string,
  o: { expires: number | null; command?: string | null },
): Lease {
  const lease: Lease = {
    v: 1,
    kind,
    key,
    pid: Deno.pid,
    token: crypto.randomUUID(),
    started: Date.now(),
    expires: o.expires,
    command: o.command ?? null,
  };
  const path = leasePath(root, kind, key);
  const dir = joinPath(root, LEASE_KIND);
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${lease.token}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(lease) + "\n", { mode: 0o600 });
  Deno.renameSync(tmp, path);
  return lease;
}

/** True while `mine` is still the lease on file. */
export function stillHeld(root: string, mine: Lease): boolean {
  return readLease(root, mine.kind, mine.key)?.token === mine.token;
}

/** Removes the lease if it is still `mine` (a successor's is left alone). */
export function releaseLease(root: string, mine: Lease): void {
  if (!stillHeld(root, mine)) return;
  try {
    Deno.removeSync(leasePath(root, mine.kind, mine.key));
  } catch {
    // gone already
  }
}

/** The file a blocking Stop writes for the wake-up of the same event (`leases/stop-block-<key>.json`). */
function stopBlockPath(root: string, key: string): string {
  return joinPath(root, LEASE_KIND, `stop-block-${key}.json`);
}

/**
 * Notes that the Stop event `event` (a hash of its hook input, which every hook of that event gets
 * alike) blocked for owner key `key`: the wake-up hook of the same Stop sees it and leaves, since
 * Claude keeps working; its next Stop arms a new wake-up.
 */
export function noteStopBlock(root: string, key: string, event: string): void {
  try {
    Deno.mkdirSync(joinPath(root, LEASE_KIND), { recursive: true, mode: 0o700 });
    const path = stopBlockPath(root, key);
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    Deno.writeTextFileSync(tmp, JSON.stringify({ event, at: Date.now() }) + "\n", { mode: 0o600 });
    Deno.renameSync(tmp, path);
  } catch {
    // the wake-up then waits as if the Stop had let Claude stop: harmless, it is re-armed later
  }
}

/** True when the Stop event `event` of owner key `key` blocked (see {@linkcode noteStopBlock}). */
export function stopBlocked(root: string, key: string, event: string): boolean {
  try {
    return JSON.parse(Deno.readTextFileSync(stopBlockPath(root, key))).event === event;
  } catch {
    return false;
  }
}

/**
 * Removes whatever lease of `kind` is on file for `key` (UserPromptSubmit ends a waiting wake-up
 * this way). Looks first, so an absent file costs no exception.
 */
export function dropLease(root: string, kind: LeaseKind, key: string): void {
  const name = `${kind}-${key}.json`;
  try {
    for (const e of Deno.readDirSync(joinPath(root, LEASE_KIND))) {
      if (e.name === name) {
        Deno.removeSync(joinPath(root, LEASE_KIND, name));
        return;
      }
    }
  } catch {
    // no lease directory, or removed meanwhile
  }
}
