/**
 * The `--expect` evidence: which expected files exist, and how big they are. An expected file is
 * present only as a regular file (a symlink to one counts); a directory, a FIFO, a device or an
 * empty path proves nothing and reads as missing.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import type { ArtifactCheck } from "../verdict/evidence.ts";

/** Stats every expected file; relative paths are taken from `cwd` (the thread's working directory). */
export async function checkArtifacts(paths: string[], cwd: string | null): Promise<ArtifactCheck[]> {
  const out: ArtifactCheck[] = [];
  for (const path of paths) {
    const full = isAbsolute(path) || !cwd ? path : join(cwd, path);
    const info = path.trim() ? await Deno.stat(full).catch(() => null) : null;
    const file = info?.isFile === true;
    out.push({ path, exists: file, bytes: file ? info!.size : 0 });
  }
  return out;
}
