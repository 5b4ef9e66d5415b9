/**
 * What a driving verb (`reply`, `send`) acts on: a codexctl session (`--session cdx-…`, driven in
 * its pane) or any Codex thread reached through the Codex daemon (`--thread <uuid|codex://threads/uuid>`).
 * A verb takes exactly one of the two.
 *
 * @module
 */
import { usageError } from "../errors.ts";
import { parseThreadRef } from "../codex/rollout/locate.ts";
import type { DaemonClient } from "../codex/daemon/client.ts";
import { type AttachedThread, withDaemon } from "../codex/daemon/operations.ts";
import type { FlagSpec } from "./verb.ts";

/** The target flags every driving verb declares. */
export const TARGET_FLAGS: Record<string, FlagSpec> = {
  session: {
    type: "string",
    placeholder: "ID",
    description: "A codexctl session (cdx-…), driven in its pane",
  },
  thread: {
    type: "string",
    placeholder: "ID",
    description:
      "Any Codex thread: its UUID or codex://threads/<uuid> (a 0.169+ TUI, reached through the daemon)",
  },
};

/** A resolved target. */
export type VerbTarget = { kind: "thread"; threadId: string } | { kind: "session"; session: string };

/** Resolves the target flags; `usage/NO_TARGET` or `usage/BAD_THREAD` (exit 2) when wrong. */
export function resolveTarget(verb: string, args: { thread?: string; session?: string }): VerbTarget {
  if ((args.thread === undefined) === (args.session === undefined)) {
    throw usageError(
      "NO_TARGET",
      `codexctl ${verb} needs exactly one target: --session cdx-… or --thread <id>`,
      `run: codexctl ${verb} --session <cdx-id> …  (codexctl sessions lists them) or --thread <uuid> …`,
    );
  }
  if (args.session !== undefined) return { kind: "session", session: args.session };
  return { kind: "thread", threadId: parseThreadRef(args.thread!) };
}

/** How a `--thread` result starts: the target and the thread the daemon attached. */
export interface ThreadHeader {
  target: { kind: "thread"; thread: string };
  thread: { id: string; rollout_path: string | null; cwd: string | null };
}

/**
 * Acts on thread `threadId` through the Codex daemon of `codexHome`: connects, runs `act` and
 * closes, each step bounded by `timeoutSec`. Returns what `act` returned, the result's header and
 * the daemon's version.
 */
export async function onThread<T extends { attached: AttachedThread }>(
  codexHome: string,
  threadId: string,
  timeoutSec: number,
  act: (client: DaemonClient, timeoutMs: number) => Promise<T>,
): Promise<{ outcome: T; header: ThreadHeader; daemonVersion: string | null }> {
  const timeoutMs = Math.round(timeoutSec * 1000);
  const { outcome, daemonVersion } = await withDaemon(
    codexHome,
    { timeoutMs, requestTimeoutMs: timeoutMs },
    async (client) => ({ outcome: await act(client, timeoutMs), daemonVersion: client.version }),
  );
  const t = outcome.attached.thread;
  return {
    outcome,
    header: {
      target: { kind: "thread", thread: threadId },
      thread: { id: threadId, rollout_path: t.path ?? null, cwd: t.cwd ?? null },
    },
    daemonVersion,
  };
}
