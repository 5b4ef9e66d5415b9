/**
 * Finding Codex threads and their rollout files.
 *
 * A thread is named by its uuid or a `codex://threads/<uuid>` URL. Its rollout is found through
 * `$CODEX_HOME/state_5.sqlite` (`threads.rollout_path`, opened read-only; a locked, missing or
 * foreign database is tolerated), else by scanning `sessions/YYYY/MM/DD/` (the UUIDv7's own time
 * picks the likely day first), else `archived_sessions/`. The id is confirmed from the file's
 * `session_meta`. Callers re-locate whenever the file vanished (archiving moves it).
 *
 * @module
 */
import { basename, join } from "node:path";
import { type CodexctlError, environmentError, notFoundError, usageError } from "../../errors.ts";
import { NotARegularFile, openRollout, type RolloutFile } from "./open.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Accepts `<uuid>` or `codex://threads/<uuid>` and returns the lowercase uuid; else `usage/BAD_THREAD`. */
export function parseThreadRef(ref: string): string {
  const trimmed = ref.trim();
  const m = trimmed.match(/^codex:\/\/threads\/([^/?#\s]+)\/?(?:[?#].*)?$/i);
  const id = (m ? m[1] : trimmed).toLowerCase();
  if (!UUID.test(id)) {
    throw usageError(
      "BAD_THREAD",
      `"${ref.slice(0, 80)}" is not a Codex thread id: expected a uuid or codex://threads/<uuid>`,
      "copy the thread URL from the Codex IDE extension, or list threads with: codexctl threads",
    );
  }
  return id;
}

/** The Codex home: `$CODEX_HOME`, else `~/.codex`. */
export function codexHome(env: { get(key: string): string | undefined }): string {
  const own = env.get("CODEX_HOME");
  if (own) return own;
  return join(env.get("HOME") ?? "/", ".codex");
}

/** Where a rollout was found. */
export interface Located {
  id: string;
  path: string;
  via: "sqlite" | "sessions" | "archived";
  archived: boolean;
}

/** What the first line of a file said about the thread it belongs to. */
export type SessionMeta =
  | { ok: true; id: string }
  | { ok: false; problem: LocateProblem["problem"]; detail: string };

/** Something that stood in the way of finding or listing a thread: never silent. */
export interface LocateProblem {
  path: string;
  /**
   * `denied`: no permission to read it; `not_a_file`: a FIFO, device, socket or directory where a
   * rollout should be; `no_meta`: its first line is not a `session_meta`; `other_id`: its
   * `session_meta` names another thread.
   */
  problem: "denied" | "not_a_file" | "no_meta" | "other_id";
  detail: string;
  /** Met on a file that was a candidate for the thread looked for (not merely listed). */
  candidate?: boolean;
}

/** The most of a rollout's first line read to find its `session_meta` (bounded). */
const META_MAX_BYTES = 256 * 1024;

/**
 * Reads the `session_meta` of the rollout at `path` from its first line, bounded and never
 * blocking (only a regular file is read: see `open.ts`). A missing file is `null`.
 */
export function readSessionMeta(path: string): SessionMeta | null {
  let file: RolloutFile;
  try {
    file = openRollout(path);
  } catch (err) {
    if (err instanceof Deno.errors.PermissionDenied) {
      return { ok: false, problem: "denied", detail: `permission denied reading ${path}` };
    }
    if (err instanceof NotARegularFile) return { ok: false, problem: "not_a_file", detail: err.message };
    return null;
  }
  try {
    const buf = new Uint8Array(META_MAX_BYTES);
    let length = 0;
    let nl = -1;
    while (length < buf.length && nl === -1) {
      const n = file.readAt(buf.subarray(length, Math.min(buf.length, length + 16 * 1024)), length);
      if (n === 0) break;
      nl = buf.subarray(length, length + n).indexOf(10);
      if (nl !== -1) nl += length;
      length += n;
    }
    const first = new TextDecoder().decode(buf.subarray(0, nl === -1 ? length : nl));
    let rec: { type?: unknown; payload?: { id?: unknown } } | null = null;
    try {
      rec = JSON.parse(first);
    } catch {
      rec = null;
    }
    if (rec?.type === "session_meta" && typeof rec.payload?.id === "string") {
      return { ok: true, id: rec.payload.id.toLowerCase() };
    }
    return {
      ok: false,
      problem: "no_meta",
      detail: length === 0
        ? `${path} is empty (no session_meta line yet)`
        : `the first line of ${path} is not a session_meta record`,
    };
  } catch (err) {
    if (err instanceof Deno.errors.PermissionDenied) {
      return { ok: false, problem: "denied", detail: `permission denied reading ${path}` };
    }
    return null;
  } finally {
    file.close();
  }
}

/** Reads the `id` of the first `session_meta` line of a rollout (null when it has none or cannot be read). */
export function sessionMetaId(path: string): Promise<string | null> {
  const meta = readSessionMeta(path);
  return Promise.resolve(meta?.ok ? meta.id : null);
}

/** Confirms that `path` is the rollout of thread `id`; records why not in `problems`. */
function confirm(path: string, id: string, problems: LocateProblem[]): boolean {
  const meta = readSessionMeta(path);
  if (meta === null) return false;
  if (meta.ok) {
    if (meta.id === id) return true;
    problems.push({
      path,
      problem: "other_id",
      detail: `${path} is listed for thread ${id}, but its session_meta says it is thread ${meta.id}`,
      candidate: true,
    });
    return false;
  }
  problems.push({ path, problem: meta.problem, detail: meta.detail, candidate: true });
  return false;
}

interface ThreadRow {
  id: string;
  rollout_path: string;
  cwd: string | null;
  archived: number | null;
  updated_at: number | null;
}

/** Rows of the `threads` table, or null when the database cannot be read (missing, locked, other schema). */
async function sqliteThreads(
  home: string,
  where: { id?: string; limit?: number },
): Promise<ThreadRow[] | null> {
  const path = join(home, "state_5.sqlite");
  try {
    await Deno.stat(path);
  } catch {
    return null;
  }
  try {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      // Codex may be writing: wait briefly, then fall back to scanning rather than hang
      db.exec("PRAGMA busy_timeout = 250");
      const sql = where.id
        ? "SELECT id, rollout_path, cwd, archived, updated_at FROM threads WHERE id = ?"
        : "SELECT id, rollout_path, cwd, archived, updated_at FROM threads ORDER BY updated_at DESC LIMIT ?";
      const rows = db.prepare(sql).all(where.id ?? where.limit ?? 1000) as unknown as ThreadRow[];
      return rows.filter((r) => typeof r.id === "string" && typeof r.rollout_path === "string");
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/** The local date directory (YYYY/MM/DD) a UUIDv7 was minted in, from its embedded time. */
function uuidDay(id: string, shiftDays = 0): string | null {
  const ms = parseInt(id.replaceAll("-", "").slice(0, 12), 16);
  if (!Number.isFinite(ms) || ms <= 0) return null;
  const d = new Date(ms + shiftDays * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}`;
}

/** Records a directory that could not be read for lack of permission (a missing one is fine). */
function deniedDir(err: unknown, dir: string, problems: LocateProblem[] | undefined): void {
  if (err instanceof Deno.errors.PermissionDenied) {
    problems?.push({ path: dir, problem: "denied", detail: `permission denied listing ${dir}` });
  }
}

/**
 * Rollout files directly in `dir`: every entry named `*.jsonl` that is not a directory. What is
 * not a regular file (a FIFO, a socket) is only found out when it is opened — safely, and said.
 */
async function filesIn(dir: string, problems?: LocateProblem[]): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isDirectory && e.name.endsWith(".jsonl")) out.push(join(dir, e.name));
    }
  } catch (err) {
    deniedDir(err, dir, problems);
  }
  return out;
}

/** Every rollout file under `sessions/` (date directories), newest name first. */
export async function sessionFiles(home: string, problems?: LocateProblem[]): Promise<string[]> {
  const root = join(home, "sessions");
  const out: string[] = [];
  const years = await subdirs(root, problems);
  for (const y of years) {
    for (const m of await subdirs(join(root, y), problems)) {
      for (const d of await subdirs(join(root, y, m), problems)) {
        out.push(...await filesIn(join(root, y, m, d), problems));
      }
    }
  }
  return out.sort((a, b) => basename(b).localeCompare(basename(a)));
}

async function subdirs(dir: string, problems?: LocateProblem[]): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isDirectory && /^\d+$/.test(e.name)) out.push(e.name);
  } catch (err) {
    deniedDir(err, dir, problems);
  }
  return out.sort().reverse();
}

async function newestMatching(files: string[], id: string): Promise<string | null> {
  const hits = files.filter((f) => basename(f).includes(id));
  if (hits.length <= 1) return hits[0] ?? null;
  let best: { path: string; mtime: number } | null = null;
  for (const path of hits) {
    const mtime = (await Deno.stat(path).catch(() => null))?.mtime?.getTime() ?? 0;
    if (!best || mtime > best.mtime) best = { path, mtime };
  }
  return best?.path ?? null;
}

/**
 * Finds the rollout of thread `id` (a parsed uuid), or null. What stood in the way (a folder or
 * file that may not be read, a FIFO, a file whose `session_meta` names another thread) is added to
 * `problems` when given.
 */
export async function locateThread(
  home: string,
  id: string,
  problems: LocateProblem[] = [],
): Promise<Located | null> {
  const rows = await sqliteThreads(home, { id });
  for (const row of rows ?? []) {
    if (confirm(row.rollout_path, id, problems)) {
      return {
        id,
        path: row.rollout_path,
        via: "sqlite",
        archived: row.rollout_path.includes("/archived_sessions/"),
      };
    }
  }
  // the UUIDv7's day (and its neighbours, for time zones) first, then everything
  const sessions = join(home, "sessions");
  const likely: string[] = [];
  for (const shift of [0, -1, 1]) {
    const day = uuidDay(id, shift);
    if (day) likely.push(...await filesIn(join(sessions, day)));
  }
  const tried = new Set<string>();
  for (
    const candidate of [
      await newestMatching(likely, id),
      await newestMatching(await sessionFiles(home, problems), id),
    ]
  ) {
    if (!candidate || tried.has(candidate)) continue;
    tried.add(candidate);
    if (confirm(candidate, id, problems)) return { id, path: candidate, via: "sessions", archived: false };
  }
  const archived = await newestMatching(await filesIn(join(home, "archived_sessions"), problems), id);
  if (archived && confirm(archived, id, problems)) {
    return { id, path: archived, via: "archived", archived: true };
  }
  return null;
}

/** A thread found by listing. */
export interface ListedThread {
  id: string;
  path: string;
  archived: boolean;
  /** From the index when known (it lags behind the file). */
  cwd: string | null;
}

/**
 * Lists thread rollouts newest first (sqlite index when readable, else a directory scan). Folders
 * that may not be read and special files named like rollouts are added to `options.problems`.
 */
export async function listThreadFiles(
  home: string,
  options: { archived?: boolean; limit?: number; problems?: LocateProblem[] } = {},
): Promise<ListedThread[]> {
  const limit = options.limit ?? 20;
  const out: ListedThread[] = [];
  const seen = new Set<string>();
  const rows = await sqliteThreads(home, { limit: 5000 });
  if (rows) {
    for (const r of rows) {
      const archived = (r.archived ?? 0) !== 0 || r.rollout_path.includes("/archived_sessions/");
      if (archived !== (options.archived ?? false)) continue;
      if (!(await Deno.stat(r.rollout_path).then(() => true, () => false))) continue;
      seen.add(r.id.toLowerCase());
      out.push({ id: r.id.toLowerCase(), path: r.rollout_path, archived, cwd: r.cwd ?? null });
    }
  }
  // files the index does not know (older Codex, or index behind)
  const files = options.archived
    ? await filesIn(join(home, "archived_sessions"), options.problems)
    : await sessionFiles(home, options.problems);
  for (const path of files) {
    const m = basename(path).match(/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i);
    if (!m || seen.has(m[1].toLowerCase())) continue;
    seen.add(m[1].toLowerCase());
    out.push({ id: m[1].toLowerCase(), path, archived: options.archived ?? false, cwd: null });
  }
  // newest first by modification time
  const withTime = await Promise.all(
    out.map(async (t) => ({ t, mtime: (await Deno.stat(t.path).catch(() => null))?.mtime?.getTime() ?? 0 })),
  );
  return withTime.sort((a, b) => b.mtime - a.mtime).map((x) => x.t).slice(0, Math.max(limit * 4, limit));
}

/**
 * The error for what stood in the way of reading Codex's rollouts: a permission problem is an
 * environment error (exit 3) naming the path; so is a FIFO or other special file where a rollout
 * should be. Null when no such problem was met.
 */
export function locateProblemError(problems: LocateProblem[], what: string): CodexctlError | null {
  const denied = problems.find((p) => p.problem === "denied");
  if (denied) {
    return environmentError(
      "PERMISSION_DENIED",
      `cannot read ${denied.path} (permission denied) while ${what}${
        problems.length > 1 ? ` (${problems.length - 1} more problem(s))` : ""
      }`,
      {
        suggestion:
          `run codexctl as the user that runs Codex, or give your user read access: ls -ld ${denied.path}`,
      },
    );
  }
  const special = problems.find((p) => p.problem === "not_a_file");
  if (special) {
    return environmentError("NOT_A_FILE", `${special.detail}; it cannot be a Codex rollout (${what})`, {
      suggestion: `remove or rename ${special.path}; Codex writes rollouts as regular files`,
    });
  }
  return null;
}

/**
 * Locates a thread by reference (uuid or URL). Not found is `not_found/NO_THREAD` (exit 4), and says
 * why when a file named for the thread exists but is not its rollout; a folder or file that may not
 * be read, or a FIFO in its place, is an environment error naming the path (exit 3).
 */
export async function locateOrThrow(
  env: { get(k: string): string | undefined },
  ref: string,
): Promise<Located> {
  const id = parseThreadRef(ref);
  const home = codexHome(env);
  const problems: LocateProblem[] = [];
  const located = await locateThread(home, id, problems);
  if (located) return located;
  const named = problems.filter((p) => p.candidate || p.problem === "denied");
  const blocking = locateProblemError(named, `looking for thread ${id}`);
  if (blocking) throw blocking;
  const why = named.find((p) => p.problem === "other_id" || p.problem === "no_meta");
  throw notFoundError(
    "NO_THREAD",
    why
      ? `no rollout for thread ${id} under ${home}: ${why.detail}`
      : `no rollout for thread ${id} under ${home} (sessions, archived_sessions or state_5.sqlite)`,
    why
      ? `the file is not this thread's rollout; list known threads with: codexctl threads`
      : "check CODEX_HOME points at the Codex home that ran this thread; list known threads with: codexctl threads",
  );
}
