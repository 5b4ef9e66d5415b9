/**
 * The v1 output contract. These zod schemas are the single source of truth: the CLI builds every
 * envelope through them and `codexctl schema` exports them as JSON Schema.
 *
 * Compatible with the herdr plugin's codex.py envelope: `{ok, schema_version:"v1", command, session,
 * result, error}`; a verdict `result` carries `state, reason, summary, plan, questions, options,
 * marker_found, artifacts, transcript_tail, next_action` plus codexctl's `thread`.
 *
 * @module
 */
import { z } from "zod";
import { type CodexctlError, EXIT_CODES } from "./errors.ts";

/** The envelope schema version this build writes. */
export const SCHEMA_VERSION = "v1" as const;

/** Error classes and the exit code each maps to. */
export const ErrorClassSchema = z.enum(["usage", "environment", "not_found", "internal"]).describe(
  `usage → exit ${EXIT_CODES.usage}, environment → ${EXIT_CODES.environment}, not_found → ${EXIT_CODES.not_found}, internal → ${EXIT_CODES.internal}`,
);

/** Verdict states (herdr plugin states plus codexctl's rollout-backed ones). */
export const VERDICT_STATES = [
  "completed",
  "awaiting_clarification",
  "awaiting_approval",
  "permission_gate",
  "working",
  "idle",
  "no_signal",
  "failed",
  "interrupted",
  "exited",
  "auto_approved",
  "failure",
  "value_changed",
  "ended",
] as const;
/** Schema of a verdict state. */
export const StateSchema = z.enum(VERDICT_STATES);

/** Verdict reasons. Every herdr plugin reason keeps its meaning; the rest are codexctl's. */
export const VERDICT_REASONS = [
  // herdr plugin (codex.py)
  "marker_verified",
  "marker_unverified",
  "artifacts_present",
  "reported_done",
  "free_text_question",
  "multiple_choice",
  "plan_approval",
  "permission_request",
  "working",
  "timeout",
  "no_signal",
  "pane_gone",
  "auto_closed",
  "cleaned_up",
  "no_wait",
  // codexctl
  "turn_complete",
  "turn_failed",
  "interrupted",
  "trust_dialog",
  "approval_probable",
  "process_exited",
  "no_turn",
  "stalled",
  // a failed turn whose cause Codex named (headless runs)
  "usage_limit",
  "rate_limit",
  "context_window",
  "auth_failed",
  "network_error",
  "model_error",
  // a completed turn whose final message does not match --output-schema
  "output_invalid",
  // a review run (codexctl review) that ended with Codex's review: result.review
  "review_done",
] as const;
/** Schema of a verdict reason. */
export const ReasonSchema = z.enum(VERDICT_REASONS);

/** What the caller should do next. */
export const IntentSchema = z.enum([
  "answer",
  "approve",
  "choose",
  "verify",
  "wait",
  "start",
  "nothing",
  "monitor",
  "end",
]);

/** `next_action`: the exact next command to run (null when the intent is `nothing`). */
export const NextActionSchema = z.object({
  intent: IntentSchema,
  command: z.string().nullable().describe("a ready-to-run shell line, or null"),
  why: z.string(),
}).strict();

/** The `error` object of a failed call. */
export const ErrorInfoSchema = z.object({
  class: ErrorClassSchema,
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).describe("stable machine code, e.g. BAD_FLAG, HERDR_DOWN"),
  message: z.string().min(1).describe("what was wrong"),
  retryable: z.boolean().describe("true when repeating the same call later may succeed"),
  suggestion: z.string().nullable().describe("what to do about it"),
  next_action: NextActionSchema.optional().describe(
    "the exact next command, when the error has one (e.g. await while a headless run still works)",
  ),
}).strict();

/** One numbered choice shown by Codex (plan menu, question widget, approval dialog). */
export const OptionSchema = z.object({
  key: z.string().regex(/^\d+$/),
  label: z.string(),
  recommended: z.boolean(),
}).strict();

