/**
 * Waking up when a file may have changed: `Deno.watchFs` on its directory (inotify / FSEvents),
 * with plain polling as the fallback and as a safety net (a wait never exceeds its timeout).
 *
 * @module
 */
import { dirname } from "node:path";

/** Wakes waiters on any filesystem event in a directory. */
export class ChangeNotifier {
  #watcher: Deno.FsWatcher | null = null;
  #waiters: (() => void)[] = [];
  #pending = false;
  #dir: string;

  /** Watches the directory of `path`; falls back to polling when watching is not possible. */
  constructor(path: string) {
    this.#dir = dirname(path);
    this.#start();
  }

  /** True when filesystem notifications are active (false: polling only). */
  get watching(): boolean {
    return this.#watcher !== null;
  }

  #start(): void {
    try {
      this.#watcher = Deno.watchFs(this.#dir, { recursive: false });
    } catch {
      this.#watcher = null;
      return;
    }
    const watcher = this.#watcher;
    (async () => {
      try {
        for await (const _event of watcher) this.#wake();
      } catch {
        // the directory went away (archive move) or the watcher was closed: polling continues
      }
      if (this.#watcher === watcher) this.#watcher = null;
    })();
  }

  #wake(): void {
    const waiters = this.#waiters.splice(0);
    if (waiters.length === 0) this.#pending = true;
    for (const w of waiters) w();
  }

  /** Resolves on the next change notification, or after `timeoutMs`, whichever comes first. */
  wait(timeoutMs: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve();
      }, Math.max(0, timeoutMs));
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(done);
    });
  }

  /** Follows the file to another directory (after an archive move). */
  retarget(path: string): void {
    if (dirname(path) === this.#dir) return;
    this.close();
    this.#dir = dirname(path);
    this.#start();
  }

  /** Stops watching and releases waiters. */
  close(): void {
    const w = this.#watcher;
    this.#watcher = null;
    try {
      w?.close();
    } catch {
      // already closed
    }
    this.#wake();
    this.#pending = false;
  }
}
