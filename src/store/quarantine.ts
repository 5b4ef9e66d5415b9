/**
 * Moving a corrupt state file aside. A state file codexctl cannot read (empty, torn by hand, not
 * JSON, the wrong shape) is renamed to `<path>.corrupt` — kept for a person to look at, never read
 * again as state, and no longer in the way: the next write starts a fresh file. The caller says so
 * once (the move itself makes it once: the file is gone the next time).
 *
 * @module
 */

/** A file that was moved aside, and why. */
export interface Quarantined {
  path: string;
  moved_to: string;
  why: string;
}

/**
 * Renames `path` to `<path>.corrupt` (replacing an older one). Null when the file is already gone
 * (another process moved it first). A refusal of the file system is thrown.
 */
export async function quarantine(path: string, why: string): Promise<Quarantined | null> {
  const movedTo = `${path}.corrupt`;
  try {
    await Deno.rename(path, movedTo);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  return { path, moved_to: movedTo, why };
}
