/**
 * A rig for hook tests that run `codexctl hook …` as subprocesses from source: a private state root
 * and home, one owner's hook input; and reading what a run said (a context, whether a wake-up waits).
 *
 * @module
 */
import { join } from "node:path";
import { type CliResult, runCli } from "./cli.ts";

/** A private state root and the hooks of one owner. */
export interface HookRig {
  root: string;
  dir: string;
  env: Record<string, string>;
  /** Runs `codexctl hook <event>` with `input` merged into the owner's hook JSON (a string: as is). */
  hook(
    event: string,
    input?: Record<string, unknown> | string,
    env?: Record<string, string>,
  ): Promise<CliResult>;
  /** The hook log's records. */
  log(): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

const EVENT_NAMES: Record<string, string> = {
  "post-tool-use": "PostToolUse",
  "user-prompt-submit": "UserPromptSubmit",
  "session-start": "SessionStart",
  stop: "Stop",
  wake: "Stop",
};

/** A rig for `owner` (the wake-up waits at most 60 s). */
export async function hookRig(owner: string, prefix = "codexctl-hook-"): Promise<HookRig> {
  const dir = await Deno.makeTempDir({ prefix });
  const root = join(dir, "state");
  const env = {
    CODEXCTL_HOME: root,
    CODEX_HOME: join(dir, "codex-home"),
    HOME: dir,
    CODEXCTL_WAKE_SEC: "60",
  };
  return {
    root,
    dir,
    env,
    hook(event, input = {}, more = {}) {
      return runCli(["hook", event], {
        env: { ...env, ...more },
        stdin: typeof input === "string"
          ? input
          : JSON.stringify({ session_id: owner, hook_event_name: EVENT_NAMES[event] ?? event, ...input }),
        timeoutMs: 90_000,
      });
    },
    async log() {
      try {
        return (await Deno.readTextFile(join(root, "logs", "hooks.jsonl"))).split("\n").filter(Boolean)
          .map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

/** The `additionalContext` a hook printed ("" when it printed none). */
export function hookContext(out: CliResult): string {
  const h = out.json?.hookSpecificOutput as { additionalContext: string } | undefined;
  return h?.additionalContext ?? "";
}

/** Resolves once a wake-up hook of the state root `root` took its lease (it is waiting). */
export async function wakeWaiting(root: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      for (const e of Deno.readDirSync(join(root, "leases"))) if (e.name.startsWith("wake-")) return;
    } catch { /* not yet */ }
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error("the wake-up never started waiting");
}