/** One `--expect` path and whether it exists. */
export const ArtifactSchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  bytes: z.number().int().nonnegative(),
}).strict();

/** Token usage as Codex reports it. */
export const TokenUsageSchema = z.object({
  input: z.number().int().nonnegative(),
  cached_input: z.number().int().nonnegative(),
  output: z.number().int().nonnegative(),
  reasoning_output: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
}).strict();

/** The Codex thread behind a verdict, once known. */
export const ThreadInfoSchema = z.object({
  id: z.string(),
  rollout_path: z.string().nullable(),
  cwd: z.string().nullable(),
  model: z.string().nullable(),
  tokens: TokenUsageSchema.nullable(),
  context_pct: z.number().min(0).max(100).nullable(),
}).strict();

/** Claude Code's Monitor tool caps `timeout_ms` at 30 minutes (it has no `persistent` mode any more). */
export const MONITOR_MAX_MS = 1_800_000;

/**
 * `result.monitor` on `start --no-wait`, present whenever the session is alive: what to hand Claude
 * Code's Monitor tool (`command`, `description`, `timeout_ms`), and whether to: `arm` is false when a
 * `watch --all` already streams this owner's sessions (`running` names it), so one Monitor serves
 * every session.
 */
export const MonitorSchema = z.object({
  command: z.string(),
  description: z.string(),
  timeout_ms: z.number().int().positive().max(MONITOR_MAX_MS),
  arm: z.boolean().describe("true: arm the Monitor tool with command; false: one already runs"),
  running: z.object({ pid: z.number().int(), command: z.string().nullable() }).strict().nullable()
    .describe("the watch --all already running for this owner (null: none)"),
}).strict();

/** One finding of a Codex review. */
export const ReviewFindingSchema = z.object({
  title: z.string().describe("as Codex wrote it (Codex's titles usually start with a [P0]…[P3] tag)"),
  body: z.string(),
  priority: z.number().int().min(0).max(3).nullable().describe(
    "0 (P0, drop everything) … 3 (P3, nice to have); Codex's number, else its title's [Pn] tag; null when neither",
  ),
  confidence: z.number().min(0).max(1).nullable().describe(
    "Codex's confidence in the finding; null when not given",
  ),
  file: z.string().nullable().describe("relative to the repository when inside it, else as Codex wrote it"),
  start_line: z.number().int().nonnegative().nullable(),
  end_line: z.number().int().nonnegative().nullable(),
}).strict();

/** A Codex code review as data (`result.review` of `review`, and of `await`/`status` on a review). */
export const ReviewSchema = z.object({
  findings: z.array(ReviewFindingSchema).describe("sorted by priority, P0 first; findings without one last"),
  overall_correctness: z.string().nullable().describe(
    'Codex\'s verdict, e.g. "patch is correct" / "patch is incorrect"',
  ),
  overall_explanation: z.string().nullable(),
  overall_confidence: z.number().min(0).max(1).nullable(),
  structured: z.boolean().describe(
    "true: read from Codex's review JSON; false: read from text (only what the text says is filled in)",
  ),
  min_priority: z.number().int().min(0).max(3).nullable().optional().describe(
    "with --min-priority: the lowest priority kept (findings without a priority are kept)",
  ),
  hidden: z.number().int().nonnegative().optional().describe("with --min-priority: findings left out"),
}).strict();

/** The most characters of a final message a verdict carries whole (64 Ki). */
export const FINAL_MESSAGE_MAX = 64 * 1024;

