/**
 * `codexctl follow`: make the Claude Code hooks report a Codex thread (or a codexctl session) that
 * this Claude Code session did not start — a thread from the IDE extension or another terminal, or
 * a session started before `/clear`. Follow lists are stored per owner (`follows/<owner>.json`)
 * or for every Claude Code session (`--everyone`).
 *
 * @module
 */
import { z } from "zod";
import { usageError } from "../errors.ts";
import { codexHome, locateOrThrow, parseThreadRef } from "../codex/rollout/locate.ts";
import { notFoundError } from "../errors.ts";
import { readSession, SESSION_ID } from "../session/record.ts";
import { currentOwner } from "../session/owner.ts";
import { Store } from "../store/store.ts";
import {
  EVERYONE,
  FOLLOW_KIND,
  type FollowEntry,
  followKey,
  ownerKey,
  ownerTargets,
  parseFollowList,
  readFollows,
  targetKey,
} from "../fleet/targets.ts";
import { followNote, repairFollows } from "../fleet/follow_repair.ts";
import { writeStderr } from "../output.ts";
import { withSyncedIndex } from "../fleet/pass.ts";
import { hookStallMs } from "../hook/run.ts";
import { deliverable } from "../fleet/cursor.ts";
import { defineVerb } from "./verb.ts";

const FollowFileSchema = z.looseObject({
  v: z.literal(1),
  follows: z.array(z.unknown()),
});

