/**
 * Ending a session: close its pane (unless --keep was given at start) — for a headless session,
 * stop its running `codex exec` (interrupt, terminate, kill its process group; reaped) — remove
 * its worktree when
 * merged and clean, delete its state — leaving its ended record (`session/ended.ts`), written
 * before the pane is closed, so a verb racing the end (a `reply` waiting while a watch closes the
 * session) reads how it ended and never brings the record back. Idempotent: a session whose Codex
 * or pane already died ends cleanly, and ending an already-ended session says so. A corrupt record
 * does not stop it: `end` does its best from what can still be read (pane, pid, worktree), removes
 * the record and says what it could not clean.
 *
 * @module
 */
import type { Verdict } from "../envelope.ts";
import { CodexctlError, notFoundError, usageError } from "../errors.ts";
import { substrateOrNull } from "../substrate/select.ts";
import {
  readSession,
  SESSION_ID,
  SESSION_KIND,
  type SessionRecord,
  SessionRecordSchema,
  WorktreeSchema,
} from "../session/record.ts";
import { claimEnded, ENDED_KIND, readEnded } from "../session/ended.ts";
import type { Store } from "../store/store.ts";
import { pidAlive } from "../names.ts";
import { teardownWorktree, type WorktreeTeardown } from "./worktree.ts";
import { Session } from "./session.ts";
import type { z } from "zod";
import { jsonObject } from "../json.ts";

/** What `end` did. */
export interface Ended {
  /** `not reached`: its multiplexer could not be asked and `--force` deleted the state anyway. */
  pane: "closed" | "kept" | "already gone" | "none" | "not reached";
  worktree: WorktreeTeardown | null;
  already: boolean;
  /** What the session ran in (`exec`: a headless run, whose "pane" is its Codex process). */
  substrate: string | null;
  /** The record was corrupt: `end` did what its readable parts allowed ({@linkcode salvageRecord}). */
  salvaged?: boolean;
  /** What could not be cleaned up, each with the reason (only for a corrupt record). */
  not_cleaned?: string[];
  /** A Codex process stopped by its pid because its pane could not be closed (corrupt record only). */
  stopped_pid?: number | null;
}

/** What a record that cannot be read whole still says: each part only when it is valid on its own. */
export interface Salvaged {
  substrate: string | null;
  pane: Record<string, unknown> | null;
  keep: boolean | null;
  worktree: z.infer<typeof WorktreeSchema> | null;
  /** The record names a worktree, but it could not be read. */
  worktreeUnreadable: boolean;
  pid: number | null;
}

/** The JSON object value of `"key": {…}` in (possibly cut-off) JSON text, or null. */
function objectAt(text: string, key: string): Record<string, unknown> | null {
  const m = new RegExp(`"${key}"\\s*:\\s*\\{`).exec(text);
  if (!m) return null;
  const start = m.index + m[0].length - 1;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return jsonObject(text.slice(start, i + 1));
  }
  return null;
}

/**
 * Reads what it can of a corrupt session record: the whole JSON when it parses (each field checked
 * on its own), else the fields that can still be found whole in the text (a cut-off file keeps its
 * beginning). Never throws for bad content.
 */
export function salvageRecord(text: string): Salvaged {
  const data = jsonObject(text);
  const field = (key: string): unknown => {
    if (data) return data[key];
    if (key === "pane" || key === "worktree") return objectAt(text, key);
    const m = new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*"|-?\\d+|true|false|null)`).exec(text);
    if (!m) return undefined;
    try {
      return JSON.parse(m[1]);
    } catch {
      return undefined;
    }
  };
  const substrate = field("substrate");
  const pane = field("pane");
  const keep = field("keep");
  const pid = field("pid");
  const worktree = WorktreeSchema.safeParse(field("worktree"));
  const mentionsWorktree = data
    ? data.worktree !== null && data.worktree !== undefined
    : /"worktree"\s*:\s*[^n\s]/.test(text);
  return {
    substrate: typeof substrate === "string" ? substrate : null,
    pane: pane && typeof pane === "object" && !Array.isArray(pane) ? pane as Record<string, unknown> : null,
    keep: typeof keep === "boolean" ? keep : null,
    worktree: worktree.success ? worktree.data : null,
    worktreeUnreadable: !worktree.success && mentionsWorktree,
    pid: Number.isSafeInteger(pid) && (pid as number) > 1 ? pid as number : null,
  };
}

/** True when process `pid` is alive and its command line names Codex (so a reused pid is left alone). */
async function isCodexProcess(pid: number): Promise<boolean> {
  try {
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    return /(^|[\/\0])codex([\0\s.-]|$)/.test(cmdline);
  } catch {
    try {
      const out = await new Deno.Command("ps", {
        args: ["-o", "args=", "-p", String(pid)],
        stdout: "piped",
        stderr: "null",
      })
        .output();
      return out.success && /(^|\/)codex(\s|$)/.test(new TextDecoder().decode(out.stdout));
    } catch {
      return false;
    }
  }
}

/**
 * Ends a session whose record is corrupt, doing its best from what is readable: closes the pane it
 * names (unless kept), else stops the Codex process by its pid when that process is Codex, tears down
 * the worktree when it can be read; removes the record and says what it could not clean.
 */
