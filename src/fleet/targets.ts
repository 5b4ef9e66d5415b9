/**
 * What one Claude Code session's hooks speak about: the codexctl sessions it owns (session record
 * `owner` equal to its id), plus what it follows (`codexctl follow`): bare Codex threads, and
 * sessions of another owner it adopted. Read straight from the state files with plain JSON checks,
 * because this runs on every tool call (no zod, no `node:path`).
 *
 * @module
 */
import { fnv64, joinPath } from "../names.ts";

/** Store kind of follow lists (`follows/<owner-key>.json`, and `follows/everyone.json`). */
export const FOLLOW_KIND = "follows";
/** The follow list every Claude Code session reads. */
export const EVERYONE = "everyone";

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;

/**
 * A file-name-safe key for an owner id, naming its files (cursor index, follow list, progress,
 * lock): `o-<id>` when the id is safe, else `o-h<hash>`.
 */
export function ownerKey(owner: string): string {
  return SAFE.test(owner) && !owner.includes("..") ? `o-${owner}` : `o-h${fnv64(owner)}`;
}

/** The key of a watched target: the session id, or `thread-<uuid>`. */
export function targetKey(target: { session: string | null; thread: string | null }): string {
  return target.session ?? `thread-${target.thread}`;
}

/** The follow list files an owner reads: its own, then everyone's. */
export function followPaths(root: string, owner: string): string[] {
  return [
    joinPath(root, FOLLOW_KIND, `${ownerKey(owner)}.json`),
    joinPath(root, FOLLOW_KIND, `${EVERYONE}.json`),
  ];
}

/** Something the hooks report on. */
export interface FleetTarget {
  /** The cursor key: the session id, or `thread-<uuid>`. */
  key: string;
  kind: "session" | "thread";
  session: string | null;
  thread: string | null;
  /** How lines name it: `cdx-1a2b (<slug, else pane label>)`, or `followed thread 019a…`. */
  label: string;
  /** The rollout path the record or follow entry gives (null until bound). */
  path: string | null;
  /** The Codex home of the thread (null: `$CODEX_HOME` or `~/.codex`). */
  codex_home: string | null;
  /** The Codex process, when known. */
  pid: number | null;
  marker: string | null;
  expect: string[];
  /** True when it is reported because of a follow, not ownership. */
  followed: boolean;
  /**
   * A headless session's newest run (its directory, its number, the `--output-schema` copy): its
   * event stream is what `path` names, and its `exit.json` says when Codex is gone.
   */
  exec?: {
    run_dir: string;
    run: number;
    schema: string | null;
    /** This run is the session's review (`codexctl review`): where its review is read from. */
    review?: { codex_home: string; repo_root: string | null; min_priority: number | null } | null;
  } | null;
}

/** One entry of a follow list. */
export type FollowEntry =
  | { kind: "thread"; thread: string; path: string | null; codex_home: string | null; added: string }
  | { kind: "session"; session: string; added: string };

/** A follow list file. */
export interface FollowList {
  v: 1;
  owner: string | null;
  updated: string;
  follows: FollowEntry[];
}

const SESSION_ID = /^cdx-[0-9a-f]{4,16}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function readJson(path: string): unknown {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return null;
  }
}

/**
 * The names in a directory (empty when it does not exist). Listing first and reading only files that
 * exist keeps the hot path free of exceptions: the first one thrown in a process costs about 1 ms.
 */
export function listNames(dir: string): Set<string> {
  const names = new Set<string>();
  try {
    for (const entry of Deno.readDirSync(dir)) names.add(entry.name);
  } catch {
    // absent
  }
  return names;
}

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