/** The `follow` verb. */
export const followVerb = defineVerb({
  name: "follow",
  summary: "Have the Claude Code hooks report a thread or session this conversation did not start",
  usage:
    "follow [--thread <uuid|codex://threads/uuid> | --session cdx-<hex>] [--unfollow] [--everyone | --owner ID]",
  description: `
The plugin's hooks tell a Claude Code session about the codexctl sessions it started. follow adds
more to watch: --thread any Codex thread (e.g. one running in the IDE extension, by its
codex://threads/ URL), --session a codexctl session started by another Claude Code session (e.g.
before /clear). Changes of what is followed then arrive like those of owned sessions: once each,
after a tool call or a prompt. Followed threads never block Claude from stopping.

The follower is the current Claude Code session (CLAUDE_CODE_SESSION_ID, or the CODEXCTL_OWNER the
SessionStart hook exports); --owner names another one, --everyone follows for every Claude Code
session. Following returns the current verdict, which counts as delivered to that session.
--unfollow stops following. Without --thread or --session, lists what is followed. A follow list
file that is not one (empty, torn) is moved to <file>.corrupt and named in result.quarantined.`,
  flags: {
    thread: {
      type: "string",
      placeholder: "ID|URL",
      description: "A Codex thread: uuid or codex://threads/<uuid>",
    },
    session: { type: "string", placeholder: "ID", description: "A codexctl session (cdx-<hex>)" },
    unfollow: { type: "boolean", description: "Stop following it" },
    everyone: { type: "boolean", description: "Follow for every Claude Code session" },
    owner: {
      type: "string",
      placeholder: "ID",
      description: "The Claude Code session id that follows (default: this one)",
    },
  },
  examples: [
    "codexctl follow --thread codex://threads/01a1fee2-5631-7ac1-80da-2f586c6afc12",
    "codexctl follow --session cdx-1a2b",
    "codexctl follow --thread 01a1fee2-5631-7ac1-80da-2f586c6afc12 --unfollow",
    "codexctl follow",
  ],
  args: z.object({
    thread: z.string().optional(),
    session: z.string().regex(SESSION_ID, { error: "expected a session id like cdx-1a2b" }).optional(),
    unfollow: z.boolean().optional(),
    everyone: z.boolean().optional(),
    owner: z.string().refine((s) => s.trim().length > 0, { error: "must not be empty" }).optional(),
  }).refine((a) => !(a.thread && a.session), { error: "give --thread or --session, not both" })
    .refine((a) => !(a.everyone && a.owner), { error: "give --everyone or --owner, not both" }),
  async run(args, ctx) {
    const store = Store.fromEnv(ctx.env);
    const owner = args.everyone ? null : (args.owner?.trim() ?? currentOwner(ctx.env));
    if (!args.everyone && owner === null) {
      throw usageError(
        "NO_OWNER",
        "follow needs to know which Claude Code session follows, and this is not running inside one",
        "run it from Claude Code's Bash tool, or pass --owner <claude session id>, or --everyone",
      );
    }
    const fileKey = owner === null ? EVERYONE : ownerKey(owner);
    const scope = owner === null ? "everyone" : "owner";
    // a follow list that is not one is moved aside and said, never read as "nothing followed"
    const bad: string[] = [];
    readFollows(store.root, owner ?? EVERYONE, bad);
    const moved = bad.length ? await repairFollows(store.root, bad) : [];
    const note = followNote(moved);
    if (note) writeStderr(note + "\n");
    const quarantined = moved.length ? { quarantined: moved } : {};
    if (!args.thread && !args.session) {
      if (args.unfollow) {
        throw usageError("BAD_ARGS", "--unfollow needs --thread or --session", "run: codexctl follow --help");
      }
      return {
        kind: "result",
        session: null,
        result: { owner, following: await listing(store, owner), ...quarantined },
      };
    }
    let entry: FollowEntry;
    let verdictKey: string;
    const id = args.thread ? parseThreadRef(args.thread) : args.session!;
    if (args.thread) {
      verdictKey = targetKey({ session: null, thread: id });
      if (args.unfollow) entry = { kind: "thread", thread: id, path: null, codex_home: null, added: "" };
      else {
        const located = await locateOrThrow(ctx.env, args.thread);
        entry = {
          kind: "thread",
          thread: id,
          path: located.path,
          codex_home: codexHome(ctx.env),
          added: new Date().toISOString(),
        };
      }
    } else {
      verdictKey = id;
      if (!args.unfollow && !(await readSession(store, id))) {
        throw notFoundError(
          "NO_SESSION",
          `there is no codexctl session ${id}`,
          "list sessions with: codexctl sessions",
        );
      }
      entry = { kind: "session", session: id, added: new Date().toISOString() };
    }
    const key = followKey(entry);
    await store.update(FOLLOW_KIND, fileKey, FollowFileSchema, (current) => {
      const follows = (parseFollowList(current)?.follows ?? []).filter((f) => followKey(f) !== key);
      if (!args.unfollow) follows.push(entry);
      return { v: 1 as const, owner, updated: new Date().toISOString(), follows };
    });
    let current = null;
    if (!args.unfollow && owner !== null) {
      // what this call shows counts as delivered: the hooks will only report later changes
      const root = store.root;
      const targets = ownerTargets(root, owner);
      current = await withSyncedIndex(
        {
          env: ctx.env,
          root,
          owner,
          deadline: Date.now() + 60_000,
          stallMs: hookStallMs(ctx.env),
        },
        targets,
        (index) => {
          const e = index.entries[verdictKey];
          if (e && deliverable(e)) e.delivered = e.sig;
          return e?.verdict ?? null;
        },
      );
    }
    return {
      kind: "result",
      session: args.session ?? null,
      result: {
        owner,
        scope,
        followed: args.unfollow ? null : entry,
        unfollowed: args.unfollow ? id : null,
        current,
        following: await listing(store, owner),
        ...quarantined,
      },
    };
  },
});

async function listing(store: Store, owner: string | null): Promise<(FollowEntry & { scope: string })[]> {
  const out: (FollowEntry & { scope: string })[] = [];
  const keys = owner === null
    ? [[EVERYONE, "everyone"]]
    : [[ownerKey(owner), "owner"], [EVERYONE, "everyone"]];
  for (const [key, scope] of keys) {
    const list = parseFollowList(await store.read(FOLLOW_KIND, key, FollowFileSchema).catch(() => null));
    for (const f of list?.follows ?? []) out.push({ ...f, scope });
  }
  return out;
}
