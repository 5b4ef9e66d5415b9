/**
 * What is running, read from /proc (Linux): live processes by command line, a process's session,
 * and a bounded wait. For tests that must prove no process is left behind.
 *
 * @module
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live processes (not zombies) other than this one whose command line contains `needle`. */
export function processesWith(needle: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const cmd = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      if (cmd.includes(needle)) out.push({ pid: Number(entry.name), cmd });
    } catch { /* raced with exit */ }
  }
  return out;
}

/** True while `pid` is a live process (not a zombie), per /proc. */
export function procAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

/** The session id of a process (field 6 of /proc/<pid>/stat). */
export function sessionOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
}

/** Polls `fn` every 100 ms until it returns something truthy; throws after `ms`. */
export async function waitFor<T>(
  what: string,
  fn: () => T | null | false | Promise<T | null | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
