/**
 * The app-server JSON-RPC as the Codex daemon speaks it (codex.md §4.1–4.3): JSON-RPC 2.0 without the
 * `"jsonrpc"` field, one message per WebSocket text frame. These zod schemas read what the daemon
 * sends leniently (Codex adds fields freely) but never trust a shape they did not check.
 *
 * @module
 */
import { z } from "zod";

/** A JSON-RPC id: the daemon numbers its own requests from 0; ours are numbers too. */
export const RpcIdSchema = z.union([z.number().int(), z.string().max(200)]);
/** A JSON-RPC id. */
export type RpcId = z.infer<typeof RpcIdSchema>;

const RpcErrorSchema = z.looseObject({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});

/** Any message on the wire, before it is classified. */
const WireSchema = z.looseObject({
  id: RpcIdSchema.nullable().optional(),
  method: z.string().min(1).max(200).optional(),
  params: z.unknown().optional(),
  result: z.unknown().optional(),
  error: RpcErrorSchema.optional(),
});

/** One classified incoming message. */
export type IncomingMessage =
  | { type: "response"; id: RpcId; result: unknown }
  | { type: "error"; id: RpcId | null; code: number; message: string }
  | { type: "notification"; method: string; params: unknown }
  | { type: "request"; id: RpcId; method: string; params: unknown };

/**
 * Classifies one parsed frame. Returns null for anything that is not a JSON-RPC message (the
 * caller treats that as a protocol violation).
 */
export function classifyMessage(value: unknown): IncomingMessage | null {
  const parsed = WireSchema.safeParse(value);
  if (!parsed.success) return null;
  const m = parsed.data;
  if (m.method !== undefined) {
    if (m.id === undefined || m.id === null) {
      return { type: "notification", method: m.method, params: m.params };
    }
    return { type: "request", id: m.id, method: m.method, params: m.params };
  }
  if (m.error !== undefined) {
    return { type: "error", id: m.id ?? null, code: m.error.code, message: m.error.message };
  }
  if (m.id !== undefined && m.id !== null && "result" in m) {
    return { type: "response", id: m.id, result: m.result };
  }
  return null;
}

/** The `initialize` result. */
export const InitializeResultSchema = z.looseObject({
  userAgent: z.string().max(1000).optional(),
  codexHome: z.string().max(4096).optional(),
  platformFamily: z.string().max(100).optional(),
  platformOs: z.string().max(100).optional(),
});
/** The `initialize` result. */
export type InitializeResult = z.infer<typeof InitializeResultSchema>;

