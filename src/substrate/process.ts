/**
 * Process liveness by identity: a pid plus its start time, so a pid the system reused for another
 * process never counts as the one codexctl started. The start time comes from `ps -o lstart=`
 * (Linux procps and macOS print the same `Sat Dec  5 16:55:27 2026` form, 1 s resolution) — codexctl
 * cannot read `/proc` (deno allows it only with --allow-all) — and is compared as `ps` printed it,
 * so no time zone or locale is involved (`LC_ALL=C`). A zombie (exited, not yet reaped) is not
 * alive. Where `ps` cannot run, liveness falls back to a signal-0 probe of the pid alone.
 *
 * @module
 */
import { pidAlive } from "../names.ts";

/** A process as codexctl recorded it. */
export interface ProcessIdentity {
  pid: number;
  /** Its start time as `ps -o lstart=` printed it (null: unknown, only the pid is checked). */
  start: string | null;
}

/** One look at a pid. */
export interface ProcessLook {
  /** A process with this pid exists (zombies included). */
  exists: boolean;
  /** Its start time as `ps` prints it (null when it does not exist or `ps` cannot tell). */
  start: string | null;
  /** It has exited and waits to be reaped. */
  zombie: boolean;
  /** How it was looked at: `ps`, or `signal` when `ps` could not run. */
  via: "ps" | "signal";
}

const decoder = new TextDecoder();

/** True when a signal-0 probe finds `pid` (EPERM means it exists, owned by someone else). */
export const pidExists: (pid: number) => boolean = pidAlive;

/** Parses `ps -o stat=,lstart=` output (`Ss   Sat Dec  5 16:55:27 2026`); null when it is not that. */
export function parsePsLine(line: string): { stat: string; start: string } | null {
  const m = line.trim().match(/^(\S+)\s+(\S.*\S)$/);
  if (!m) return null;
  const start = m[2].replace(/\s+/g, " ");
  if (!/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{1,2}:\d{2}:\d{2} \d{4}$/.test(start)) return null;
  return { stat: m[1], start };
}

/** Looks at `pid` with `ps` (a signal-0 probe when `ps` cannot run). */
export async function lookProcess(pid: number): Promise<ProcessLook> {
  if (!Number.isInteger(pid) || pid <= 0) return { exists: false, start: null, zombie: false, via: "ps" };
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ps", {
      args: ["-o", "stat=,lstart=", "-p", String(pid)],
      env: { LC_ALL: "C", LANG: "C" },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
  } catch {
    return { exists: pidExists(pid), start: null, zombie: false, via: "signal" };
  }
  const line = decoder.decode(out.stdout).split("\n").find((l) => l.trim()) ?? "";
  const parsed = parsePsLine(line);
  if (!parsed) {
    // ps prints nothing and exits 1 for a pid that does not exist
    return out.success
      ? { exists: pidExists(pid), start: null, zombie: false, via: "signal" }
      : { exists: false, start: null, zombie: false, via: "ps" };
  }
  return { exists: true, start: parsed.start, zombie: parsed.stat.startsWith("Z"), via: "ps" };
}

/** The identity of a running process (its start time is null when `ps` cannot tell it). */
export async function identify(pid: number): Promise<ProcessIdentity> {
  const look = await lookProcess(pid);
  return { pid, start: look.exists ? look.start : null };
}

/**
 * True when the process `id` names still runs: the pid exists, is not a zombie, and — when its
 * start time was recorded — started at that same time (otherwise the pid was reused).
 */
export async function processAlive(id: ProcessIdentity): Promise<boolean> {
  const look = await lookProcess(id.pid);
  if (!look.exists || look.zombie) return false;
  if (id.start !== null && look.start !== null && look.start !== id.start) return false;
  return true;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** An `lstart` time (local time, as `ps` prints it) in ms since the epoch; null when it is not one. */
export function lstartMs(start: string | null): number | null {
  const m = start?.match(/^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) (\d{4})$/);
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]);
  if (month < 0) return null;
  return new Date(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).getTime();
}

/** Parses `ps -A -o pid=,ppid=,lstart=` output into each process's parent and start time. */
export function parsePsTree(text: string): { pid: number; ppid: number; start: string }[] {
  const out: { pid: number; ppid: number; start: string }[] = [];
  for (const line of text.split("\n")) {
    const m = line.trim().match(/^(\d+)\s+(\d+)\s+(\S.*)$/);
    if (m) out.push({ pid: Number(m[1]), ppid: Number(m[2]), start: m[3].replace(/\s+/g, " ") });
  }
  return out;
}

/**
 * Every process below `pid` (or below each of several) — children, theirs, … — with its start
 * time, from one `ps` look; empty
 * when `ps` cannot run. A command Codex runs may lead a session or group of its own (its sandbox
 * does), so its group dies with Codex only if it is found here first, while it is still Codex's.
 */
export async function descendants(pid: number | number[]): Promise<ProcessIdentity[]> {
  let text: string;
  try {
    const out = await new Deno.Command("ps", {
      args: ["-A", "-o", "pid=,ppid=,lstart="],
      env: { LC_ALL: "C", LANG: "C" },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    text = decoder.decode(out.stdout);
  } catch {
    return [];
  }
  const rows = parsePsTree(text);
  const children = new Map<number, { pid: number; start: string }[]>();
  for (const r of rows) children.set(r.ppid, [...(children.get(r.ppid) ?? []), r]);
  const found: ProcessIdentity[] = [];
  const queue = Array.isArray(pid) ? [...pid] : [pid];
  const seen = new Set(queue);
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      if (seen.has(c.pid)) continue;
      seen.add(c.pid);
      found.push({ pid: c.pid, start: c.start });
      queue.push(c.pid);
    }
  }
  return found;
}

/** Sends `signal` to process group `pgid` (a process started detached leads its own group). */
export function signalGroup(pgid: number, signal: Deno.Signal): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    Deno.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to one process; false when it is gone. */
export function signalProcess(pid: number, signal: Deno.Signal): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    Deno.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
