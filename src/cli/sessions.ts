/**
 * `codexctl sessions`: live sessions with their state; dead ones are pruned.
 *
 * @module
 */
import { z } from "zod";
import { Session } from "../driver/session.ts";
import { listSessions, SESSION_KIND } from "../session/record.ts";
import { substrateByName } from "../panes/select.ts";
import { Store } from "../store/store.ts";
import { currentOwner } from "../session/owner.ts";
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
    const live: Record<string, unknown>[] = [];
    const pruned: Record<string, unknown>[] = [];
    for (const record of sessions) {
      if (args.mine && record.owner !== owner) continue;
      if (record.substrate === "exec") continue;
      const session = new Session(
        store,
        record,
        substrateByName(record.substrate, { env: ctx.env, stateDir: store.root }),
        ctx.env,
      );
      const obs = await session.observe({ recent: false });
      const row = {
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
          if (record.pane) await session.substrate.close(record.pane).catch(() => {});
          await store.write("ended", record.session, {
            session: record.session,
            ended: new Date().toISOString(),
          });
          await store.remove(SESSION_KIND, record.session);
        }
        pruned.push({ ...row, removed: !record.worktree });
      } else live.push(row);
    }
    return { kind: "result", session: null, result: { live, pruned, unreadable: broken } };
  },
});
