/**
 * The ended record (a tombstone) a session leaves when it ends — by `end`, by `watch --session` on a
 * verified completion, or pruned by `sessions` — at `<state>/ended/<cdx-id>.json`. It keeps the final
 * verdict and the session record, so a verb that reaches the session afterwards (a `reply` racing
 * the watch that just closed it, a late `status`) reports how it ended instead of "no session" or
 * "the pane is gone", and never brings the session back. Ended records older than a week are swept.
 *
 * @module
 */
import { z } from "zod";
import type { Verdict } from "../envelope.ts";
import type { Store } from "../store/store.ts";
import { type SessionRecord, SessionRecordSchema } from "./record.ts";

/** The store kind holding ended records. */
export const ENDED_KIND = "ended";

/** How long an ended record is kept. */
export const ENDED_KEEP_MS = 7 * 24 * 3600 * 1000;

/** One ended session. Records written by 0.1.0 have only `session` and `ended`. */
export const EndedRecordSchema = z.looseObject({
  session: z.string(),
  /** When it ended (ISO time). */
  ended: z.string(),
  /** Who ended it: `end`, `watch` (verified completion), `sessions` (pruned: Codex was gone). */
  by: z.string().optional(),
  /** The last verdict before it ended (a v1 verdict), when known. */
  final: z.record(z.string(), z.unknown()).nullable().optional(),
  /** The session record as it was. */
  record: SessionRecordSchema.nullable().optional(),
});

/** One ended session. */
export type EndedRecord = z.infer<typeof EndedRecordSchema>;

/** Reads the ended record of `id` (null when there is none or it cannot be read). */
export async function readEnded(store: Store, id: string): Promise<EndedRecord | null> {
  try {
    return await store.read(ENDED_KIND, id, EndedRecordSchema);
  } catch {
    return null;
  }
}

/**
 * Writes the ended record of a session, under its lock, unless one written since the session was
 * created is there already (another `end` or watch is ending it). True when this call wrote it.
 */
export async function claimEnded(
  store: Store,
  record: SessionRecord,
  by: string,
  final: Verdict | null,
): Promise<boolean> {
  const mine: EndedRecord = { session: record.session, ended: new Date().toISOString(), by, final, record };
  let claimed = false;
  await store.update(ENDED_KIND, record.session, EndedRecordSchema, (cur) => {
    if (cur && Date.parse(cur.ended) >= Date.parse(record.created)) return cur;
    claimed = true;
    return mine;
  });
  return claimed;
}

/** Deletes ended records older than `keepMs` (best effort). Returns how many went. */
export async function sweepEnded(store: Store, now = Date.now(), keepMs = ENDED_KEEP_MS): Promise<number> {
  let swept = 0;
  for (const id of await store.list(ENDED_KIND).catch(() => [] as string[])) {
    const e = await readEnded(store, id);
    const at = e ? Date.parse(e.ended) : NaN;
    if (e && Number.isFinite(at) && now - at > keepMs) {
      await store.remove(ENDED_KIND, id).catch(() => {});
      swept++;
    }
  }
  return swept;
}
