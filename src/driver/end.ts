/**
 * Ending a session: close its pane (unless --keep was given at start), remove its worktree when
 * merged and clean, delete its state. Idempotent: a session whose Codex or pane already died ends
 * cleanly, and ending an already-ended session says so.
 *
 * @module
 */
import { notFoundError, usageError } from "../errors.ts";
import { substrateOrNull } from "../substrate/select.ts";
import { readSession, SESSION_ID, SESSION_KIND } from "../session/record.ts";
import type { Store } from "../store/store.ts";
import { teardownWorktree, type WorktreeTeardown } from "./worktree.ts";
import { z } from "zod";

/** What `end` did. */
export interface Ended {
  pane: "closed" | "kept" | "already gone" | "none";
  worktree: WorktreeTeardown | null;
  already: boolean;
}

const Tombstone = z.object({ session: z.string(), ended: z.string() });

/** Ends session `id`. */
export async function endSession(
  store: Store,
  id: string,
  env: { get(key: string): string | undefined },
): Promise<Ended> {
  if (!SESSION_ID.test(id)) {
    throw usageError("BAD_SESSION", `"${id.slice(0, 40)}" is not a session id (cdx-<hex>)`);
  }
  const record = await readSession(store, id);
  if (!record) {
    if (await store.read("ended", id, Tombstone)) return { pane: "none", worktree: null, already: true };
    throw notFoundError("NO_SESSION", `no session ${id}`, "list live sessions with: codexctl sessions");
  }
  let pane: Ended["pane"] = "none";
  const substrate = substrateOrNull(record.substrate, { env, stateDir: store.root });
  if (record.pane && substrate?.can.own) {
    if (record.keep) pane = "kept";
    else {
      const stopped = await substrate.stop(record.pane);
      pane = stopped === "not owned" ? "none" : stopped;
    }
  }
  const worktree = record.worktree ? await teardownWorktree(record.worktree) : null;
  await store.write("ended", id, { session: id, ended: new Date().toISOString() });
  await store.remove(SESSION_KIND, id);
  await store.remove("watch", id).catch(() => {});
  return { pane, worktree, already: false };
}
