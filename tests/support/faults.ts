/**
 * Real faults for the fault matrix: a process without root's powers (so file modes bind it), a
 * read-only file system, a full disk — each made for one codexctl call with a wrapper command
 * (`runCli`'s `wrap`), never by imitation. Where the machine cannot make one (no user or mount
 * namespaces), the helper returns null and the test says it skipped.
 *
 * @module
 */

async function runs(argv: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(argv[0], { args: argv.slice(1), stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

let mountPrefix: Promise<string[] | null> | undefined;

/** `unshare` with a private mount namespace (root: `-m`; others: `-rm`), or null when unavailable. */
function mountNamespace(): Promise<string[] | null> {
  mountPrefix ??= (async () => {
    const prefix = Deno.uid() === 0 ? ["unshare", "-m"] : ["unshare", "-r", "-m"];
    return await runs([...prefix, "true"]) ? prefix : null;
  })();
  return mountPrefix;
}

/**
 * A wrapper that runs a command without root's power to ignore file modes: nothing for a normal
 * user; for root, a user namespace of its own (`unshare -U`: files keep their owner, but no
 * capability overrides a mode). Null when root cannot drop it here.
 */
export async function unprivileged(): Promise<string[] | null> {
  if (Deno.uid() !== 0) return [];
  return await runs(["unshare", "-U", "true"]) ? ["unshare", "-U"] : null;
}

/** A wrapper that runs a command with `dir` mounted read-only (bind mount in its own namespace). */
export async function readOnly(dir: string): Promise<string[] | null> {
  const ns = await mountNamespace();
  if (!ns) return null;
  const script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"';
  const wrap = [...ns, "sh", "-c", script, dir];
  return await runs([...wrap, "true"]) ? wrap : null;
}

/**
 * A wrapper that runs a command with a full 64 KiB tmpfs mounted on `dir` (its old content hidden):
 * directories can still be made, but no file gets a byte.
 */
export async function fullDisk(dir: string): Promise<string[] | null> {
  const ns = await mountNamespace();
  if (!ns) return null;
  const script =
    'mount -t tmpfs -o size=64k tmpfs "$0" && { cat /dev/zero > "$0/.fill" 2>/dev/null; true; } && exec "$@"';
  const wrap = [...ns, "sh", "-c", script, dir];
  return await runs([...wrap, "true"]) ? wrap : null;
}

/** Says in the test output that a row could not be run here, and why. */
export function skipped(row: string, why: string): void {
  console.log(`  skipped: ${row} — ${why}`);
}
