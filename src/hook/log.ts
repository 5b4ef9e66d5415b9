/**
 * The hook log, `<state>/logs/hooks.jsonl`: one JSON line per event (errors, deliveries, blocks), so
 * what a hook did — or why it said nothing — can be read afterwards. A hook never prints
 * diagnostics to stdout, and a failure to log is swallowed too. No heavy imports (hot path).
 *
 * @module
 */
import { joinPath } from "../names.ts";

/** The hook log's name (`logs/hooks.jsonl`). */
export const HOOK_LOG = "hooks";

/** Writes all of `text` as UTF-8 to `target` (loops over partial writes). */
export async function writeAll(
  target: { write(p: Uint8Array): Promise<number> },
  text: string,
): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += await target.write(bytes.subarray(offset));
}

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
      await writeAll(file, line);
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
