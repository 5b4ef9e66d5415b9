/**
 * Crash-safe file writes: the data goes to a temporary file in the same directory, is fsynced, and
 * is renamed over the target, then the directory is fsynced. A reader sees the old file or the new
 * one, never a torn mix; a crash before the rename leaves the old file intact.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { writingState } from "./fault.ts";

/** Owner-only permissions for state directories. */
export const DIR_MODE = 0o700;
/** Owner-only permissions for state files. */
export const FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) with mode 0700. Only what this call creates gets that mode:
 * an existing directory is left exactly as it is (codexctl never chmods what it did not create).
 * A refusal of the file system is an environment error naming the path (`fault.ts`).
 */
export async function ensureDir(dir: string): Promise<void> {
  await writingState(dir, () => makeDir(dir, 0));
}

async function makeDir(dir: string, depth: number): Promise<void> {
  try {
    await Deno.mkdir(dir, { mode: DIR_MODE });
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return;
    const parent = dirname(dir);
    if (!(err instanceof Deno.errors.NotFound) || parent === dir || depth > 64) throw err;
    await makeDir(parent, depth + 1);
    return await makeDir(dir, depth + 1);
  }
  // ours: exactly 0700, whatever the umask made of it
  await Deno.chmod(dir, DIR_MODE);
}

/** Test seam: runs between the fsync of the temporary file and the rename. */
export interface AtomicWriteHooks {
  beforeRename?: (tempPath: string) => void | Promise<void>;
}

/**
 * Writes `data` to `path` atomically with mode 0600. A refusal of the file system (permission,
 * read-only, full disk, quota) is an environment error naming the path (`fault.ts`).
 */
export async function atomicWrite(
  path: string,
  data: string | Uint8Array,
  hooks: AtomicWriteHooks = {},
): Promise<void> {
  await writingState(path, () => writeAtomically(path, data, hooks));
}

async function writeAtomically(
  path: string,
  data: string | Uint8Array,
  hooks: AtomicWriteHooks,
): Promise<void> {
  const dir = dirname(path);
  await ensureDir(dir);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const temp = join(dir, `.${basename(path)}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  const file = await Deno.open(temp, { write: true, createNew: true, mode: FILE_MODE });
  try {
    let offset = 0;
    while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
    await file.sync();
  } catch (err) {
    file.close();
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
  file.close();
  try {
    await hooks.beforeRename?.(temp);
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  }
}

/**
 * Appends one line to `path` with a single write (O_APPEND) and fsync; creates it 0600. A refusal
 * of the file system is an environment error naming the path (`fault.ts`).
 */
export async function appendLine(path: string, line: string): Promise<void> {
  await ensureDir(dirname(path));
  await writingState(path, async () => {
    const file = await Deno.open(path, { append: true, create: true, mode: FILE_MODE });
    try {
      const bytes = new TextEncoder().encode(line.endsWith("\n") ? line : line + "\n");
      let offset = 0;
      while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
      await file.sync();
    } finally {
      file.close();
    }
  });
}

/** Removes temporary files left in `dir` by writers that crashed before their rename. */
export async function sweepTemporaries(dir: string, olderThanMs = 60_000): Promise<number> {
  let removed = 0;
  const now = Date.now();
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.startsWith(".") || !entry.name.endsWith(".tmp")) continue;
      const full = join(dir, entry.name);
      const info = await Deno.stat(full).catch(() => null);
      if (info?.mtime && now - info.mtime.getTime() >= olderThanMs) {
        await Deno.remove(full).catch(() => {});
        removed++;
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return removed;
}
