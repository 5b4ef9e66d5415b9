/**
 * Making a headless thread show in the IDE extension's thread list (`start --via exec
 * --ide-visible`). The list (`thread/list` of `codex app-server`, what the extension shows) leaves
 * out threads whose `session_meta.source` is `exec`; written as `vscode`, the thread is listed
 * (verified with Codex 0.169.0 and 0.130.0: the rollout's first line alone decides, the state
 * database is not needed).
 *
 * This edits Codex's own file, so only when nothing can be writing it: the caller's run has
 * exited, and no process has the rollout open (read from /proc where there is one). The file is
 * replaced atomically (a sibling temporary file, then a rename), only when its size did not change
 * while it was copied, and keeps its mode.
 *
 * @module
 */
import { dirname, join } from "node:path";

/** The `session_meta.source` the IDE extension's threads carry. */
export const IDE_SOURCE = "vscode";

/** What marking did. */
export type IdeMark =
  | { outcome: "marked" | "already"; path: string }
  | { outcome: "busy" | "skipped"; path: string; why: string };

/** The most of a rollout this copies (a bigger one is left alone). */
const MAX_BYTES = 512 * 1024 * 1024;

/** Pids (other than this one) that have `path` open, from /proc; null where /proc cannot say. */
export function openers(path: string): number[] | null {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc")];
  } catch {
    return null;
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      for (const fd of Deno.readDirSync(`/proc/${e.name}/fd`)) {
        try {
          if (Deno.readLinkSync(`/proc/${e.name}/fd/${fd.name}`) === path) {
            out.push(Number(e.name));
            break;
          }
        } catch { /* closed meanwhile */ }
      }
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

/** Rewrites the rollout at `path` so its `session_meta.source` is the IDE extension's (see the module doc). */
export async function markIdeVisible(path: string): Promise<IdeMark> {
  const busy = openers(path);
  if (busy && busy.length) return { outcome: "busy", path, why: `open by pid ${busy.join(", ")}` };
  let before: Deno.FileInfo;
  try {
    before = await Deno.stat(path);
  } catch (err) {
    return { outcome: "skipped", path, why: (err as Error).message };
  }
  if (!before.isFile) return { outcome: "skipped", path, why: "not a regular file" };
  if (before.size > MAX_BYTES) return { outcome: "skipped", path, why: "larger than 512 MiB" };
  const bytes = await Deno.readFile(path);
  const nl = bytes.indexOf(10);
  const first = new TextDecoder().decode(nl === -1 ? bytes : bytes.subarray(0, nl));
  let meta: { type?: unknown; payload?: Record<string, unknown> };
  try {
    meta = JSON.parse(first);
  } catch {
    return { outcome: "skipped", path, why: "its first line is not JSON" };
  }
  if (meta.type !== "session_meta" || !meta.payload || typeof meta.payload !== "object") {
    return { outcome: "skipped", path, why: "its first line is not a session_meta record" };
  }
  if (meta.payload.source === IDE_SOURCE) return { outcome: "already", path };
  if (meta.payload.source !== "exec") {
    return {
      outcome: "skipped",
      path,
      why: `its source is ${JSON.stringify(meta.payload.source)}, not exec`,
    };
  }
  const line = new TextEncoder().encode(
    JSON.stringify({ ...meta, payload: { ...meta.payload, source: IDE_SOURCE } }),
  );
  const rest = nl === -1 ? new Uint8Array() : bytes.subarray(nl);
  const tmp = join(dirname(path), `.${crypto.randomUUID()}.codexctl.tmp`);
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: before.mode ?? 0o600 });
    try {
      for (const part of [line, rest]) {
        let off = 0;
        while (off < part.length) off += await file.write(part.subarray(off));
      }
      await file.sync();
    } finally {
      file.close();
    }
    if (before.mode !== null) await Deno.chmod(tmp, before.mode & 0o7777);
    // nothing may have been appended meanwhile, and nobody may have opened it to write
    const now = await Deno.stat(path);
    const late = openers(path);
    if (
      now.size !== before.size || now.mtime?.getTime() !== before.mtime?.getTime() || (late && late.length)
    ) {
      await Deno.remove(tmp).catch(() => {});
      return { outcome: "busy", path, why: "it changed while it was copied" };
    }
    await Deno.rename(tmp, path);
    return { outcome: "marked", path };
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    return { outcome: "skipped", path, why: (err as Error).message };
  }
}
