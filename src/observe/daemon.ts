/**
 * The daemon evidence: what the Codex daemon says about a thread, asked only when its control
 * socket exists (no socket: nothing to ask, and no time spent trying). The daemon client (and its
 * WebSocket library) is loaded only then: observers that never ask — the hooks' delivery pass,
 * `watch --all` — stay small (see `lazy.ts`).
 *
 * @module
 */
import type { DaemonReading } from "../codex/daemon/evidence.ts";
import { controlSocketPath } from "../codex/daemon/socket_path.ts";

/**
 * What the Codex daemon says about `threadId`, when its control socket exists under `codexHome`
 * (null when there is no daemon). Never throws.
 */
export async function askDaemon(
  codexHome: string,
  threadId: string,
  timeoutMs = 3000,
): Promise<DaemonReading | null> {
  try {
    await Deno.lstat(controlSocketPath(codexHome));
  } catch {
    return null;
  }
  const evidence: typeof import("../codex/daemon/evidence.ts") = await import(
    new URL("../codex/daemon/evidence.ts", import.meta.url).href
  );
  return await evidence.readDaemonEvidence(codexHome, threadId, { timeoutMs });
}