/** `result.exec`: a headless session's run (`start --via exec` says how it runs; `status` how it goes). */
export const ExecFactsSchema = z.looseObject({
  run: z.number().int().positive().describe("which run of the session: 1 is the start, one more per send"),
  codex: z.string().optional().describe("start: the Codex binary"),
  found_via: z.string().optional().describe(
    "start: where it was found (env, path, vscode, vscode-server, cursor)",
  ),
  sandbox: z.enum(["read-only", "workspace-write", "danger-full-access"]).optional(),
  unsandboxed: z.boolean().optional().describe("start: the run leaves Codex's sandbox, as asked (audited)"),
  model: z.string().nullable().optional(),
  effort: z.string().nullable().optional(),
  output_schema: z.string().nullable().optional().describe("start: the session's copy of --output-schema"),
  dir: z.string().optional().describe("start: the session's exec directory"),
  pid: z.number().int().nullable().optional().describe("status: Codex's pid"),
  alive: z.boolean().nullable().optional().describe("status: Codex lives (pid and start time match)"),
  started_at: z.string().nullable().optional(),
  exit: z.object({ code: z.number().int().nullable(), signal: z.string().nullable() }).nullable().optional()
    .describe("status: how Codex exited (null while it runs)"),
  events: z.string().nullable().optional().describe("status: the run's --json event stream"),
  error: z.string().nullable().optional().describe("status: the error Codex reported, if any"),
  ide_visible: z.unknown().optional().describe("status, with --ide-visible: what marking the thread did"),
}).describe("headless sessions: the current codex exec run");

/** A verdict: one reading of what Codex is doing and what to do next. */
export const VerdictSchema = z.looseObject({
  state: StateSchema,
  reason: ReasonSchema,
  summary: z.string().max(200),
  plan: z.string().nullable().describe("the whole proposed plan, never truncated"),
  questions: z.array(z.string()),
  options: z.array(OptionSchema),
  marker_found: z.boolean(),
  artifacts: z.array(ArtifactSchema),
  transcript_tail: z.string().max(2000),
  next_action: NextActionSchema,
  thread: ThreadInfoSchema.nullable().optional(),
  monitor: MonitorSchema.optional(),
  worktree: z.record(z.string(), z.unknown()).nullable().optional(),
  review: ReviewSchema.nullable().optional().describe(
    "a review session's review: null while it runs or when it ended without one",
  ),
  review_target: z.looseObject({
    kind: z.enum(["uncommitted", "base", "commit"]),
    branch: z.string().nullable().optional(),
    sha: z.string().nullable().optional().describe("--commit: the full commit id"),
    title: z.string().nullable().optional(),
    prompt: z.string().nullable().describe("--prompt, if given"),
    repo_root: z.string().nullable().describe("the repository reviewed"),
    inline: z.boolean().describe("reviewed inside an existing thread (--session/--thread)"),
    run: z.number().int().positive().describe("the run of the session that is the review"),
  }).optional().describe("review: what was reviewed, and where"),
  final_message: z.string().max(FINAL_MESSAGE_MAX).nullable().optional().describe(
    "headless sessions: Codex's final message of the run, whole up to 65,536 characters (its start when longer)",
  ),
  final_message_path: z.string().nullable().optional().describe(
    "headless sessions: the file holding the whole final message, when it is longer than final_message",
  ),
  output: z.unknown().optional().describe(
    "headless sessions started with --output-schema: the final message parsed as JSON (null when it is not JSON)",
  ),
  output_errors: z.array(z.string()).optional().describe(
    "with --output-schema: why the output does not match the schema (empty: it matches)",
  ),
  ended: z.object({
    at: z.string().describe("when the session ended (ISO time)"),
    by: z.string().nullable().describe(
      "who ended it: end, watch (on a verified completion), sessions (pruned: Codex was gone)",
    ),
  }).optional().describe(
    "a session that has ended: its last verdict as it ended; a verb that reaches it after the end sends nothing",
  ),
  exec: ExecFactsSchema.optional(),
  warnings: z.array(z.string()).optional().describe("what the caller should know about how the call ran"),
});

/** The kinds of change a `watch` line reports. */
export const WATCH_EVENTS = [
  "snapshot",
  "turn_started",
  "turn_completed",
  "turn_failed",
  "turn_aborted",
  "plan_proposed",
  "waiting_input",
  "approval_probable",
  "goal",
  "commit",
  "stalled",
  "resumed",
  "restarted",
  "verdict",
  "auto_approved",
  "failure",
  "value_changed",
  "ended",
] as const;

