/**
 * The disk probe: free space of the filesystem holding a path, from `df -Pk PATH` (POSIX output,
 * 1024-byte blocks; the same on Linux and macOS). Deno has no statfs of its own.
 *
 * @module
 */
import { clip } from "../text.ts";
import type { Probe, Space } from "./evidence.ts";
import { firstLine, runTool } from "../tool.ts";

/** The argv that reports the filesystem holding `path`. */
export function dfArgv(path: string): string[] {
  return ["df", "-Pk", "--", path];
}

/** Free and total space of the filesystem holding `path` (which must exist). */
export async function probeDisk(path: string, timeoutMs: number): Promise<Probe<Space>> {
  const run = await runTool(dfArgv(path), timeoutMs);
  if (run.kind === "missing") return { kind: "unknown", why: "df is not installed" };
  if (run.kind === "timeout") {
    return { kind: "unknown", why: `df ${path} did not answer in time (a hung mount?)` };
  }
  if (run.kind === "failed") {
    return { kind: "unknown", why: clip(`df could not be run: ${run.message}`, 300) };
  }
  if (run.code !== 0) {
    return {
      kind: "unknown",
      why: clip(`df failed (exit ${run.code}): ${firstLine(run.stderr, run.stdout)}`, 300),
    };
  }
  const space = parseDfP(run.stdout);
  return space
    ? { kind: "ok", value: space }
    : { kind: "unknown", why: clip(`df printed what codexctl cannot read: ${firstLine(run.stdout)}`, 300) };
}

/**
 * Parses `df -Pk` output (a header, then `Filesystem 1024-blocks Used Available Capacity Mounted-on`
 * for one filesystem); null when there is no such line. A filesystem or mount name may hold spaces.
 */
export function parseDfP(text: string): Space | null {
  const lines = text.split("\n").filter((l) => l.trim());
  for (const line of lines.slice(1)) {
    const m = line.match(/^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(.*)$/);
    if (m) return { totalBytes: Number(m[2]) * 1024, availableBytes: Number(m[4]) * 1024 };
  }
  return null;
}
