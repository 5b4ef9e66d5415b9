/**
 * `codexctl sessions`: live sessions with their state; dead ones are pruned.
 *
 * @module
 */
import { z } from "zod";
import { Session } from "../driver/session.ts";
import { listSessions } from "../session/record.ts";
import { endSession } from "../driver/end.ts";
import { sweepEnded } from "../session/ended.ts";
import { substrateOrNull } from "../substrate/select.ts";
import { Store } from "../store/store.ts";
import { currentOwner } from "../session/owner.ts";
import { ageText, fit, fitEnd, outputWidth, paintFor, stateColour, writeStdout } from "../output.ts";
import { listedNext } from "../verdict/next.ts";
import { defineVerb } from "./verb.ts";

/** The `sessions` verb. */
export const sessionsVerb = defineVerb({
  name: "sessions",
  summary: "List live sessions with their state; prune the ones whose Codex is gone",
  usage: "sessions [--mine]",
  description: `
Reads every session in the state directory, observes it (pane + rollout) and lists it with its
verdict state, age, slug, substrate, cwd and the command to run next: a table in a terminal (the
state coloured unless NO_COLOR is set), JSON when piped. A session whose pane is gone is reported
as exited and pruned — unless it still has a worktree to tear down, which \`codexctl end\` does.
--mine keeps the sessions this Claude Code session started.`,
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
      // the same reading as status: one record never gets two states
      const obs = await session.reading();
      if (session.ended) continue; // it ended while being listed
      const row: SessionRow = {
        session: record.session,
        label: record.label,
        slug: record.slug,
        created: record.created,
        substrate: record.substrate,
        state: obs.verdict.state,
        reason: obs.verdict.reason,
        thread: record.thread_id,
        cwd: record.cwd,
        owner: record.owner,
        next: listedNext(
          { session: record.session, thread: record.thread_id },
          obs.verdict.state,
          obs.verdict.next_action.command,
        ),
      };
      if (obs.verdict.state === "exited") {
        // the dead pane (kept by remain-on-exit) goes too; the ended record lets a later verb say how
        // it ended; a worktree is left for `end` to tear down
        const removed = !record.worktree &&
          await endSession(store, record.session, ctx.env, { by: "sessions", final: obs.verdict })
            .then(() => true, () => false);
        pruned.push({ ...row, removed });
      } else live.push(row);
    }
    await sweepEnded(store);
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
  /** The short name given at start (`--slug`, else from the task). */
  slug: string | null;
  /** When the session started (ISO). */
  created: string;
  substrate: string;
  state: string;
  reason: string;
  thread: string | null;
  cwd: string;
  owner: string | null;
  /** The command to run next (the verdict's, else the wait while working, else its status). */
  next: string;
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
 * `sessions` for a person: one row per live session (id, state/reason coloured, age, slug,
 * substrate, cwd) with the next command under it, then what was pruned and what could not be read,
 * every line within `width` columns; empty lists in words.
 */
export function renderSessions(
  r: SessionsResult,
  color: boolean,
  width: number,
  now: number = Date.now(),
): string {
  const paint = paintFor(color);
  const lines: string[] = [];
  if (!r.live.length) lines.push("No live sessions.");
  else {
    lines.push(`${r.live.length} live session${r.live.length === 1 ? "" : "s"}:`);
    const verdict = (s: SessionRow) => `${s.state}/${s.reason}`;
    const name = (s: SessionRow) => s.slug ?? s.label ?? "-";
    const sw = Math.max(7, ...r.live.map((s) => s.session.length));
    const vw = Math.max(5, ...r.live.map((s) => verdict(s).length));
    const nw = Math.min(24, Math.max(4, ...r.live.map((s) => name(s).length)));
    const cols = (a: string, b: string, c: string, d: string, e: string) =>
      `  ${a.padEnd(sw)}  ${b.padEnd(vw)}  ${c.padStart(3)}  ${d.padEnd(nw)}  ${e.padEnd(6)}  `;
    lines.push(paint("dim", fit(cols("SESSION", "STATE", "AGE", "SLUG", "VIA") + "CWD", width)));
    for (const s of r.live) {
      const head = cols(s.session, verdict(s), ageText(s.created, now), fit(name(s), nw), s.substrate);
      // the cwd keeps its end (the project's own folder) when the row is too wide
      const room = width - head.length;
      const row = fit(head + (room > 4 ? fitEnd(s.cwd, room) : ""), width).trimEnd();
      lines.push(row.replace(verdict(s), paint(stateColour(s.state), verdict(s))));
      lines.push(paint("dim", fit(`${" ".repeat(sw + 4)}└ next: ${s.next}`, width)));
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
