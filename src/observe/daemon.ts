/**
 * The daemon evidence: what the Codex daemon says about a thread, asked only when its control
 * socket exists (no socket: nothing to ask, and no time spent trying).
 *
 * @module
 */
import { type DaemonReading, readDaemonEvidence } from "../codex/daemon/evidence.ts";
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
  return await readDaemonEvidence(codexHome, threadId, { timeoutMs });
}