/** A session record as a target, or null when the record is not usable. */
export function sessionTarget(record: unknown, followed: boolean): FleetTarget | null {
  if (!record || typeof record !== "object") return null;
  const r = record as Record<string, unknown>;
  if (r.v !== 1 || typeof r.session !== "string" || !SESSION_ID.test(r.session)) return null;
  const name = str(r.slug) ?? str(r.label);
  const thread = str(r.thread_id);
  const exec = r.substrate === "exec" ? execRun(r.pane, r.review, str(r.codex_home)) : null;
  return {
    key: r.session,
    kind: "session",
    session: r.session,
    thread: thread && UUID.test(thread.toLowerCase()) ? thread.toLowerCase() : null,
    label: name ? `${r.session} (${name.slice(0, 40)})` : r.session,
    path: str(r.rollout_path),
    codex_home: str(r.codex_home),
    pid: typeof r.pid === "number" && Number.isInteger(r.pid) && r.pid > 0 ? r.pid : null,
    // a headless run bound to --output-schema is asked for no marker (see driver/session.ts)
    marker: str((r.exec as Record<string, unknown> | null)?.output_schema) ? null : str(r.marker),
    expect: Array.isArray(r.expect) ? r.expect.filter((x): x is string => typeof x === "string") : [],
    followed,
    ...(exec ? { exec, path: joinPath(exec.run_dir, "events.jsonl") } : {}),
  };
}

/**
 * The newest run of a headless session from its handle (`pane.dir`): `<dir>/runs/<n>` with the
 * highest n (see `session/exec.ts`); null before its first run. When that run is the session's
 * review (the record's `review.run`), where its review is read from.
 */
function execRun(pane: unknown, review: unknown, codexHome: string | null): FleetTarget["exec"] {
  const dir = str((pane as Record<string, unknown> | null)?.dir);
  if (!dir) return null;
  let run = 0;
  for (const n of listNames(joinPath(dir, "runs"))) {
    if (/^[1-9]\d{0,8}$/.test(n)) run = Math.max(run, Number(n));
  }
  if (!run) return null;
  const schema = str((pane as Record<string, unknown>).schema);
  const rv = review && typeof review === "object" ? review as Record<string, unknown> : null;
  const min = rv?.min_priority;
  return {
    run_dir: joinPath(dir, "runs", String(run)),
    run,
    schema,
    review: rv && rv.run === run && codexHome
      ? {
        codex_home: codexHome,
        repo_root: str(rv.repo_root),
        min_priority: typeof min === "number" && Number.isInteger(min) && min >= 0 && min <= 3 ? min : null,
      }
      : null,
  };
}

/** Parses a follow list file's content (null when it is not one). */
export function parseFollowList(data: unknown): FollowList | null {
  if (!data || typeof data !== "object") return null;
  const d = data as Record<string, unknown>;
  if (d.v !== 1 || !Array.isArray(d.follows)) return null;
  const follows: FollowEntry[] = [];
  for (const f of d.follows) {
    if (!f || typeof f !== "object") continue;
    const e = f as Record<string, unknown>;
    const added = str(e.added) ?? "";
    if (e.kind === "thread" && typeof e.thread === "string" && UUID.test(e.thread)) {
      follows.push({
        kind: "thread",
        thread: e.thread,
        path: str(e.path),
        codex_home: str(e.codex_home),
        added,
      });
    } else if (e.kind === "session" && typeof e.session === "string" && SESSION_ID.test(e.session)) {
      follows.push({ kind: "session", session: e.session, added });
    }
  }
  return { v: 1, owner: str(d.owner), updated: str(d.updated) ?? "", follows };
}

/** What identifies a follow entry in a list: `t:<thread>` or `s:<session>`. */
export function followKey(f: FollowEntry): string {
  return f.kind === "thread" ? `t:${f.thread}` : `s:${f.session}`;
}

/**
 * The follow entries that apply to `owner`: its own list, then everyone's (duplicates dropped). A
 * follow file that is there but is not a follow list (empty, torn, the wrong shape) adds nothing;
 * its path is pushed to `bad`, for the caller to move aside and say so (never silently empty).
 */