/**
 * A failure in a tool's output (`verdict/tool_failure.ts`): `output` — the text matched a failure
 * pattern (a failing test, a traceback); `exit` — a test command exited with a non-zero code. At
 * most one per turn; the line's summary quotes what failed.
 */
export const FailureFactsSchema = z.object({
  kind: z.enum(["output", "exit"]),
  exit_code: z.number().int().nullable().describe("the command's exit code, when Codex reported one"),
}).strict();

/** The file of a `value_changed` line (`watch --watch-file`). */
export const WatchedValueSchema = z.object({
  path: z.string().describe("the watched file (its end, when long)"),
  gone: z.boolean().describe("true: the file is gone or cannot be read any more"),
}).strict();

/** The result of one `watch` line: compact (every line ≤ 500 characters), full detail via `detail`. */
export const WatchEventSchema = z.object({
  event: z.enum(WATCH_EVENTS),
  state: StateSchema.describe("the verdict state at the time of the line"),
  reason: ReasonSchema,
  summary: z.string(),
  thread: z.string().nullable(),
  offset: z.number().int().nonnegative().nullable().describe("rollout byte offset read up to"),
  next: z.string().nullable().describe("the verdict's next command, when there is one"),
  detail: z.string().describe("the command that prints the full verdict"),
  coalesced: z.number().int().min(2).optional().describe("how many changes this line stands for"),
  failure: FailureFactsSchema.optional().describe("failure: what failed"),
  value: WatchedValueSchema.optional().describe(
    "value_changed: the watched file (the new value is in summary)",
  ),
}).strict();

/** The kinds of line `watch --all` prints. */
export const FLEET_EVENTS = [
  "snapshot",
  "change",
  "changes",
  "added",
  "dropped",
  "failure",
  "value_changed",
  "ended",
] as const;

/** One target a `watch --all` line is about. */
export const FleetTargetSchema = z.object({
  session: z.string().nullable().describe("the codexctl session (null for a followed thread)"),
  thread: z.string().nullable(),
  label: z.string().describe('how it is named: "cdx-1a2b (slug)" or "followed thread <uuid>"'),
  state: StateSchema.nullable().describe("its verdict state (null before its first verdict)"),
  reason: ReasonSchema.nullable(),
  next: z.string().nullable().describe("the verdict's next command, when there is one"),
}).strict();

/**
 * The result of one `watch --all` line (every line ≤ 500 characters): a change of one target
 * (`change`, `added`, `dropped`), several coalesced into one line (`changes`), the first line
 * (`snapshot`) or the last (`ended`).
 */
export const FleetEventSchema = z.object({
  event: z.enum(FLEET_EVENTS),
  target: FleetTargetSchema.nullable().describe("the one target of change/added/dropped"),
  targets: z.array(FleetTargetSchema).optional().describe("changes: every target this line tells"),
  summary: z.string(),
  detail: z.string().nullable().describe("the command that prints the full verdict"),
  counts: z.object({ sessions: z.number().int(), threads: z.number().int(), working: z.number().int() })
    .strict().optional().describe("snapshot: what the stream follows"),
  failure: FailureFactsSchema.optional().describe("failure: what failed in the target's tool output"),
  value: WatchedValueSchema.optional().describe(
    "value_changed: the watched file (the new value is in summary)",
  ),
}).strict();

/** The verdict of `codexctl gate`: whether the machine is free for a hand-off. */
export const GATE_VERDICTS = ["free", "busy"] as const;

/**
 * How one gate check came out: `free` (checked, nothing in the way), `busy` (something in the way),
 * `absent` (the thing is not there — no GPU, no docker, no daemon — so nothing can be using it; counts
 * as free), `unknown` (it could not be read; counts as busy, since nobody can vouch that it is free).
 */
export const GATE_CHECK_STATUSES = ["free", "busy", "absent", "unknown"] as const;

