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
import { notFoundError, usageError } from "../../errors.ts";

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

/** Reads the `id` of the first `session_meta` line of a rollout (null when it has none). */
export async function sessionMetaId(path: string): Promise<string | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return null;
  }
  try {
    const buf = new Uint8Array(256 * 1024);
    let length = 0;
    while (length < buf.length) {
      const n = await file.read(buf.subarray(length));
      if (n === null || n === 0) break;
      length += n;
      if (buf.subarray(0, length).includes(10)) break;
    }
    const nl = buf.subarray(0, length).indexOf(10);
    const first = new TextDecoder().decode(buf.subarray(0, nl === -1 ? length : nl));
    const rec = JSON.parse(first);
    if (rec?.type === "session_meta" && typeof rec.payload?.id === "string") {
      return rec.payload.id.toLowerCase();
    }
    return null;
  } catch {
    return null;
  } finally {
    file.close();
  }
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

async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".jsonl")) out.push(join(dir, e.name));
    }
  } catch {
    // missing directory
  }
  return out;
}

/** Every rollout file under `sessions/` (date directories), newest name first. */
export async function sessionFiles(home: string): Promise<string[]> {
  const root = join(home, "sessions");
  const out: string[] = [];
  const years = await subdirs(root);
  for (const y of years) {
    for (const m of await subdirs(join(root, y))) {
      for (const d of await subdirs(join(root, y, m))) out.push(...await filesIn(join(root, y, m, d)));
    }
  }
  return out.sort((a, b) => basename(b).localeCompare(basename(a)));
}

async function subdirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isDirectory && /^\d+$/.test(e.name)) out.push(e.name);
  } catch {
    // missing
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

/** Finds the rollout of thread `id` (a parsed uuid), or null. */
export async function locateThread(home: string, id: string): Promise<Located | null> {
  const rows = await sqliteThreads(home, { id });
  for (const row of rows ?? []) {
    if ((await sessionMetaId(row.rollout_path)) === id) {
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
  for (
    const candidate of [await newestMatching(likely, id), await newestMatching(await sessionFiles(home), id)]
  ) {
    if (candidate && (await sessionMetaId(candidate)) === id) {
      return { id, path: candidate, via: "sessions", archived: false };
    }
  }
  const archived = await newestMatching(await filesIn(join(home, "archived_sessions")), id);
  if (archived && (await sessionMetaId(archived)) === id) {
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

/** Lists thread rollouts newest first (sqlite index when readable, else a directory scan). */
export async function listThreadFiles(
  home: string,
  options: { archived?: boolean; limit?: number } = {},
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
  const files = options.archived ? await filesIn(join(home, "archived_sessions")) : await sessionFiles(home);
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

/** Locates a thread by reference (uuid or URL) or throws `not_found/NO_THREAD` (exit 4). */
export async function locateOrThrow(
  env: { get(k: string): string | undefined },
  ref: string,
): Promise<Located> {
  const id = parseThreadRef(ref);
  const home = codexHome(env);
  const located = await locateThread(home, id);
  if (!located) {
    throw notFoundError(
      "NO_THREAD",
      `no rollout for thread ${id} under ${home} (sessions, archived_sessions or state_5.sqlite)`,
      "check CODEX_HOME points at the Codex home that ran this thread; list known threads with: codexctl threads",
    );
  }
  return located;
}
