/**
 * `codexctl hook <event>`: the Claude Code hook entry, loaded on demand by `src/main.ts` (see
 * `lazy.ts`) so that nothing else of the CLI (zod, the verbs, `node:` modules) is loaded on this path.
 * Its input is read whole and checked by hand (no zod here): anything that is not a JSON object with a
 * `session_id` string is garbage and gets no answer at all.
 *
 * Contract with Claude Code: read the hook JSON on stdin; print at most one JSON object on stdout
 * (hook output, not a codexctl envelope); always exit 0. Garbage stdin gets no output, and so does
 * a stdin that does not close within the hook's time budget (`CODEXCTL_HOOK_BUDGET_MS`, which
 * covers the read). Any error is written to the hook log (`<state>/logs/hooks.jsonl`) and the hook
 * stays silent.
 *
 * The no-change path — the one that runs after almost every tool call — reads the session records,
 * the follow lists and the owner's cursor index, stats each rollout (and, every few seconds, probes
 * the Codex pids), and stops there: synchronous file calls, no timer but stdin's bound, no stream. Only when something
 * moved does it load the delivery pass (`deliver.ts`).
 *
 * @module
 */
import {
  type CursorIndex,
  deliverable,
  failureNews,
  indexPath,
  nothingChanged,
  readIndex,
} from "../fleet/cursor.ts";
import { type FleetTarget, listNames, ownerKey, ownerTargets } from "../fleet/targets.ts";
import { findStateRoot, fnv64, joinPath } from "../names.ts";
import type { HookContext } from "./deliver.ts";
import type { HookInput } from "./input.ts";
import { jsonObject } from "../json.ts";

/** `codexctl hook <name>` → the Claude Code event it serves. */
export const HOOK_EVENTS = {
  "post-tool-use": "PostToolUse",
  "stop": "Stop",
  "session-start": "SessionStart",
  "user-prompt-submit": "UserPromptSubmit",
} as const;

/** A Claude Code event codexctl handles. */
export type HookEvent = (typeof HOOK_EVENTS)[keyof typeof HOOK_EVENTS];

/**
 * `codexctl hook wake`: the wake-up, a second Stop hook that Claude Code runs with `asyncRewake`
 * (see `wake.ts`). Its exit status 2 wakes Claude; every other hook always exits 0.
 */
export const WAKE_HOOK = "wake";

/** Every `codexctl hook <name>`. */
export const HOOK_NAMES: readonly string[] = [...Object.keys(HOOK_EVENTS), WAKE_HOOK];

/** The most stdin the hook reads (Claude Code's inputs are a few KB). */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/** Something to read stdin from (`Deno.stdin`, or a test's stand-in). */
export interface InputSource {
  read(buffer: Uint8Array): Promise<number | null>;
  isTerminal(): boolean;
}

/** Why stdin gave no input: it ran past the size cap, the time budget, or could not be read. */
export type NoInput = "too_big" | "late" | "unreadable";

/**
 * Reads all of `source` as UTF-8 text, within the hook's time budget: a writer that never closes
 * stdin (or never writes) cannot keep the hook alive past `deadline` (ms since the epoch) — the
 * read gives up and says `late`. Null when stdin is a terminal (a person ran the hook by hand:
 * nothing to read). The bound is an `AbortSignal.timeout` (unlike the first `setTimeout`, which
 * costs several milliseconds on the hook's hot path, it is cheap); an abandoned read ends with the
 * process (`main.ts` exits explicitly).
 */