/** Extracts the Codex version from a user agent such as `codex-tui/0.169.0 (Debian …)`. */
export function versionFromUserAgent(userAgent: string | undefined | null): string | null {
  const m = userAgent?.match(/^[^/\s]+\/(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/);
  return m ? m[1] : null;
}

/** `ThreadStatus`: `notLoaded | idle | systemError | active{activeFlags}` (unknown types kept). */
export const ThreadStatusSchema = z.looseObject({
  type: z.string().max(100),
  activeFlags: z.array(z.string().max(100)).max(50).optional(),
});
/** A thread status as the daemon reports it. */
export type DaemonThreadStatus = z.infer<typeof ThreadStatusSchema>;

const nullableString = z.string().nullable().optional();

/** The thread object of `thread/resume` and `thread/started` (only the fields codexctl reads). */
export const ThreadSchema = z.looseObject({
  id: z.string().min(1).max(200),
  status: ThreadStatusSchema.optional(),
  path: nullableString,
  cwd: nullableString,
  model: nullableString,
  modelProvider: nullableString,
  cliVersion: nullableString,
  source: z.unknown().optional(),
  name: nullableString,
  preview: nullableString,
  ephemeral: z.boolean().optional(),
});
/** A thread. */
export type Thread = z.infer<typeof ThreadSchema>;

/** The `thread/resume` result. */
export const ThreadResumeResultSchema = z.looseObject({
  thread: ThreadSchema,
  model: nullableString,
  approvalPolicy: z.unknown().optional(),
  sandbox: z.unknown().optional(),
  cwd: nullableString,
});

/** The `thread/loaded/list` result. */
export const LoadedListResultSchema = z.looseObject({
  data: z.array(z.string().max(200)).max(10_000),
  nextCursor: z.string().max(10_000).nullable().optional(),
});

/** A turn, as `turn/start`, `turn/started`, `turn/completed` and `thread/turns/list` carry it. */
export const TurnSchema = z.looseObject({
  id: z.string().min(1).max(200),
  status: z.string().max(100).optional(),
  error: z.unknown().optional(),
});

/** The `turn/start` result. */
export const TurnStartResultSchema = z.looseObject({ turn: TurnSchema });

/** The `thread/turns/list` result. */
export const TurnsListResultSchema = z.looseObject({
  data: z.array(TurnSchema).max(1000),
  nextCursor: z.string().max(10_000).nullable().optional(),
});

/** `turn/started` and `turn/completed` params. */
export const TurnNotificationSchema = z.looseObject({ threadId: z.string(), turn: TurnSchema });

/** `thread/status/changed` params. */
export const ThreadStatusChangedSchema = z.looseObject({ threadId: z.string(), status: ThreadStatusSchema });

/** `serverRequest/resolved` params. */
export const ServerRequestResolvedSchema = z.looseObject({
  threadId: z.string().optional(),
  requestId: RpcIdSchema,
});

/** The server→client request methods codexctl knows how to answer. */
export const SERVER_REQUEST_METHODS = {
  commandApproval: "item/commandExecution/requestApproval",
  fileChangeApproval: "item/fileChange/requestApproval",
  userInput: "item/tool/requestUserInput",
} as const;

/** A command approval decision the daemon accepts (the amendment forms are passed through). */
export const ApprovalDecisionSchema = z.union([
  z.enum(["accept", "acceptForSession", "decline", "cancel"]),
  z.record(z.string().max(100), z.unknown()).refine((o) => Object.keys(o).length === 1, {
    error: "a structured decision has exactly one key",
  }),
]);
/** A decision: `accept`, `acceptForSession`, `decline`, `cancel`, or a one-key object such as `{acceptWithExecpolicyAmendment:{…}}`. */
export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** `item/commandExecution/requestApproval` params. */
export const CommandApprovalParamsSchema = z.looseObject({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  approvalId: nullableString,
  kind: z.string().max(100).optional(),
  startedAtMs: z.number().optional(),
  reason: nullableString,
  command: nullableString,
  cwd: nullableString,
  commandActions: z.array(z.looseObject({ type: z.string().optional(), command: z.string().optional() }))
    .nullable().optional(),
  proposedExecpolicyAmendment: z.array(z.string()).nullable().optional(),
  availableDecisions: z.array(ApprovalDecisionSchema).max(20).nullable().optional(),
});

/** `item/fileChange/requestApproval` params. */
export const FileChangeApprovalParamsSchema = z.looseObject({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  startedAtMs: z.number().optional(),
  reason: nullableString,
  grantRoot: nullableString,
});

/** One question of `item/tool/requestUserInput`. */
export const UserInputQuestionSchema = z.looseObject({
  id: z.string().min(1).max(200),
  header: z.string().max(1000).nullable().optional(),
  question: z.string().max(20_000),
  isOther: z.boolean().optional(),
  isSecret: z.boolean().optional(),
  options: z.array(z.looseObject({
    label: z.string().max(1000),
    description: z.string().max(5000).nullable().optional(),
  })).max(100).nullable().optional(),
});

/** `item/tool/requestUserInput` params. */
export const UserInputParamsSchema = z.looseObject({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  questions: z.array(UserInputQuestionSchema).min(1).max(50),
  isBlocking: z.boolean().optional(),
});

/** The loosest reading of any server request's params: which thread, turn and item it is about. */
export const AnyRequestParamsSchema = z.looseObject({
  threadId: z.string().optional(),
  conversationId: z.string().optional(),
  turnId: z.string().optional(),
  itemId: z.string().optional(),
});
