/**
 * What every start does before it runs Codex, whichever way it runs it (a pane: `start.ts`; headless:
 * `exec_start.ts`): check the slug, the marker and `--cwd`, and — under the spawn lock — give the new
 * session an id and a label no session on record has.
 *
 * @module
 */
import { usageError } from "../errors.ts";
import { newMarker } from "../codex/prompt.ts";
import { listSessions, newSessionId, SESSION_KIND } from "../session/record.ts";
import type { Store } from "../store/store.ts";
import { checkSlug, slugFromTask, withSuffix } from "./names.ts";

/** The labels of the sessions on record (a corrupt record has none). */
export async function labelsInUse(store: Store): Promise<Set<string>> {
  const { sessions } = await listSessions(store);
  return new Set(sessions.map((s) => s.label).filter((l): l is string => l !== null));
}

/** A completion marker as `--marker` may give it: 6–64 letters, digits, `_` or `-` (else `usage/BAD_MARKER`). */
export function checkMarker(marker: string): string {
  if (!/^[A-Za-z0-9_-]{6,64}$/.test(marker)) {
    throw usageError(
      "BAD_MARKER",
      `marker "${marker.slice(0, 40)}" must be 6–64 letters, digits, '_' or '-'`,
      "omit --marker to get a generated one",
    );
  }
  return marker;
}

/** `--cwd` as a real directory path (else `usage/BAD_CWD`). */
export async function resolveCwd(dir: string): Promise<string> {
  try {
    const cwd = await Deno.realPath(dir);
    if (!(await Deno.stat(cwd)).isDirectory) throw new Error();
    return cwd;
  } catch {
    throw usageError("BAD_CWD", `--cwd ${dir} is not a directory`, "pass an existing directory");
  }
}

/** What a start was asked for that {@linkcode startPrelude} checks. */
export interface PreludeOptions {
  task: string;
  slug?: string;
  marker?: string;
  cwd: string;
}

/** A start's checked basics. */
export interface Prelude {
  /** `--slug` checked, else one made from the task's words. */
  slug: string;
  /** `--marker` checked, else a new one. */
  marker: string;
  /** `--cwd` as a real directory path. */
  cwd: string;
}

/** Checks a start's slug, marker and `--cwd` (a `usage/*` error for a bad one), in that order. */
export async function startPrelude(o: PreludeOptions): Promise<Prelude> {
  const slug = o.slug ? checkSlug(o.slug) : slugFromTask(o.task);
  const marker = checkMarker(o.marker ?? newMarker());
  const cwd = await resolveCwd(o.cwd);
  return { slug, marker, cwd };
}

/**
 * A new session's id and its label (`codex-<slug>`, suffixed when taken), both unique among the
 * sessions on record. Call it under the spawn lock, and write the record before letting go of it.
 */
export async function claimIdentity(store: Store, slug: string): Promise<{ id: string; label: string }> {
  const taken = new Set(await store.list(SESSION_KIND));
  const id = newSessionId((candidate) => taken.has(candidate));
  const label = withSuffix(`codex-${slug}`, await labelsInUse(store));
  return { id, label };
}