const GateCheckBase = {
  status: z.enum(GATE_CHECK_STATUSES),
  summary: z.string().max(300).describe("one line: what was found"),
};

/** One GPU as `nvidia-smi --query-gpu` reports it. */
export const GateGpuSchema = z.object({
  index: z.number().int().nonnegative(),
  uuid: z.string(),
  name: z.string(),
  memory_used_mib: z.number().nonnegative().nullable(),
  memory_total_mib: z.number().nonnegative().nullable(),
  utilization_pct: z.number().min(0).max(100).nullable().describe("null where the GPU reports none (MIG)"),
}).strict();

/** One compute process as `nvidia-smi --query-compute-apps` reports it. */
export const GateGpuProcessSchema = z.object({
  gpu_uuid: z.string(),
  pid: z.number().int().nonnegative(),
  name: z.string(),
  used_memory_mib: z.number().nonnegative().nullable(),
  counted: z.boolean().describe("false for a process too small to be work (a desktop compositor)"),
}).strict();

/** One container as `docker ps` reports it. */
export const GateContainerSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.string().describe("running, paused, …"),
  status: z.string().describe('docker\'s own words, e.g. "Up 2 hours"'),
}).strict();

/** One process matching a `--procs` pattern. */
export const GateProcessMatchSchema = z.object({
  pid: z.number().int().positive(),
  command: z.string().max(300),
}).strict();

/** One check of `codexctl gate`, by name. */
export const GateCheckSchema = z.discriminatedUnion("name", [
  z.object({
    name: z.literal("gpu"),
    ...GateCheckBase,
    gpus: z.array(GateGpuSchema),
    processes: z.array(GateGpuProcessSchema),
  }).strict(),
  z.object({
    name: z.literal("docker"),
    ...GateCheckBase,
    containers: z.array(GateContainerSchema).max(50).describe(
      "running ones first; at most 50 (the summary counts all)",
    ),
  }).strict(),
  z.object({
    name: z.literal("procs"),
    ...GateCheckBase,
    pattern: z.string(),
    matches: z.array(GateProcessMatchSchema).max(50).describe("at most 50 (the summary counts all)"),
  }).strict(),
  z.object({
    name: z.literal("memory"),
    ...GateCheckBase,
    available_gib: z.number().nonnegative().nullable(),
    total_gib: z.number().nonnegative().nullable(),
    min_free_gib: z.number().positive().nullable(),
  }).strict(),
  z.object({
    name: z.literal("disk"),
    ...GateCheckBase,
    path: z.string(),
    available_gib: z.number().nonnegative().nullable(),
    total_gib: z.number().nonnegative().nullable(),
    min_free_gib: z.number().positive().nullable(),
  }).strict(),
]);

/** The result of `codexctl gate`: one verdict, the reasons, every check, and the next command. */
export const GateResultSchema = z.object({
  verdict: z.enum(GATE_VERDICTS),
  summary: z.string().max(200),
  reasons: z.array(z.string()).describe("why it is busy (the busy and unknown checks); empty when free"),
  checks: z.array(GateCheckSchema).min(1),
  waited: z.object({
    seconds: z.number().nonnegative(),
    polls: z.number().int().positive(),
    timed_out: z.boolean().describe("true when --timeout ran out while still busy"),
  }).strict().nullable().describe("with --wait-free: how long it waited; null otherwise"),
  next_action: NextActionSchema,
}).strict();

/** A verb-specific result (listings, schema, tail pages …). */
export const GenericResultSchema = z.record(z.string(), z.unknown());

const EnvelopeBase = {
  schema_version: z.literal(SCHEMA_VERSION),
  command: z.string().min(1).describe('the verb, or "codexctl" for top-level errors'),
  session: z.string().nullable().describe("the codexctl session id (cdx-…), null for thread-only calls"),
};

/** A successful call: a result, no error. */
export const OkEnvelopeSchema = z.object({
  ok: z.literal(true),
  ...EnvelopeBase,
  result: z.union([VerdictSchema, GateResultSchema, GenericResultSchema]),
  error: z.null(),
}).strict();

