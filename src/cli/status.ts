/**
 * `codexctl status --thread <id|url>`: one reading of a Codex thread from its rollout.
 *
 * @module
 */
import { z } from "zod";
import { dirname, join } from "node:path";
import { observeThread } from "../observe/observe.ts";
import { rolloutStatus } from "../verdict/rollout_status.ts";
import { resolveTarget } from "./target.ts";
import { Session } from "../driver/session.ts";
import type { Evidence } from "../verdict/evidence.ts";
import { Store } from "../store/store.ts";
import { defineVerb } from "./verb.ts";
import { expectArg } from "./session_flags.ts";

/** A headless session's run, for `status`: which run, its process, its files (and `--ide-visible`'s mark). */
export async function execFacts(seen: { evidence: Evidence }): Promise<Record<string, unknown>> {
  const x = seen.evidence.exec!;
  const p = seen.evidence.process;
  let ide: unknown = null;
  try {
    if (x.events_path) ide = JSON.parse(await Deno.readTextFile(join(dirname(x.events_path), "ide.json")));
  } catch {
    // not asked for, or not done yet
  }
  return {
    run: x.run,
    pid: p?.pid ?? null,
    alive: p?.alive ?? null,
    started_at: p?.started_at ? new Date(p.started_at).toISOString() : null,
    exit: p?.exit ?? null,
    events: x.events_path,
    error: x.error,
    ide_visible: ide,
  };
}

/** The `status` verb. */
export const statusVerb = defineVerb({
  name: "status",
  summary: "One reading of a Codex thread: state, reason, what it waits on, the next command",
  usage: "status (--session ID | --thread <uuid|codex://threads/uuid>) [--expect PATH]… [--marker TOKEN]",
  description: `
Reads the thread's rollout (found through $CODEX_HOME/state_5.sqlite, sessions/ or archived_sessions/)
from the start, folds it, and prints a v1 verdict: working, completed (marker_verified /
artifacts_present / turn_complete), awaiting_clarification (a question widget or a final question),
permission_gate (an escalated command without output: approval probable), awaiting_approval (a
proposed plan), failed, interrupted or idle. The result also carries thread facts (model, cwd,
tokens, context %), the byte offset read up to, and a compatibility report of the rollout format.
Works for any thread, including ones started in the IDE extension or another terminal.
With --session it reads a codexctl session instead (its pane and its bound rollout, fused by
the same verdict machine), without waiting. For a headless session (start --via exec) that is
its run: the event stream, the process (pid and start time, so a reused pid never counts) and its
exit status — result.exec — with Codex's final message whole in result.final_message.`,
  flags: {
    session: { type: "string", placeholder: "ID", description: "A codexctl session (cdx-…)" },
    thread: {
      type: "string",
      placeholder: "ID|URL",
      description: "The Codex thread: a uuid or codex://threads/<uuid>",
    },
    expect: {
      type: "string",
      multiple: true,
      placeholder: "PATH",
      description: "A file the task must produce (relative to the thread's cwd)",
    },
    marker: {
      type: "string",
      placeholder: "TOKEN",
      description: "Completion marker to look for (default: the one the thread's messages asked for)",
    },
  },
  examples: [
    "codexctl status --thread codex://threads/01a1fee2-5631-7ac1-80da-2f586c6afc12",
    "codexctl status --thread 01a1fee2-5631-7ac1-80da-2f586c6afc12 --expect out/report.md",
  ],
  args: z.object({
    session: z.string().optional(),
    thread: z.string().optional(),
    expect: expectArg,
    marker: z.string().optional(),
  }),
  async run(args, ctx) {
    const target = resolveTarget("status", args);
    if (target.kind === "session") {
      const session = await Session.load(Store.fromEnv(ctx.env), target.session, ctx.env);
      const seen = await session.reading(args.expect);
      await session.remember(seen.verdict);
      if (session.record.review) {
        // a review that ended is remembered for the review gate
        await (await import("../review/run.ts")).noteReview(session.store, session, seen.verdict);
      }
      const r = session.record;
      return {
        kind: "result",
        session: session.id,
        result: {
          ...seen.verdict,
          pane: {
            substrate: r.substrate,
            mode: r.mode,
            // null: the multiplexer could not be asked (see unreachable); the verdict then rests on
            // the rollout and Codex's process
            alive: seen.pane.unreachable === undefined ? seen.pane.alive : null,
            unreachable: seen.pane.unreachable ?? null,
            cwd: r.cwd,
            marker: r.marker,
            rule: seen.rule,
          },
          worktree: r.worktree,
          daemon: seen.daemon,
          ...(seen.evidence.exec ? { exec: await execFacts(seen) } : {}),
        },
      };
    }
    const obs = await observeThread(ctx.env, target.threadId, {
      expect: args.expect,
      marker: args.marker ?? null,
      daemon: true,
    });
    const s = obs.rollout.progress.state;
    return {
      kind: "result",
      session: null,
      result: {
        ...obs.verdict,
        offset: obs.rollout.progress.cursor.offset,
        rollout: {
          status: rolloutStatus(s),
          turn_count: s.turn_count,
          last_activity: s.last_activity === null ? null : new Date(s.last_activity).toISOString(),
          approval_policy: s.approval_policy,
          collaboration_mode: s.collaboration_mode,
          source: s.source,
          originator: s.originator,
          cli_version: s.cli_version,
          goal: s.goal,
          checklist: s.checklist,
          pending_calls: Object.entries(s.pending_calls).map(([id, c]) => ({
            call_id: id,
            name: c.name,
            summary: c.summary,
            escalated: c.escalated,
          })),
          rule: obs.rule,
        },
        compatibility: obs.compatibility,
        daemon: obs.daemon,
      },
    };
  },
});
