/**
 * Follow files that are not follow lists (empty, torn, the wrong shape) are moved aside — under the
 * same lock `follow` writes them with, after reading them once more, so a list written meanwhile is
 * never moved — and the caller says so once. A corrupt list never silently reads as "nothing
 * followed".
 *
 * @module
 */
import { basename } from "node:path";
import { Store } from "../store/store.ts";
import { quarantine, type Quarantined } from "../store/quarantine.ts";
import { FOLLOW_KIND, parseFollowList } from "./targets.ts";

/** Why `path` is not a follow list, or null when it is one (or is gone). */
async function wrongWith(path: string): Promise<string | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    return err instanceof Deno.errors.NotFound ? null : `it cannot be read (${(err as Error).message})`;
  }
  if (!text.trim()) return "it is empty";
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return "it is not JSON";
  }
  return parseFollowList(data) ? null : "it is not a follow list";
}

/** Moves aside each of `paths` (follow files under `root`) that is still not a follow list. */
export async function repairFollows(root: string, paths: string[]): Promise<Quarantined[]> {
  const store = new Store(root);
  const moved: Quarantined[] = [];
  for (const path of paths) {
    const id = basename(path).replace(/\.json$/, "");
    const done = await store.withLock(`${FOLLOW_KIND}.${id}`, async () => {
      const why = await wrongWith(path);
      return why ? await quarantine(path, why) : null;
    });
    if (done) moved.push(done);
  }
  return moved;
}

/** What the user is told, once, about follow lists moved aside (null: none were). */
export function followNote(moved: Quarantined[]): string | null {
  if (!moved.length) return null;
  return `codexctl: ${
    moved.map((q) => `the follow list ${q.path} was corrupt (${q.why}) and was moved to ${q.moved_to}`).join(
      "; ",
    )
  } — what it followed is no longer reported; follow it again with codexctl follow --thread <id> or --session <id>`;
}
