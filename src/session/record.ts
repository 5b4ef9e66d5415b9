/**
 * The session record: one JSON file per codexctl session (`<state>/sessions/<cdx-id>.json`).
 * Written by the verbs that drive Codex (start/send/reply/await/watch/end), read by everything
 * that reports on sessions (status, sessions, the Claude Code hooks). The schema is loose on
 * purpose: readers must accept fields a newer writer added.
 *
 * @module
 */
import { z } from "zod";
import type { Store } from "../store/store.ts";
import { SANDBOX_MODES } from "./exec.ts";

/** The store kind holding session records. */
export const SESSION_KIND = "sessions";

/** Session ids: `cdx-` + lowercase hex. */
export const SESSION_ID = /^cdx-[0-9a-f]{4,16}$/;

/** Where the Codex of a session runs. */
export const SubstrateSchema = z.enum(["tmux", "herdr", "exec"]);

/** A worktree codexctl created for the session. */
export const WorktreeSchema = z.looseObject({
  repo: z.string(),
  branch: z.string(),
  path: z.string(),
  caller_branch: z.string(),
  keep: z.boolean(),
});

/** What a headless session (`substrate: "exec"`) records about its `codex exec` runs. */
export const ExecInfoSchema = z.looseObject({
  /** The current run (1 = the start; one more per send). */
  run: z.number().int().positive(),
  /** The session's exec directory (`<state>/exec/<session>`, see `exec.ts`). */
  dir: z.string(),
  /** The Codex binary and its version when the session started. */
  codex: z.string(),
  codex_version: z.string().nullable(),
  sandbox: z.enum(SANDBOX_MODES),
  model: z.string().nullable(),
  effort: z.string().nullable(),
  /** The session's copy of the `--output-schema` file (null: none). */
  output_schema: z.string().nullable(),
  /** Extra arguments for every `codex exec` run (`--codex-arg`). */
  codex_args: z.array(z.string()),
  /** Mark the thread as the IDE extension's after each run (`--ide-visible`). */
  ide_visible: z.boolean(),
});

/** The `exec` block of a headless session's record. */
export type ExecInfo = z.infer<typeof ExecInfoSchema>;

/** What `codexctl review` records about the review a session runs (its latest one). */
export const ReviewInfoSchema = z.looseObject({
  /** The run of the session that is the review (1 for `review`, one more for `review --session`). */
  run: z.number().int().positive(),
  /** What it reviews: `uncommitted`, `base` (branch), `commit` (sha, title), each maybe with a prompt. */
  target: z.looseObject({
    kind: z.enum(["uncommitted", "base", "commit"]),
    branch: z.string().nullable().optional(),
    sha: z.string().nullable().optional(),
    title: z.string().nullable().optional(),
  }),
  prompt: z.string().nullable(),
  /** The repository's top-level directory (findings' files are reported relative to it). */
  repo_root: z.string().nullable(),
  /** `--uncommitted`: the working tree's content hash it reviews (the review gate's key). */
  tree: z.string().nullable(),
  /** `--min-priority`: only findings at this priority or higher are reported (null: all). */
  min_priority: z.number().int().min(0).max(3).nullable(),
  /** Run inside an existing thread (`--session`/`--thread`), else as `codex exec review`. */
  inline: z.boolean(),
});

/** The `review` block of a review session's record. */
export type ReviewInfo = z.infer<typeof ReviewInfoSchema>;

/** One codexctl session. */
export const SessionRecordSchema = z.looseObject({
  v: z.literal(1),
  session: z.string().regex(SESSION_ID),
  created: z.string(),
  updated: z.string(),
  /** The Claude Code session that started it (CLAUDE_CODE_SESSION_ID, or the owner the SessionStart hook exported); null when started outside Claude Code. */
  owner: z.string().nullable(),
  substrate: SubstrateSchema,
  /** Substrate-specific identity of the pane (tmux: socket/target/pane id; herdr: terminal id, pane id…); null for exec. */
  pane: z.record(z.string(), z.unknown()).nullable(),
  mode: z.enum(["pane", "tab", "space"]).nullable(),
  slug: z.string().nullable(),
  label: z.string().nullable(),
  cwd: z.string(),
  codex_home: z.string(),
  marker: z.string(),
  expect: z.array(z.string()),
  plan_mode: z.boolean(),
  keep: z.boolean(),
  worktree: WorktreeSchema.nullable(),
  /** The Codex thread, once bound. */
  thread_id: z.string().nullable(),
  rollout_path: z.string().nullable(),
  /** The Codex process, when codexctl knows it (exec child, pane process). */
  pid: z.number().int().nullable(),
  last_state: z.string(),
  last_reason: z.string().nullable(),
  /** The last plan seen (kept for continuity, never truncated). */
  plan: z.string().nullable(),
  /** Headless sessions only: how their `codex exec` runs are made and where they live. */
  exec: ExecInfoSchema.nullable().optional(),
  /** Sessions that ran `codexctl review`: its latest review. */
  review: ReviewInfoSchema.nullable().optional(),
});

/** A session record. */
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

/** Reads one session (null if there is none). */
export function readSession(store: Store, id: string): Promise<SessionRecord | null> {
  return store.read(SESSION_KIND, id, SessionRecordSchema);
}

/** Every session record; unreadable ones are skipped (reported through `broken`). */
export async function listSessions(store: Store): Promise<{ sessions: SessionRecord[]; broken: string[] }> {
  const sessions: SessionRecord[] = [];
  const broken: string[] = [];
  for (const id of await store.list(SESSION_KIND)) {
    try {
      const rec = await readSession(store, id);
      if (rec) sessions.push(rec);
    } catch {
      broken.push(id);
    }
  }
  return { sessions, broken };
}

/** A new session id: `cdx-` + 4 random hex characters (longer if `taken` says it is in use). */
export function newSessionId(taken: (id: string) => boolean = () => false): string {
  for (let length = 4;; length += 2) {
    for (let attempt = 0; attempt < 16; attempt++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length / 2));
      const id = "cdx-" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
      if (!taken(id)) return id;
    }
  }
}

/** What a start decides about a new session; {@linkcode newSessionRecord} fills in the rest. */
export type NewSession =
  & Pick<SessionRecord, "session" | "owner" | "substrate" | "pane" | "mode" | "cwd" | "codex_home">
  & Pick<
    SessionRecord,
    "marker" | "expect" | "plan_mode" | "keep" | "worktree" | "last_state" | "last_reason"
  >
  & { slug: string }
  & Partial<SessionRecord>;

/** A new session's record, not bound to a thread yet: its label `codex-<slug>`, created now. */
export function newSessionRecord(fields: NewSession): SessionRecord {
  const now = new Date().toISOString();
  return {
    v: 1,
    created: now,
    updated: now,
    label: `codex-${fields.slug}`,
    thread_id: null,
    rollout_path: null,
    pid: null,
    plan: null,
    ...fields,
  };
}
