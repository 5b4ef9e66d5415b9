/**
 * `codexctl threads`: Codex threads newest first, each with its folded state.
 *
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import { compatibility } from "../codex/rollout/compat.ts";
import {
  codexHome,
  listThreadFiles,
  type LocateProblem,
  locateProblemError,
} from "../codex/rollout/locate.ts";
import { NotARegularFile } from "../codex/rollout/open.ts";
import { readThread } from "../codex/rollout/reader.ts";
import { clip } from "../text.ts";
import { rolloutStatus } from "../verdict/rollout_status.ts";
import { ageText, fit, fitEnd, outputWidth, paintFor, stateColour, writeStdout } from "../output.ts";
import { listSessions } from "../session/record.ts";
import { Store } from "../store/store.ts";
import { listedNext } from "../verdict/next.ts";
import { defineVerb, flag } from "./verb.ts";

/** The `threads` verb. */
export const threadsVerb = defineVerb({
  name: "threads",
  summary: "List Codex threads (newest first) with their state from the rollout",
  usage: "threads [--cwd DIR] [--limit N] [--archived]",
  description: `
Lists the threads of $CODEX_HOME (default ~/.codex) newest first: from state_5.sqlite when it can
be read, plus any rollout file the index does not know. Each is folded to its current state
(working, completed, failed, waiting_input …) and named by the slug of the codexctl session bound to
it, with the command to run next: a table in a terminal (age, status coloured unless NO_COLOR is
set, turns, id, slug, cwd), JSON when piped. --cwd keeps threads whose working directory is DIR;
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
    const problems: LocateProblem[] = [];
    const files = await listThreadFiles(home, {
      archived: args.archived ?? false,
      limit: cwd ? 5000 : limit,
      problems,
    });
    const bound = await boundSessions(ctx.env);
    const threads: Record<string, unknown>[] = [];
    for (const file of files) {
      if (threads.length >= limit) break;
      if (cwd && file.cwd !== null && resolve(file.cwd) !== cwd) continue;
      let read;
      try {
        read = await readThread(file.path, undefined, { keepEvents: false });
      } catch (err) {
        if (err instanceof Deno.errors.PermissionDenied) {
          problems.push({
            path: file.path,
            problem: "denied",
            detail: `permission denied reading ${file.path}`,
          });
        } else if (err instanceof NotARegularFile) {
          problems.push({ path: file.path, problem: "not_a_file", detail: err.message });
        }
        continue; // or it vanished between listing and reading
      }
      const s = read.progress.state;
      if (cwd && (s.cwd === null || resolve(s.cwd) !== cwd)) continue;
      const info = await Deno.stat(file.path).catch(() => null);
      const status = rolloutStatus(s);
      const session = bound.get(file.id) ?? null;
      const target = { session: session?.session ?? null, thread: file.id };
      threads.push({
        id: file.id,
        status,
        session: session?.session ?? null,
        slug: session?.slug ?? null,
        next: listedNext(target, status),
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
    // a folder or rollout that may not be read, or a FIFO in its place, is said, never skipped silently
    const blocked = locateProblemError(problems, `listing the threads in ${home}`);
    if (blocked) throw blocked;
    const result = {
      codex_home: home,
      cwd,
      archived: args.archived ?? false,
      count: threads.length,
      threads,
    };
    if (!ctx.mode.json) {
      writeStdout(renderThreads(result as ThreadsResult, ctx.mode.color, outputWidth()) + "\n");
      return { kind: "done", exitCode: 0 };
    }
    return { kind: "result", session: null, result };
  },
});

/**
 * The codexctl sessions bound to a thread, by thread id: a bound thread is named by its session's
 * slug and asked about through the session. A state directory that cannot be read names none (the
 * threads are listed all the same).
 */
async function boundSessions(
  env: { get(key: string): string | undefined },
): Promise<Map<string, { session: string; slug: string | null }>> {
  const bound = new Map<string, { session: string; slug: string | null }>();
  try {
    for (const r of (await listSessions(Store.fromEnv(env))).sessions) {
      if (r.thread_id) bound.set(r.thread_id, { session: r.session, slug: r.slug ?? r.label });
    }
  } catch {
    // an unsafe or unreadable state directory is the session verbs' error to report, not this list's
  }
  return bound;
}

/** The result of `threads`, as {@linkcode renderThreads} reads it. */
export interface ThreadsResult {
  codex_home: string;
  cwd: string | null;
  archived: boolean;
  count: number;
  threads: {
    id: string;
    status: string;
    /** The codexctl session bound to the thread, and its slug (null: none). */
    session?: string | null;
    slug?: string | null;
    /** What to run next about it. */
    next?: string;
    updated: string | null;
    turns: number;
    cwd: string | null;
    last_message: string | null;
  }[];
}

/**
 * `threads` for a person: one line per thread (age, status coloured, turns, id, the slug of the
 * codexctl session bound to it, cwd) and under it the next command and its last message, every line
 * within `width` columns; no threads is said in words.
 */
export function renderThreads(
  r: ThreadsResult,
  color: boolean,
  width: number,
  now: number = Date.now(),
): string {
  const paint = paintFor(color);
  const where = `in ${r.codex_home}${r.cwd ? ` with cwd ${r.cwd}` : ""}`;
  const noun = (n: number) => `${r.archived ? "archived " : ""}thread${n === 1 ? "" : "s"}`;
  const what = `${noun(2)} ${where}`;
  if (!r.threads.length) return fit(`No ${what}.`, width);
  const statusWidth = Math.max(6, ...r.threads.map((t) => t.status.length));
  const slugWidth = Math.min(16, Math.max(4, ...r.threads.map((t) => (t.slug ?? "-").length)));
  const lines = [
    fit(`${r.count} ${noun(r.count)} ${where}, newest first:`, width),
    paint(
      "dim",
      fit(
        `  ${"AGE".padStart(3)}  ${"STATUS".padEnd(statusWidth)}  TURNS  ${"THREAD".padEnd(36)}  ${
          "SLUG".padEnd(slugWidth)
        }  CWD`,
        width,
      ),
    ),
  ];
  for (const t of r.threads) {
    const turns = String(t.turns).padStart(5);
    const slug = fit(t.slug ?? "-", slugWidth).padEnd(slugWidth);
    const head = `  ${ageText(t.updated, now).padStart(3)}  ${
      t.status.padEnd(statusWidth)
    }  ${turns}  ${t.id}  ${slug}  `;
    const room = width - head.length;
    const row = fit(head + (room > 4 ? fitEnd(t.cwd ?? "", room) : ""), width).trimEnd();
    lines.push(
      row.replace(t.status.padEnd(statusWidth), paint(stateColour(t.status), t.status.padEnd(statusWidth))),
    );
    const next = t.next ?? listedNext({ session: t.session ?? null, thread: t.id }, t.status);
    const last = t.last_message ? ` · ${t.last_message}` : "";
    lines.push(paint("dim", fit(`       └ next: ${next}${last}`, width)));
  }
  return lines.join("\n");
}