export async function readInput(
  source: InputSource,
  deadline: number,
  maxBytes: number = MAX_INPUT_BYTES,
): Promise<string | null | NoInput> {
  if (source.isTerminal()) return null;
  const signal = AbortSignal.timeout(Math.max(0, deadline - Date.now()));
  const late = new Promise<"late">((resolve) => {
    if (signal.aborted) resolve("late");
    else signal.addEventListener("abort", () => resolve("late"), { once: true });
  });
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  let size = 0;
  try {
    for (;;) {
      const n = await Promise.race([source.read(buffer), late]);
      if (n === "late") return "late";
      if (n === null) break;
      size += n;
      if (size > maxBytes) return "too_big";
      chunks.push(buffer.slice(0, n));
    }
  } catch {
    return "unreadable";
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  try {
    // not fatal: bad bytes become U+FFFD and the JSON check below rejects what matters
    return new TextDecoder().decode(all);
  } catch {
    return "unreadable";
  }
}

/** Parses hook input; null for anything that is not a JSON object with a non-empty `session_id`. */
export function parseInput(text: string | null): HookInput | null {
  if (text === null) return null;
  const d = jsonObject(text);
  if (!d) return null;
  if (typeof d.session_id !== "string" || !d.session_id.trim() || d.session_id.length > 200) return null;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const tasks = Array.isArray(d.background_tasks) ? d.background_tasks : [];
  const response = d.tool_response as { stdout?: unknown } | null | undefined;
  const stdout = response && typeof response === "object" && typeof response.stdout === "string"
    ? response.stdout.slice(0, 256 * 1024)
    : null;
  return {
    session_id: d.session_id.trim(),
    event_id: fnv64(text),
    hook_event_name: str(d.hook_event_name),
    stop_hook_active: d.stop_hook_active === true,
    source: str(d.source),
    cwd: str(d.cwd),
    background_tasks: tasks.filter((t): t is Record<string, unknown> => !!t && typeof t === "object").map((
      t,
    ) => ({
      type: str(t.type),
      status: str(t.status),
      command: str(t.command),
      description: str(t.description),
    })),
    tool_stdout: stdout,
  };
}

/**
 * A number from the environment: `fallback` when `key` is unset, blank or not a finite number, or
 * is not more than 0 (with `allowZero`: is negative).
 */
export function envNumber(
  env: { get(key: string): string | undefined },
  key: string,
  fallback: number,
  allowZero = false,
): number {
  const raw = env.get(key);
  const n = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  return Number.isFinite(n) && (allowZero ? n >= 0 : n > 0) ? n : fallback;
}

/** How long an open turn's rollout may stay silent before the hooks call it stalled (`CODEXCTL_HOOK_STALL_SEC`, default 600 s). */
export function hookStallMs(env: HookEnv): number {
  return envNumber(env, "CODEXCTL_HOOK_STALL_SEC", 600) * 1000;
}

/**
 * The hook log and output writer (`log.ts`), loaded on first use: the no-change path neither logs
 * nor prints, so it does not load them (see `lazy.ts`).
 */
function output(): Promise<typeof import("./log.ts")> {
  return import(new URL("./log.ts", import.meta.url).href);
}

/** Appends one record to the hook log (see `log.ts`); never throws. */
async function logHook(root: string | null, record: Record<string, unknown>): Promise<void> {
  await (await output()).logHook(root, record);
}

/** Where a hook reads and writes (a seam for tests). */
export interface HookIo {
  stdin: InputSource;
  /** Writes the single JSON answer. */
  stdout(text: string): Promise<void>;
  /** Writes a diagnostic line (Claude Code keeps stderr of a successful hook in its debug log only). */
  stderr(text: string): Promise<void>;
}

/** Read-only environment access. */
export interface HookEnv {
  get(key: string): string | undefined;
}

/** The hard cap on what a hook prints (Claude Code's own cap is 10,000 characters). */
export const MAX_OUTPUT_CHARS = 9000;

/** The process's own stdin/stdout/stderr. */
export function processIo(): HookIo {
  return {
    stdin: Deno.stdin,
    stdout: async (text) => await (await output()).writeAll(Deno.stdout, text),
    stderr: async (text) => await (await output()).writeAll(Deno.stderr, text),
  };
}

/**
 * Runs one hook; resolves to 0 (a hook never fails Claude Code) — except the wake-up, which
 * resolves to 2 when it wakes Claude.
 */
export async function runHook(argv: string[], env: HookEnv, io: HookIo = processIo()): Promise<number> {
  const name = argv[0] ?? "";
  const event: HookEvent | undefined = (HOOK_EVENTS as Record<string, HookEvent>)[name];
  const root = findStateRoot(env);
  // the budget covers everything, reading stdin included
  const deadline = Date.now() + envNumber(env, "CODEXCTL_HOOK_BUDGET_MS", 5000);
  // read stdin whatever happens next: a writer must never meet a closed pipe
  const input = await readInput(io.stdin, deadline);
  if (input === "late") {
    await logHook(root, {
      event: event ?? (name || null),
      ...(name === WAKE_HOOK ? { hook: WAKE_HOOK } : {}),
      error: "stdin did not close within the hook's time budget; said nothing",
    });
    return 0;
  }
  const text = input === "too_big" || input === "unreadable" ? null : input;
  if ((!event && name !== WAKE_HOOK) || argv.length > 1) {
    const why = `codexctl hook: expected one of ${HOOK_NAMES.join(", ")}, got "${
      argv.join(" ").slice(0, 60)
    }"; see: codexctl hook --help`;
    await logHook(root, { event: name || null, error: why });
    await io.stderr(why + "\n").catch(() => {});
    return 0;
  }
  if (!event) return await wake(env, text, root, io);
  try {
    const out = await reviewGate(event, env, text, root, await handle(event, env, text, root, deadline));
    if (out !== null && out.length > MAX_OUTPUT_CHARS) {
      await logHook(root, {
        event,
        error: `refused to print ${out.length} characters (cap ${MAX_OUTPUT_CHARS})`,
      });
    } else if (out !== null) {
      if (event === "Stop" && root && out.includes('"decision":"block"')) await noteBlock(root, text);
      await io.stdout(out);
    }
  } catch (err) {
    await logHook(root, { event, ...(await output()).describeError(err) });
  }
  return 0;
}

/**
 * A Stop that blocks (this hook's rules or the review gate) says so for the wake-up hook of the
 * same Stop event (`fleet/lease.ts` `noteStopBlock`): Claude keeps working, so it need not wait.
 */
async function noteBlock(root: string, text: string | null): Promise<void> {
  const input = parseInput(text);
  if (!input) return;
  const lease: typeof import("../fleet/lease.ts") = await import(
    new URL("../fleet/lease.ts", import.meta.url).href
  );
  lease.noteStopBlock(root, ownerKey(input.session_id), input.event_id);
}

async function handle(
  event: HookEvent,
  env: HookEnv,
  text: string | null,
  root: string | null,
  deadline: number,
): Promise<string | null> {
  const input = parseInput(text);
  if (!input) {
    await logHook(root, { event, note: "stdin was not hook JSON with a session_id; said nothing" });
    return null;
  }
  const owner = input.session_id;
  if (event === "SessionStart") await exportOwner(env, owner, root);
  if (event === "Stop" && input.stop_hook_active) return null; // the re-check after a block: always allow
  if (!root) return null;
  if (event === "UserPromptSubmit") await endWake(root, owner);
  const bad: string[] = [];
  const targets = ownerTargets(root, owner, bad);
  if (bad.length) {
    // a follow list that is not one: moved aside and said once (loaded only then)
    const repair: typeof import("../fleet/follow_repair.ts") = await import(
      new URL("../fleet/follow_repair.ts", import.meta.url).href
    );
    const moved = await repair.repairFollows(root, bad);
    const note = repair.followNote(moved);
    if (note) await logHook(root, { event, owner, quarantined: moved });
    const out = targets.length ? await lookThenPass(event, env, input, root, owner, targets, deadline) : null;
    if (!note) return out;
    return JSON.stringify({ ...(out ? JSON.parse(out) : {}), systemMessage: note });
  }
  if (!targets.length) return null;
  return await lookThenPass(event, env, input, root, owner, targets, deadline);
}

/** The hot path's cheap look: nothing moved and nothing to tell means no pass at all. */
async function lookThenPass(
  event: HookEvent,
  env: HookEnv,
  input: HookInput,
  root: string,
  owner: string,
  targets: FleetTarget[],
  deadline: number,
): Promise<string | null> {
  const path = indexPath(root, owner);
  const index = readIndex(path, owner);
  const quiet = nothingChanged(targets, index, Date.now(), {
    indexPath: path,
    pidCheckMs: envNumber(env, "CODEXCTL_HOOK_PID_CHECK_SEC", 10, true) * 1000,
  });
  if (quiet && (event === "PostToolUse" || event === "UserPromptSubmit") && !undelivered(index)) return null;
  if (quiet && event === "Stop") {
    // a Stop with nothing moved needs a pass only if an entry would block
    const rules: typeof import("./stop_rules.ts") = await import(
      new URL("./stop_rules.ts", import.meta.url).href
    );
    if (!rules.stopCandidates(index.entries, rules.workingPolicy(env), input.background_tasks).length) {
      return null;
    }
  }
  return await heavy(event, { env, root, owner, input, deadline, stallMs: hookStallMs(env) }, targets);
}

/**
 * The delivery pass (`deliver.ts`, loaded only now). The pass itself refuses to commit after
 * `deadline`, so a late pass delivers nothing and the change stays for the next hook. The guard
 * here, 2 s after the deadline, only stops waiting for a pass stuck in IO (it says nothing).
 */
async function heavy(
  event: HookEvent,
  ctx: HookContext,
  targets: FleetTarget[],
): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), Math.max(0, ctx.deadline - Date.now()) + 2000);
  });
  try {
    const pass = (async () => {
      const deliver: typeof import("./deliver.ts") = await import(
        new URL("./deliver.ts", import.meta.url).href
      );
      switch (event) {
        case "PostToolUse":
        case "UserPromptSubmit":
          return await deliver.deliverChanges(ctx, targets, event);
        case "Stop":
          return await deliver.stopDecision(ctx, targets);
        case "SessionStart":
          return await deliver.sessionBrief(ctx, targets);
      }
    })();
    const out = await Promise.race([pass, guard]);
    if (out === "late") {
      await logHook(ctx.root, {
        event,
        error: "the hook gave up after its time budget; nothing was delivered",
      });
      return null;
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The review gate (`review_stop.ts`, loaded only when it can have something to say): at Stop, when
 * `config.jsonc` mentions `review_gate`; at UserPromptSubmit, when the gate ever left a note (its
 * `reviews/` directory exists). Its answer is merged into the hook's own.
 */
async function reviewGate(
  event: HookEvent,
  env: HookEnv,
  text: string | null,
  root: string | null,
  out: string | null,
): Promise<string | null> {
  if (!root || (event !== "Stop" && event !== "UserPromptSubmit")) return out;
  let config = "";
  try {
    if (event === "Stop") config = Deno.readTextFileSync(joinPath(root, "config.jsonc"));
    else if (!Deno.statSync(joinPath(root, "reviews")).isDirectory) return out;
  } catch {
    return out;
  }
  if (event === "Stop" && !config.includes("review_gate")) return out;
  const input = parseInput(text);
  if (!input || (event === "Stop" && input.stop_hook_active)) return out;
  const gate: typeof import("./review_stop.ts") = await import(
    new URL("./review_stop.ts", import.meta.url).href
  );
  if (event === "UserPromptSubmit") {
    return await gate.safely(root, event, () => gate.takeNote(root, input.session_id, out), out);
  }
  const decision = await gate.safely(
    root,
    event,
    () => gate.reviewGateAtStop(env, root, config, input),
    null,
  );
  return gate.mergeStop(out, decision);
}

/**
 * UserPromptSubmit: Claude is busy again, so a wake-up still waiting from its last Stop leaves
 * (its lease is removed; the next Stop arms a new one). Looks before loading anything.
 */
async function endWake(root: string, owner: string): Promise<void> {
  const name = `wake-${ownerKey(owner)}.json`;
  if (!listNames(root).has("leases") || !listNames(joinPath(root, "leases")).has(name)) return;
  const lease: typeof import("../fleet/lease.ts") = await import(
    new URL("../fleet/lease.ts", import.meta.url).href
  );
  lease.dropLease(root, "wake", ownerKey(owner));
}

/**
 * `codexctl hook wake` (see `wake.ts`, loaded only now): 2 with the text on stderr when it woke
 * Claude, else 0 — also on garbage input, a disabled wake-up, or any error (logged).
 */
async function wake(env: HookEnv, text: string | null, root: string | null, io: HookIo): Promise<number> {
  const input = parseInput(text);
  if (!input || !root) {
    if (!input) {
      await logHook(root, {
        event: "Stop",
        hook: WAKE_HOOK,
        note: "stdin was not hook JSON with a session_id; said nothing",
      });
    }
    return 0;
  }
  try {
    const rules: typeof import("./stop_rules.ts") = await import(
      new URL("./stop_rules.ts", import.meta.url).href
    );
    if (rules.workingPolicy(env) === "allow") return 0;
    const w: typeof import("./wake.ts") = await import(new URL("./wake.ts", import.meta.url).href);
    return await w.runWake({
      env,
      root,
      owner: input.session_id,
      input,
      waitMs: envNumber(env, "CODEXCTL_WAKE_SEC", 3540) * 1000,
      stallMs: hookStallMs(env),
      pidCheckMs: envNumber(env, "CODEXCTL_HOOK_PID_CHECK_SEC", 10, true) * 1000,
    }, io.stderr);
  } catch (err) {
    await logHook(root, { event: "Stop", hook: WAKE_HOOK, ...(await output()).describeError(err) });
    return 0;
  }
}

/** True when the index holds a change nobody delivered yet (e.g. a followed thread seen by a Stop pass). */
function undelivered(index: CursorIndex): boolean {
  for (const e of Object.values(index.entries)) {
    if (deliverable(e) && e.delivered !== e.sig) return true;
    if (failureNews(e)) return true;
  }
  return false;
}

/**
 * SessionStart: appends `export CODEXCTL_OWNER=<session id>` to `$CLAUDE_ENV_FILE` (once), so
 * every later Bash command — and so every `codexctl start` — knows which Claude Code session owns
 * what it starts, even where Claude Code does not set `CLAUDE_CODE_SESSION_ID` for tools.
 */
export async function exportOwner(env: HookEnv, owner: string, root: string | null): Promise<void> {
  const file = env.get("CLAUDE_ENV_FILE");
  if (!file || !file.startsWith("/")) return;
  const line = `export CODEXCTL_OWNER=${shellQuote(owner)}\n`;
  try {
    const current = await Deno.readTextFile(file).catch(() => "");
    if (current.split("\n").includes(line.trimEnd())) return;
    await Deno.writeTextFile(file, (current && !current.endsWith("\n") ? "\n" : "") + line, { append: true });
  } catch (err) {
    await logHook(root, {
      event: "SessionStart",
      note: "could not write CLAUDE_ENV_FILE",
      ...(await output()).describeError(err),
    });
  }
}

/** Single-quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
