/**
 * `codexctl threads`: Codex threads newest first, each with its folded state.
 *
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { compatibility } from "../codex/rollout/compat.ts";
import { codexHome, listThreadFiles } from "../codex/rollout/locate.ts";
import { readThread } from "../codex/rollout/reader.ts";
import { clip } from "../text.ts";
import { rolloutStatus } from "../verdict/rollout_status.ts";
import { defineVerb, flag } from "./verb.ts";

/** The `threads` verb. */
export const threadsVerb = defineVerb({
  name: "threads",
  summary: "List Codex threads (newest first) with their state from the rollout",
  usage: "threads [--cwd DIR] [--limit N] [--archived]",
  description: `
Lists the threads of $CODEX_HOME (default ~/.codex) newest first: from state_5.sqlite when it can
be read, plus any rollout file the index does not know. Each is folded to its current state
(working, completed, failed, waiting_input …). --cwd keeps threads whose working directory is DIR;
--archived lists archived_sessions/ instead.`,
  flags: {
    cwd: { type: "string", placeholder: "DIR", description: "Only threads whose working directory is DIR" },
    limit: { type: "string", placeholder: "N", description: "At most N threads (default 20)" },
    archived: { type: "boolean", description: "List archived threads instead" },
  },
  examples: ["codexctl threads --cwd . --limit 5"],
  args: z.object({
    cwd: z.string().optional(),
    limit: flag.count().optional(),
    archived: z.boolean().optional(),
  }),
  async run(args, ctx) {
    const home = codexHome(ctx.env);
    const limit = args.limit ?? 20;
    const cwd = args.cwd ? resolve(args.cwd) : null;
    const files = await listThreadFiles(home, {
      archived: args.archived ?? false,
      limit: cwd ? 5000 : limit,
    });
    const threads: Record<string, unknown>[] = [];
    for (const file of files) {
      if (threads.length >= limit) break;
      if (cwd && file.cwd !== null && resolve(file.cwd) !== cwd) continue;
      let read;
      try {
        read = await readThread(file.path, undefined, { keepEvents: false });
      } catch {
        continue; // vanished between listing and reading
      }
      const s = read.progress.state;
      if (cwd && (s.cwd === null || resolve(s.cwd) !== cwd)) continue;
      const info = await Deno.stat(file.path).catch(() => null);
      threads.push({
        id: file.id,
        status: rolloutStatus(s),
        updated: info?.mtime?.toISOString() ?? null,
        turns: s.turn_count,
        model: s.model,
        source: s.source,
        cwd: s.cwd,
        last_message: s.last_agent_message ? clip(s.last_agent_message, 120, { words: true }) : null,
        confidence: compatibility(read.progress.stats, s).confidence,
        rollout_path: file.path,
      });
    }
    return {
      kind: "result",
      session: null,
      result: { codex_home: home, cwd, archived: args.archived ?? false, count: threads.length, threads },
    };
  },
});
