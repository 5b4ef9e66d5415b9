/**
 * The progress record: how far one watcher has read one rollout and what it folded, saved after
 * every change it reported so the next run continues exactly there — no change twice, none lost.
 * One schema for every watcher: `watch --thread` keeps one per thread (`watch/<thread>.json`), the
 * Claude Code hooks one per owner and target (`hook-progress/<owner>--<target>.json`).
 *
 * Older files are accepted and read as this record, so an upgrade neither re-reports nor skips a
 * change: the v1 watch record (`{v:1, thread_id, path, progress, head, stalled}`) and the hooks'
 * bare progress (`{cursor, state, stats}`, no path). A rollout state folded by an older codexctl is
 * understood as is (see `TurnEnd.outcome` and `verdict/rollout_status.ts`).
 *
 * @module
 */
import { z } from "zod";
import type { ThreadProgress } from "../codex/rollout/reader.ts";
import type { Store } from "../store/store.ts";

/** Store kind of `watch --thread` progress (one record per thread). */
export const WATCH_PROGRESS_KIND = "watch";
/** Store kind of the hooks' progress (one record per owner and target). */
export const HOOK_PROGRESS_KIND = "hook-progress";

/** One watcher's progress through one rollout. */
export interface ProgressRecord {
  v: 2;
  /** The thread the rollout belongs to (null until its session_meta was read). */
  thread_id: string | null;
  /** The rollout file the cursor belongs to (null in a hook progress file of codexctl 0.1.0). */
  path: string | null;
  /** The byte cursor, the folded state and the parse counters. */
  progress: ThreadProgress;
  /** The last reported verdict was a stall (its end is reported as `resumed`). */
  stalled: boolean;
  /** The git HEAD of the thread's cwd when last looked (new commits are reported); null: not looked. */
  head: string | null;
  /** The turn (`verdict/tool_failure.ts` `turnKey`) a failure was last reported for (absent before 0.2). */
  failure_turn?: string | null;
  /** `watch --watch-file`: the file's value when last reported (absent: none). */
  file?: { path: string; pattern: string | null; hash: string | null; value: string | null } | null;
  /** ISO time of the write. */
  updated: string;
}

const ProgressSchema = z.looseObject({
  cursor: z.looseObject({
    offset: z.number().int().nonnegative(),
    ino: z.number().nullable(),
    skipping: z.boolean(),
  }),
  state: z.looseObject({ v: z.literal(1) }),
  stats: z.looseObject({ lines: z.number() }),
});

const CurrentSchema = z.looseObject({
  v: z.literal(2),
  thread_id: z.string().nullable(),
  path: z.string().nullable(),
  progress: ProgressSchema,
  stalled: z.boolean(),
  head: z.string().nullable(),
  failure_turn: z.string().nullable().optional().catch(undefined),
  file: z.object({
    path: z.string(),
    pattern: z.string().nullable(),
    hash: z.string().nullable(),
    value: z.string().nullable(),
  }).nullable().optional().catch(undefined),
  updated: z.string(),
});

/** `watch --thread`'s record of codexctl 0.1.0. */
const WatchV1Schema = z.looseObject({
  v: z.literal(1),
  thread_id: z.string(),
  path: z.string(),
  progress: ProgressSchema,
  head: z.string().nullable(),
  stalled: z.boolean(),
  updated: z.string(),
});

/** A progress record of any version, read as the current one. */
export const ProgressRecordSchema: z.ZodType<ProgressRecord> = z.union([
  CurrentSchema,
  WatchV1Schema,
  ProgressSchema,
])
  .transform((r): ProgressRecord => {
    if ("v" in r && r.v === 2) return r as unknown as ProgressRecord;
    if ("v" in r && r.v === 1) {
      const w = r as z.infer<typeof WatchV1Schema>;
      return {
        v: 2,
        thread_id: w.thread_id,
        path: w.path,
        progress: w.progress as unknown as ThreadProgress,
        stalled: w.stalled,
        head: w.head,
        updated: w.updated,
      };
    }
    const progress = r as unknown as ThreadProgress;
    return {
      v: 2,
      thread_id: progress.state.thread_id ?? null,
      path: null,
      progress,
      stalled: false,
      head: null,
      updated: new Date(0).toISOString(),
    };
  }) as unknown as z.ZodType<ProgressRecord>;

/** A new record. */
export function progressRecord(
  fields:
    & Pick<ProgressRecord, "path" | "progress">
    & Partial<Pick<ProgressRecord, "stalled" | "head" | "failure_turn" | "file">>,
): ProgressRecord {
  return {
    v: 2,
    thread_id: fields.progress.state.thread_id ?? null,
    path: fields.path,
    progress: fields.progress,
    stalled: fields.stalled ?? false,
    head: fields.head ?? null,
    ...(fields.failure_turn ? { failure_turn: fields.failure_turn } : {}),
    ...(fields.file ? { file: fields.file } : {}),
    updated: new Date().toISOString(),
  };
}

/** Reads a record (any version); null when there is none or it cannot be read (it is a cache). */
export async function readProgress(store: Store, kind: string, id: string): Promise<ProgressRecord | null> {
  return await store.read(kind, id, ProgressRecordSchema).catch(() => null);
}

/** Writes a record atomically. */
export async function writeProgress(
  store: Store,
  kind: string,
  id: string,
  record: ProgressRecord,
): Promise<void> {
  await store.write(kind, id, record);
}

/**
 * Saves `record` unless a record of the same rollout file (same inode) is already further on:
 * several watchers may follow one thread, and the cursor only moves forward.
 */
export async function advanceProgress(
  store: Store,
  kind: string,
  id: string,
  record: ProgressRecord,
): Promise<void> {
  await store.update(kind, id, ProgressRecordSchema, (cur) => {
    const same = cur && cur.progress.cursor.ino === record.progress.cursor.ino;
    return same && cur.progress.cursor.offset > record.progress.cursor.offset ? cur : record;
  });
}
