/**
 * Thread binding: finding the rollout a freshly spawned Codex writes — a rollout newer than the
 * spawn, whose `session_meta.cwd` is the session's cwd and whose user messages carry this
 * session's completion marker. From then on the rollout is evidence.
 *
 * @module
 */
import { join } from "node:path";
import { sessionMetaId } from "../codex/rollout/locate.ts";
import { readRolloutHead } from "../codex/rollout/open.ts";

/** A bound thread. */
export interface Binding {
  thread_id: string;
  rollout_path: string;
}

function dayDir(home: string, ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return join(home, "sessions", String(d.getFullYear()), pad(d.getMonth() + 1), pad(d.getDate()));
}

/** Looks for the rollout of a Codex started at `since` (ms) in `cwd` that was given `marker`. */
export async function findBinding(
  codexHome: string,
  cwd: string,
  marker: string,
  since: number,
): Promise<Binding | null> {
  const dirs = new Set([
    dayDir(codexHome, since),
    dayDir(codexHome, Date.now()),
    dayDir(codexHome, since - 86_400_000),
  ]);
  const real = await Deno.realPath(cwd).catch(() => cwd);
  for (const dir of dirs) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isFile || !entry.name.endsWith(".jsonl")) continue;
      const path = join(dir, entry.name);
      const info = await Deno.stat(path).catch(() => null);
      if (!info?.mtime || info.mtime.getTime() < since - 2000) continue;
      const text = readHead(path, 4 * 1024 * 1024);
      if (!text.includes(marker)) continue;
      const first = text.slice(0, text.indexOf("\n"));
      let metaCwd: string | null = null;
      try {
        metaCwd = JSON.parse(first)?.payload?.cwd ?? null;
      } catch {
        continue;
      }
      if (
        metaCwd === null ||
        (metaCwd !== cwd && metaCwd !== real && (await Deno.realPath(metaCwd).catch(() => metaCwd)) !== real)
      ) continue;
      const id = await sessionMetaId(path);
      if (id) return { thread_id: id, rollout_path: path };
    }
  }
  return null;
}

/** The first `max` bytes of a rollout as text (only a regular file is read; never blocks). */
function readHead(path: string, max: number): string {
  try {
    return new TextDecoder().decode(readRolloutHead(path, max));
  } catch {
    return ""; // gone, not readable, or not a regular file: not this session's rollout
  }
}
