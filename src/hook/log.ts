/**
 * The hook log (`<state>/logs/hooks.jsonl`): one JSON line per error, delivery and block, so what a
 * hook did (or why it said nothing) can be read afterwards. A hook never prints diagnostics to
 * stdout; a failure to log is swallowed too (a hook must never break Claude Code).
 *
 * @module
 */
import { HOOK_LOG, joinPath } from "./where.ts";

/** Appends one record (with `time`) to the hook log under `root`; never throws. */
export async function logHook(root: string | null, record: Record<string, unknown>): Promise<void> {
  if (!root) return;
  try {
    const dir = joinPath(root, "logs");
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const line = JSON.stringify({ time: new Date().toISOString(), ...record }).slice(0, 8000) + "\n";
    const file = await Deno.open(joinPath(dir, `${HOOK_LOG}.jsonl`), {
      append: true,
      create: true,
      mode: 0o600,
    });
    try {
      const bytes = new TextEncoder().encode(line);
      let offset = 0;
      while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
    } finally {
      file.close();
    }
  } catch {
    // nowhere to log: stay silent
  }
}

/** A short, single-line description of a thrown value for the log. */
export function describeError(err: unknown): { error: string; stack?: string } {
  if (err instanceof Error) {
    return { error: `${err.name}: ${err.message}`, stack: err.stack?.split("\n").slice(0, 6).join(" | ") };
  }
  return { error: String(err) };
}
