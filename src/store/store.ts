/**
 * The state store: JSON records under `<root>/<kind>/<id>.json` (dirs 0700, files 0600), written
 * atomically, updated under a cross-process lock, plus append-only JSONL logs (audit, hooks).
 *
 * @module
 */
import { join } from "node:path";
import type { z } from "zod";
import { internalError } from "../errors.ts";
import type { Env } from "../env.ts";
import { appendLine, atomicWrite, ensureDir, sweepTemporaries } from "./atomic.ts";
import { writingState } from "./fault.ts";
import { checkId } from "./ids.ts";
import { type LockOptions, withLock } from "./lock.ts";
import { checkStateRoot, stateRoot } from "./paths.ts";

/** JSON records and logs under one state root. */
export class Store {
  /** The state root directory. */
  readonly root: string;

  /** A store at `root`; a root other users can write is refused (`paths.ts` `checkStateRoot`). */
  constructor(root: string) {
    checkStateRoot(root);
    this.root = root;
  }

  /** A store at the root the environment selects (see `paths.ts`). */
  static fromEnv(env: Pick<Env, "get">): Store {
    return new Store(stateRoot(env));
  }

  /** The file of record `id` of `kind`; both are validated as safe path segments. */
  recordPath(kind: string, id: string): string {
    return join(this.root, checkId(kind, "record kind"), `${checkId(id, `${kind} id`)}.json`);
  }

  /** Reads a record; null when it does not exist. A corrupt record is `internal/STATE_CORRUPT`. */
  async read<T>(kind: string, id: string, schema: z.ZodType<T>): Promise<T | null> {
    const path = this.recordPath(kind, id);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw corrupt(path, "it is not valid JSON");
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw corrupt(path, parsed.error.issues[0]?.message ?? "it does not match its schema");
    }
    return parsed.data;
  }

  /** Writes a record atomically (old or new, never torn). */
  async write(kind: string, id: string, value: unknown): Promise<void> {
    await atomicWrite(this.recordPath(kind, id), JSON.stringify(value, null, 2) + "\n");
  }

  /**
   * Read-modify-write under the record's lock. `fn` gets the current value (or null) and returns
   * the new one; returning null deletes the record. Returns what `fn` returned.
   */
  update<T>(
    kind: string,
    id: string,
    schema: z.ZodType<T>,
    fn: (current: T | null) => T | null | Promise<T | null>,
    options?: LockOptions,
  ): Promise<T | null> {
    return this.withLock(`${kind}.${id}`, async () => {
      const next = await fn(await this.read(kind, id, schema));
      if (next === null) await this.remove(kind, id);
      else await this.write(kind, id, next);
      return next;
    }, options);
  }

  /** Deletes a record; deleting a missing record is not an error. */
  async remove(kind: string, id: string): Promise<void> {
    const path = this.recordPath(kind, id);
    await writingState(path, () =>
      Deno.remove(path).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }));
  }

  /** The ids of all records of `kind`, sorted. Temporary files of crashed writers are swept. */
  async list(kind: string): Promise<string[]> {
    const dir = join(this.root, checkId(kind, "record kind"));
    await sweepTemporaries(dir);
    const ids: string[] = [];
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && entry.name.endsWith(".json") && !entry.name.startsWith(".")) {
          ids.push(entry.name.slice(0, -5));
        }
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return ids.sort();
  }

  /** Runs `fn` under the named cross-process lock (`<root>/locks/<name>.lock`). */
  async withLock<T>(name: string, fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    await ensureDir(this.root);
    return withLock(join(this.root, "locks", `${checkId(name, "lock name")}.lock`), fn, options);
  }

  /** Appends one JSON record (with a `time` field) to `<root>/logs/<name>.jsonl`. */
  async appendLog(name: string, record: Record<string, unknown>): Promise<void> {
    await ensureDir(this.root);
    const line = JSON.stringify({ time: new Date().toISOString(), ...record });
    await appendLine(join(this.root, "logs", `${checkId(name, "log name")}.jsonl`), line);
  }
}

function corrupt(path: string, why: string) {
  return internalError("STATE_CORRUPT", `state file ${path} cannot be read: ${why}`, {
    suggestion: `inspect or delete ${path}; codexctl will recreate what it needs`,
  });
}
