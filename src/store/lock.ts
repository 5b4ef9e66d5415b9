/**
 * An exclusive cross-process lock on a lock file (`flock`). The kernel drops it when the holder
 * exits, so a crashed process never leaves a stale lock behind.
 *
 * @module
 */
import { dirname } from "node:path";
import { environmentError } from "../errors.ts";
import { ensureDir, FILE_MODE } from "./atomic.ts";
import { writingState } from "./fault.ts";

/** Options of {@linkcode withLock}. */
export interface LockOptions {
  /** Give up after this long (default 10 s) with `environment/LOCK_TIMEOUT`. */
  timeoutMs?: number;
}

/** Runs `fn` while holding an exclusive lock on `lockPath`. */
export async function withLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  await ensureDir(dirname(lockPath));
  const file = await writingState(
    lockPath,
    () => Deno.open(lockPath, { read: true, write: true, create: true, mode: FILE_MODE }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const acquired = file.lock(true);
  try {
    await Promise.race([
      acquired,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(
            environmentError(
              "LOCK_TIMEOUT",
              `another codexctl process has held ${lockPath} for more than ${timeoutMs} ms`,
              {
                retryable: true,
                suggestion: "retry in a moment; if it never frees, look for a stuck codexctl process",
              },
            ),
          );
        }, timeoutMs);
      }),
    ]);
  } catch (err) {
    clearTimeout(timer);
    // The pending flock call resolves in the background once the holder lets go; release it then.
    if (timedOut) acquired.then(() => file.unlock()).catch(() => {}).finally(() => safeClose(file));
    else safeClose(file);
    throw err;
  }
  clearTimeout(timer);
  try {
    return await fn();
  } finally {
    await file.unlock().catch(() => {});
    safeClose(file);
  }
}

function safeClose(file: Deno.FsFile): void {
  try {
    file.close();
  } catch {
    // already closed
  }
}