async function endCorrupt(
  store: Store,
  id: string,
  env: { get(key: string): string | undefined },
  by: string,
): Promise<Ended> {
  const path = store.recordPath(SESSION_KIND, id);
  const text = await Deno.readTextFile(path).catch(() => "");
  const got = salvageRecord(text);
  const notCleaned: string[] = [];
  let pane: Ended["pane"] = "none";
  let closed = false;
  const substrate = got.substrate ? substrateOrNull(got.substrate, { env, stateDir: store.root }) : null;
  if (got.pane && substrate?.can.own) {
    if (got.keep === true) {
      pane = "kept";
      closed = true;
    } else {
      try {
        const stopped = await substrate.stop(got.pane);
        pane = stopped === "not owned" ? "none" : stopped;
        closed = stopped !== "not owned";
      } catch (err) {
        notCleaned.push(`the pane: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } else if (got.pane && got.substrate) {
    notCleaned.push(`the pane: this codexctl cannot close a "${got.substrate.slice(0, 40)}" pane`);
  } else {
    notCleaned.push("the pane: the record does not say which one");
  }
  let stoppedPid: number | null = null;
  if (!closed && got.pid !== null) {
    if (await isCodexProcess(got.pid)) {
      try {
        Deno.kill(got.pid, "SIGTERM");
        stoppedPid = got.pid;
      } catch (err) {
        notCleaned.push(`Codex process ${got.pid}: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else {
      const alive = pidAlive(got.pid);
      if (alive) notCleaned.push(`process ${got.pid}: it is not Codex (the pid may be reused); left alone`);
    }
  }
  let worktree: WorktreeTeardown | null = null;
  if (got.worktree) {
    try {
      worktree = await teardownWorktree(got.worktree);
    } catch (err) {
      notCleaned.push(
        `the worktree ${got.worktree.path}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  } else if (got.worktreeUnreadable) {
    notCleaned.push("the worktree: the record names one but it cannot be read; see git worktree list");
  }
  await store.write(ENDED_KIND, id, { session: id, ended: new Date().toISOString(), by });
  await store.remove(SESSION_KIND, id);
  await store.remove("watch", id).catch(() => {});
  return {
    pane,
    worktree,
    already: false,
    substrate: got.substrate,
    salvaged: true,
    not_cleaned: notCleaned,
    stopped_pid: stoppedPid,
  };
}

/** Options of {@linkcode endSession}. */
export interface EndOptions {
  /** Delete the state even when the pane's multiplexer cannot be reached. */
  force?: boolean;
  /** Who ends it, for the ended record: `end` (default), `watch`, `sessions`. */
  by?: string;
  /** The session's last verdict, kept in the ended record (null: not known). */
  final?: Verdict | null;
}

/**
 * Ends session `id`. A pane whose multiplexer cannot be reached is not claimed gone: the error
 * (e.g. `environment/TMUX_UNREACHABLE`) stands and the session is kept (its ended record taken
 * back), unless `force`.
 */
export async function endSession(
  store: Store,
  id: string,
  env: { get(key: string): string | undefined },
  options: EndOptions = {},
): Promise<Ended> {
  if (!SESSION_ID.test(id)) {
    throw usageError("BAD_SESSION", `"${id.slice(0, 40)}" is not a session id (cdx-<hex>)`);
  }
  let record;
  try {
    record = await readSession(store, id);
  } catch (err) {
    // a corrupt record: end does its best from what can still be read, and says what it could not clean
    if (err instanceof CodexctlError && err.code === "STATE_CORRUPT") {
      return await endCorrupt(store, id, env, options.by ?? "end");
    }
    throw err;
  }
  if (!record) {
    if (await readEnded(store, id)) return { pane: "none", worktree: null, already: true, substrate: null };
    throw notFoundError("NO_SESSION", `no session ${id}`, "list live sessions with: codexctl sessions");
  }
  // first the ended record: from now on whoever reads this session reads how it ended
  const final = options.final !== undefined ? options.final : await lastVerdict(store, record, env);
  if (!(await claimEnded(store, record, options.by ?? "end", final))) {
    return { pane: "none", worktree: null, already: true, substrate: record.substrate }; // another end or watch is ending it
  }
  let pane: Ended["pane"] = "none";
  const substrate = substrateOrNull(record.substrate, { env, stateDir: store.root });
  if (record.pane && substrate?.can.own) {
    if (record.keep) pane = "kept";
    else {
      try {
        const stopped = await substrate.stop(record.pane);
        pane = stopped === "not owned" ? "none" : stopped;
      } catch (err) {
        if (!(options.force && err instanceof CodexctlError && err.errorClass === "environment")) {
          await store.remove(ENDED_KIND, id).catch(() => {}); // not ended after all
          throw err;
        }
        pane = "not reached";
      }
    }
  }
  const worktree = record.worktree ? await teardownWorktree(record.worktree) : null;
  // under the record's lock, so no read-modify-write of a racing verb can bring it back
  await store.update(SESSION_KIND, id, SessionRecordSchema, () => null);
  await store.remove("watch", id).catch(() => {});
  return { pane, worktree, already: false, substrate: record.substrate };
}

/** The session's verdict as it is now, for its ended record (null when it cannot be observed). */
async function lastVerdict(
  store: Store,
  record: SessionRecord,
  env: { get(key: string): string | undefined },
): Promise<Verdict | null> {
  const substrate = substrateOrNull(record.substrate, { env, stateDir: store.root });
  if (!substrate) return null;
  try {
    return (await new Session(store, record, substrate, env).observe({ recent: false })).verdict;
  } catch {
    return null;
  }
}