export function readFollows(root: string, owner: string, bad?: string[]): FollowEntry[] {
  const out: FollowEntry[] = [];
  const seen = new Set<string>();
  const present = listNames(joinPath(root, FOLLOW_KIND));
  for (const path of followPaths(root, owner)) {
    if (!present.has(path.slice(path.lastIndexOf("/") + 1))) continue;
    const list = parseFollowList(readJson(path));
    if (!list) bad?.push(path);
    for (const f of list?.follows ?? []) {
      const key = followKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}

/**
 * Every target of `owner`: owned sessions (sorted by id), adopted sessions, followed threads.
 * Synchronous on purpose: on the hook's hot path sync file calls cost about half of async ones.
 * Follow files that are not follow lists are pushed to `bad` ({@linkcode readFollows}).
 */
export function ownerTargets(root: string, owner: string, bad?: string[]): FleetTarget[] {
  return collectTargets(root, owner, false, bad);
}

/**
 * Every live session of every owner (sorted by id), plus what `owner` follows (followed threads;
 * with no owner, only what everyone follows): what `codexctl watch --all` without `--mine` reports.
 * Follow files that are not follow lists are pushed to `bad` ({@linkcode readFollows}).
 */
export function allTargets(root: string, owner: string | null, bad?: string[]): FleetTarget[] {
  return collectTargets(root, owner, true, bad);
}

/** What everyone follows (`follow --everyone`); a file that is not a follow list is pushed to `bad`. */
function everyonesFollows(root: string, bad?: string[]): FollowEntry[] {
  const path = joinPath(root, FOLLOW_KIND, `${EVERYONE}.json`);
  if (!listNames(joinPath(root, FOLLOW_KIND)).has(`${EVERYONE}.json`)) return [];
  const list = parseFollowList(readJson(path));
  if (!list) bad?.push(path);
  return list?.follows ?? [];
}

function collectTargets(
  root: string,
  owner: string | null,
  everySession: boolean,
  bad?: string[],
): FleetTarget[] {
  const top = listNames(root);
  const dir = joinPath(root, "sessions");
  const names = top.has("sessions")
    ? [...listNames(dir)].filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort()
    : [];
  // a record that does not even contain the owner id cannot be owned: skip its JSON parse
  const plain = owner !== null && JSON.stringify(owner) === `"${owner}"`;
  const targets: FleetTarget[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = Deno.readTextFileSync(joinPath(dir, name));
    } catch {
      continue; // ended meanwhile
    }
    if (!everySession && plain && !text.includes(owner!)) continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      continue; // torn by hand: not ours to judge here
    }
    if (!everySession && (record as { owner?: unknown } | null)?.owner !== owner) continue;
    const t = sessionTarget(record, false);
    if (t) targets.push(t);
  }
  const keys = new Set(targets.map((t) => t.key));
  const threads = new Set(targets.map((t) => t.thread).filter(Boolean));
  const follows = !top.has(FOLLOW_KIND)
    ? []
    : owner !== null
    ? readFollows(root, owner, bad)
    : everyonesFollows(root, bad);
  for (const f of follows) {
    if (f.kind === "session") {
      if (keys.has(f.session)) continue;
      const file = `${f.session}.json`;
      const t = names.includes(file) ? sessionTarget(readJson(joinPath(dir, file)), true) : null;
      if (t) {
        targets.push(t);
        keys.add(t.key);
        if (t.thread) threads.add(t.thread);
      }
    } else if (!threads.has(f.thread)) {
      const t: FleetTarget = {
        key: targetKey({ session: null, thread: f.thread }),
        kind: "thread",
        session: null,
        thread: f.thread,
        label: `followed thread ${f.thread}`,
        path: f.path,
        codex_home: f.codex_home,
        pid: null,
        marker: null,
        expect: [],
        followed: true,
      };
      targets.push(t);
      threads.add(f.thread);
    }
  }
  return targets;
}
