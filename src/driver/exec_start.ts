/**
 * Starting a headless session (`start --via exec`): find Codex, decide the sandbox (audited when it
 * leaves it), make a worktree when asked, keep a copy of `--output-schema`, write the session
 * record, and hand the task (with codexctl's marker contract) to the exec substrate as the first
 * run — a detached `codex exec --json` that outlives this process. Then return at once
 * (`--no-wait`) or wait for a settled verdict.
 *
 * @module
 */
import { environmentError, internalError, usageError } from "../errors.ts";
import type { Verdict } from "../envelope.ts";
import { wrapTask } from "../codex/prompt.ts";
import { codexHome } from "../codex/rollout/locate.ts";
import { findCodex } from "../codex/find.ts";
import { chooseSubstrate } from "../substrate/select.ts";
import { currentOwner } from "../session/owner.ts";
import { execDir, type SandboxMode } from "../session/exec.ts";
import { newSessionRecord, type ReviewInfo, SESSION_KIND } from "../session/record.ts";
import type { AppServerReviewTarget } from "../codex/app_server/inline_review.ts";
import { atomicWrite } from "../store/atomic.ts";
import type { Store } from "../store/store.ts";
import { auditUnsandboxed, decideSandbox } from "../policy/sandbox.ts";
import { Session } from "./session.ts";
import { waitForVerdict } from "./settle.ts";
import { createWorktree } from "./worktree.ts";
import { claimIdentity, startPrelude } from "./start_prelude.ts";

/** Options of {@linkcode startExecSession}. */
export interface ExecStartOptions {
  task: string;
  slug?: string;
  cwd: string;
  worktree: boolean;
  keepWorktree: boolean;
  expect: string[];
  marker?: string;
  timeoutSec: number;
  noWait: boolean;
  sandbox?: SandboxMode;
  model?: string;
  effort?: string;
  /** A JSON Schema file the final message must match (`--output-schema`). */
  outputSchema?: string;
  codexArgs: string[];
  /** Mark the thread as the IDE extension's once a run ends (`--ide-visible`). */
  ideVisible: boolean;
  /**
   * The first run's subcommand words (default `exec`; e.g. `["exec", "review", "--uncommitted"]`),
   * for callers that run another `codex exec` subcommand as a headless session.
   */
  subcommand?: string[];
  /** The first run's prompt as given (null: none), instead of the task with the marker contract. */
  prompt?: string | null;
  /**
   * How the sandbox reaches Codex: `flag` (`-s MODE` on the first run, the default) or `config`
   * (`-c sandbox_mode=…` on every run, for a subcommand without `-s` such as `exec review`).
   */
  sandboxVia?: "flag" | "config";
  /** An existing Codex thread the session works on (its first run resumes it; `review --thread`). */
  thread?: string;
  /** The first run is a review inside `thread` instead of a message (`review --thread`). */
  review?: AppServerReviewTarget;
  /** The review this session runs (`codexctl review`), kept in its record. */
  reviewInfo?: ReviewInfo;
  /** Called once the run is launched, before any waiting. */
  onStarted?: (session: string) => void;
}

/** Where a headless start ended up. */
export interface ExecStarted {
  session: Session;
  /** The settled verdict (null with `--no-wait`: nothing was observed). */
  verdict: Verdict | null;
  /** The Codex binary and where it was found. */
  codex: { path: string; via: string };
  /** The run left Codex's sandbox (audited). */
  unsandboxed: boolean;
}

