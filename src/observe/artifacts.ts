/**
 * The `--expect` evidence: which expected files exist, and how big they are.
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
    const info = await Deno.stat(full).catch(() => null);
    out.push({ path, exists: info !== null, bytes: info?.isFile ? info.size : 0 });
  }
  return out;
}
