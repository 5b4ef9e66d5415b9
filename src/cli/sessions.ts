/**
 * `codexctl sessions`: live sessions with their state; dead ones are pruned.
 *
 * @module
 */
import { z } from "zod";
import { Session } from "../driver/session.ts";
import { listSessions, SESSION_KIND } from "../session/record.ts";
import { substrateOrNull } from "../substrate/select.ts";
import { Store } from "../store/store.ts";
import { currentOwner } from "../session/owner.ts";
import { fit, outputWidth, paintFor, stateColour, writeStdout } from "../output.ts";
import { defineVerb } from "./verb.ts";

/** The `sessions` verb. */
export const sessionsVerb = defineVerb({
  name: "sessions",
  summary: "List live sessions with their state; prune the ones whose Codex is gone",
  usage: "sessions [--mine]",
  description: `
Reads every session in the state directory, observes it (pane + rollout) and lists it with its
verdict state. A session whose pane is gone is reported as exited and pruned — unless it still
has a worktree to tear down, which \`codexctl end\` does. --mine keeps the sessions this Claude
Code session started.`,
  flags: { mine: { type: "boolean", description: "Only sessions owned by this Claude Code session" } },
  args: z.object({ mine: z.boolean().optional() }),
  async run(args, ctx) {
    const store = Store.fromEnv(ctx.env);
    const owner = currentOwner(ctx.env);
    const { sessions, broken } = await listSessions(store);
    const live: SessionRow[] = [];
    const pruned: SessionRow[] = [];
    for (const record of sessions) {
      if (args.mine && record.owner !== owner) continue;
      // a session this codexctl cannot drive (no such substrate here) is neither observed nor pruned
      const substrate = substrateOrNull(record.substrate, { env: ctx.env, stateDir: store.root });
      if (!substrate) continue;
      const session = new Session(store, record, substrate, ctx.env);
      const obs = await session.observe({ recent: false });
      const row: SessionRow = {
        session: record.session,
        label: record.label,
        substrate: record.substrate,
        state: obs.verdict.state,
        reason: obs.verdict.reason,
        thread: record.thread_id,
        cwd: record.cwd,
        owner: record.owner,
      };
      if (obs.verdict.state === "exited") {
        if (!record.worktree) {
          // the dead pane (kept by remain-on-exit) goes too; a tombstone lets a later `end` succeed
          if (record.pane) await session.substrate.stop(record.pane).catch(() => {});
          await store.write("ended", record.session, {
            session: record.session,
            ended: new Date().toISOString(),
          });
          await store.remove(SESSION_KIND, record.session);
        }
        pruned.push({ ...row, removed: !record.worktree });
      } else live.push(row);
    }
    const result = { live, pruned, unreadable: broken };
    if (!ctx.mode.json) {
      writeStdout(renderSessions(result, ctx.mode.color, outputWidth()) + "\n");
      return { kind: "done", exitCode: 0 };
    }
    return { kind: "result", session: null, result };
  },
});

/** One row of `sessions`. */
export interface SessionRow {
  session: string;
  label: string | null;
  substrate: string;
  state: string;
  reason: string;
  thread: string | null;
  cwd: string;
  owner: string | null;
  /** Pruned rows: whether the record was removed (false: a worktree is left for `end`). */
  removed?: boolean;
}

/** The result of `sessions`, as {@linkcode renderSessions} reads it. */
export interface SessionsResult {
  live: SessionRow[];
  pruned: SessionRow[];
  unreadable: string[];
}

/**
 * `sessions` for a person: the live sessions (id, state/reason, label, substrate, cwd), then what was
 * pruned and what could not be read, every line within `width` columns; empty lists in words.
 */
export function renderSessions(r: SessionsResult, color: boolean, width: number): string {
  const paint = paintFor(color);
  const lines: string[] = [];
  if (!r.live.length) lines.push("No live sessions.");
  else {
    lines.push(`${r.live.length} live session${r.live.length === 1 ? "" : "s"}:`);
    const verdict = (s: SessionRow) => `${s.state}/${s.reason}`;
    const vw = Math.max(...r.live.map((s) => verdict(s).length));
    const lw = Math.max(5, ...r.live.map((s) => (s.label ?? "-").length));
    const sw = Math.max(...r.live.map((s) => s.session.length));
    for (const s of r.live) {
      const cells = [
        s.session.padEnd(sw),
        verdict(s).padEnd(vw),
        (s.label ?? "-").padEnd(lw),
        s.substrate.padEnd(5),
      ];
      const row = fit(`  ${cells.join("  ")}  ${s.cwd}`, width);
      lines.push(row.replace(verdict(s), paint(stateColour(s.state), verdict(s))));
    }
  }
  for (const s of r.pruned) {
    const name = `${s.session} (${s.label ?? s.cwd})`;
    lines.push(fit(
      s.removed
        ? `Pruned ${name}: its Codex is gone.`
        : `${name}: its Codex is gone; codexctl end --session ${s.session} removes its worktree.`,
      width,
    ));
  }
  if (r.unreadable.length) {
    lines.push(fit(`Unreadable session records (left in place): ${r.unreadable.join(", ")}`, width));
  }
  return lines.join("\n");
}