/** A failed call: an error, no result. */
export const ErrorEnvelopeSchema = z.object({
  ok: z.literal(false),
  ...EnvelopeBase,
  result: z.null(),
  error: ErrorInfoSchema,
}).strict();

/** The v1 envelope: exactly one per call on stdout (`watch` prints one per line). */
export const EnvelopeSchema = z.discriminatedUnion("ok", [OkEnvelopeSchema, ErrorEnvelopeSchema]);

/** A v1 envelope. */
export type Envelope = z.infer<typeof EnvelopeSchema>;
/** A verdict result. */
export type Verdict = z.infer<typeof VerdictSchema>;
/** `result.monitor` of `start --no-wait`. */
export type Monitor = z.infer<typeof MonitorSchema>;
/** The error object of a failed envelope. */
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;
/** A verdict state. */
export type VerdictState = z.infer<typeof StateSchema>;
/** A verdict reason. */
export type VerdictReason = z.infer<typeof ReasonSchema>;
/** `next_action`. */
export type NextAction = z.infer<typeof NextActionSchema>;
/** Thread facts carried by a verdict. */
export type ThreadInfo = z.infer<typeof ThreadInfoSchema>;
/** The result of one watch line. */
export type WatchEvent = z.infer<typeof WatchEventSchema>;
/** A Codex review as codexctl reports it. */
export type Review = z.infer<typeof ReviewSchema>;
/** One finding of a review. */
export type ReviewFinding = z.infer<typeof ReviewFindingSchema>;
/** The result of one `watch --all` line. */
export type FleetEvent = z.infer<typeof FleetEventSchema>;
/** The result of `codexctl gate`. */
export type GateResult = z.infer<typeof GateResultSchema>;
/** One check of `codexctl gate`. */
export type GateCheck = z.infer<typeof GateCheckSchema>;
/** How one gate check came out. */
export type GateCheckStatus = (typeof GATE_CHECK_STATUSES)[number];

/** Builds (and validates) a success envelope. */
export function okEnvelope(
  command: string,
  session: string | null,
  result: Record<string, unknown>,
): Envelope {
  return OkEnvelopeSchema.parse({
    ok: true,
    schema_version: SCHEMA_VERSION,
    command,
    session,
    result,
    error: null,
  });
}

/** Builds (and validates) an error envelope from a {@linkcode CodexctlError}. */
export function errorEnvelope(command: string, session: string | null, err: CodexctlError): Envelope {
  return ErrorEnvelopeSchema.parse({
    ok: false,
    schema_version: SCHEMA_VERSION,
    command,
    session,
    result: null,
    error: {
      class: err.errorClass,
      code: err.code,
      message: err.message,
      retryable: err.retryable,
      suggestion: err.suggestion,
      ...(err.nextAction ? { next_action: err.nextAction } : {}),
    },
  });
}

/** The JSON Schema documents `codexctl schema` can print, by name. */
export const SCHEMA_DOCUMENTS = {
  envelope: EnvelopeSchema,
  verdict: VerdictSchema,
  error: ErrorInfoSchema,
  watch_event: WatchEventSchema,
  fleet_event: FleetEventSchema,
  gate: GateResultSchema,
  review: ReviewSchema,
} as const;

/** A name accepted by {@linkcode jsonSchemaFor}. */
export type SchemaName = keyof typeof SCHEMA_DOCUMENTS;

/** Exports one of the contract's zod schemas as a JSON Schema (draft 2020-12) document. */
export function jsonSchemaFor(name: SchemaName): Record<string, unknown> {
  const doc = z.toJSONSchema(SCHEMA_DOCUMENTS[name], {
    target: "draft-2020-12",
    unrepresentable: "any",
  }) as Record<
    string,
    unknown
  >;
  return {
    ...doc,
    $id: `https://codexctl.dev/schema/v1/${name}.json`,
    title: `codexctl ${name} (schema_version ${SCHEMA_VERSION})`,
  };
}