/** Reads `--output-schema` (it must be a JSON object) so a broken one is refused before Codex runs. */
async function readSchema(path: string): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw usageError("BAD_SCHEMA", `--output-schema ${path} cannot be read: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw usageError("BAD_SCHEMA", `--output-schema ${path} is not JSON: ${(err as Error).message}`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw usageError("BAD_SCHEMA", `--output-schema ${path} is not a JSON Schema object`);
  }
  return text;
}

/** True when this Codex's `exec resume` takes `--output-schema` (0.169 does, 0.130 does not). */
async function resumeTakesSchema(codex: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(codex, {
      args: ["exec", "resume", "--help"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).includes("--output-schema");
  } catch {
    return false;
  }
}

/** Starts a headless Codex on a task. */
export async function startExecSession(
  env: { get(key: string): string | undefined; toObject(): Record<string, string> },
  store: Store,
  o: ExecStartOptions,
): Promise<ExecStarted> {
  const { slug, marker, cwd } = await startPrelude(o);
  const sandbox = decideSandbox(o.sandbox, o.codexArgs);
  const schemaText = o.outputSchema ? await readSchema(o.outputSchema) : null;
  const codex = findCodex(env);
  if (!codex) {
    throw environmentError(
      "NO_CODEX",
      "no Codex CLI found: not CODEXCTL_CODEX, not codex on PATH, no IDE extension's",
      {
        suggestion: "install it (npm install -g @openai/codex) or export CODEXCTL_CODEX=/path/to/codex",
      },
    );
  }
  const sandboxConfig = o.sandboxVia === "config" && !sandbox.bypass
    ? ["-c", `sandbox_mode=${JSON.stringify(sandbox.mode)}`]
    : [];
  const options = [
    "-c",
    "approval_policy=never",
    ...sandboxConfig,
    ...(o.model ? ["-m", o.model] : []),
    ...(o.effort ? ["-c", `model_reasoning_effort=${JSON.stringify(o.effort)}`] : []),
    ...o.codexArgs,
  ];
  const resumeSchema = schemaText !== null && await resumeTakesSchema(codex.path);
  const substrate = await chooseSubstrate("exec", { env, stateDir: store.root });
  const session = await store.withLock("spawn", async () => {
    const { id, label } = await claimIdentity(store, slug);
    const worktree = o.worktree ? await createWorktree(cwd, slug, o.keepWorktree) : null;
    const workdir = worktree?.path ?? cwd;
    const dir = execDir(store.root, id);
    let schema: string | null = null;
    if (schemaText !== null) {
      schema = `${dir}/output_schema.json`;
      await atomicWrite(schema, schemaText);
    }
    const handle = await substrate.start({
      argv: [codex.path, ...options],
      cwd: workdir,
      env: { ...env.toObject(), CODEX_HOME: codexHome(env) },
      label,
      mode: "pane",
      exec: {
        key: id,
        first: o.subcommand,
        first_options: sandbox.bypass || o.sandboxVia === "config" ? [] : ["-s", sandbox.mode],
        schema,
        resume_schema: resumeSchema,
        ide_visible: o.ideVisible,
        thread: o.thread ?? null,
      },
    });
    const record = newSessionRecord({
      session: id,
      owner: currentOwner(env),
      substrate: "exec",
      pane: handle,
      mode: null,
      slug,
      label,
      cwd: workdir,
      codex_home: codexHome(env),
      marker,
      expect: o.expect,
      plan_mode: false,
      keep: false,
      worktree,
      thread_id: o.thread ?? null,
      last_state: "working",
      last_reason: "working",
      exec: {
        run: 1,
        dir,
        codex: codex.path,
        codex_version: null,
        sandbox: sandbox.mode,
        model: o.model ?? null,
        effort: o.effort ?? null,
        output_schema: schema,
        codex_args: o.codexArgs,
        ide_visible: o.ideVisible,
      },
      ...(o.reviewInfo ? { review: o.reviewInfo } : {}),
    });
    await store.write(SESSION_KIND, id, record);
    await auditUnsandboxed(store, sandbox, { session: id, cwd: workdir });
    return new Session(store, record, substrate, env);
  }, { timeoutMs: 60_000 });
  try {
    // with --output-schema the final message is the structured output: no marker is asked for
    const prompt = o.prompt !== undefined
      ? o.prompt
      : schemaText !== null
      ? o.task
      : wrapTask(o.task, marker);
    await substrate.deliver(
      session.handle,
      o.review ? { kind: "review", target: o.review } : { kind: "message", text: prompt ?? "" },
    );
  } catch (err) {
    const { endSession } = await import("./end.ts");
    await endSession(store, session.id, env).catch(() => {});
    throw err;
  }
  o.onStarted?.(session.id);
  const found = { path: codex.path, via: codex.via };
  if (o.noWait) return { session, verdict: null, codex: found, unsandboxed: sandbox.unsandboxed };
  const verdict = await waitForVerdict(session, { events: -1, screen: "" }, o.timeoutSec * 1000);
  await session.remember(verdict);
  return { session, verdict, codex: found, unsandboxed: sandbox.unsandboxed };
}

/**
 * A review inside a headless session's thread as its next run (`review --session`), returning the
 * run's number. No gate can be open on a headless session (it runs with approvals off and never
 * waits on a dialog), so there is nothing for the answer path to decide; the substrate refuses
 * while a run still goes (`environment/THREAD_BUSY`), so nothing is started then.
 */
export async function startReviewRun(session: Session, target: AppServerReviewTarget): Promise<number> {
  const delivered = await session.substrate.deliver(session.handle, { kind: "review", target });
  const run = delivered.kind === "turn" ? Number(delivered.turn_id.replace(/^run-/, "")) : NaN;
  if (!Number.isInteger(run) || run < 1) {
    throw internalError("NO_RUN", `the review of ${session.id} started no run (codexctl bug)`);
  }
  return run;
}
