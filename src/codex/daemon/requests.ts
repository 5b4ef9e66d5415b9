/**
 * What Codex is waiting on, read from the daemon's server→client requests: command approvals, file
 * change approvals and request_user_input questions (codex.md §4.3), turned into plain records with
 * numbered options, and the answers codexctl sends back.
 *
 * @module
 */
import { z } from "zod";
import { usageError } from "../../errors.ts";
import {
  AnyRequestParamsSchema,
  type ApprovalDecision,
  ApprovalDecisionSchema,
  CommandApprovalParamsSchema,
  FileChangeApprovalParamsSchema,
  RpcIdSchema,
  SERVER_REQUEST_METHODS,
  UserInputParamsSchema,
} from "./protocol.ts";
import type { ServerRequest } from "./client.ts";

/** One numbered choice of a pending approval (mirrors the TUI's numbered list). */
export const ApprovalOptionSchema = z.object({
  key: z.string().regex(/^\d+$/).describe('"1", "2", … as --choice N takes it'),
  label: z.string(),
  decision: ApprovalDecisionSchema,
}).strict();
/** One numbered choice of a pending approval. */
export type ApprovalOption = z.infer<typeof ApprovalOptionSchema>;

const PendingBaseShape = {
  method: z.string().describe("the daemon's JSON-RPC method"),
  rpc_id: RpcIdSchema.describe("the daemon's JSON-RPC id on the connection that read it (not stable)"),
  key: z.string().describe(
    "a stable handle across connections: the approval id when Codex gives one, else the item (tool call) id; reply --item takes it",
  ),
  thread_id: z.string().nullable(),
  turn_id: z.string().nullable(),
  item_id: z.string().nullable(),
  started_at_ms: z.number().nullable().describe("when Codex raised it (ms since the epoch)"),
};

/** A command waiting for approval. */
export const PendingCommandApprovalSchema = z.object({
  kind: z.literal("command_approval"),
  ...PendingBaseShape,
  command: z.string().nullable().describe("exactly as Codex shows it, e.g. /bin/bash -lc 'touch x.txt'"),
  command_text: z.string().nullable().describe(
    "without the shell wrapper, e.g. touch x.txt (the TUI's $ line)",
  ),
  cwd: z.string().nullable(),
  reason: z.string().nullable(),
  available_decisions: z.array(ApprovalDecisionSchema).describe("the decisions Codex offers, in its order"),
  options: z.array(ApprovalOptionSchema).describe("the same decisions numbered for --choice N"),
  proposed_execpolicy_amendment: z.array(z.string()).nullable(),
}).strict();
/** A command waiting for approval. */
export type PendingCommandApproval = z.infer<typeof PendingCommandApprovalSchema>;

/** A file change waiting for approval. */
export const PendingFileChangeApprovalSchema = z.object({
  kind: z.literal("file_change_approval"),
  ...PendingBaseShape,
  reason: z.string().nullable(),
  grant_root: z.string().nullable().describe("a root Codex asks to write under for the session, if any"),
  available_decisions: z.array(ApprovalDecisionSchema),
  options: z.array(ApprovalOptionSchema),
}).strict();
/** A file change waiting for approval. */
export type PendingFileChangeApproval = z.infer<typeof PendingFileChangeApprovalSchema>;

/** One question of a request_user_input. */
export const PendingQuestionSchema = z.object({
  id: z.string().describe("answers are keyed by this id"),
  header: z.string().nullable(),
  question: z.string(),
  is_other: z.boolean().describe("free text is accepted besides the options"),
  is_secret: z.boolean(),
  options: z.array(
    z.object({
      key: z.string().regex(/^\d+$/),
      label: z.string(),
      description: z.string().nullable(),
      recommended: z.boolean(),
    }).strict(),
  ),
}).strict();
/** One question of a request_user_input. */
export type PendingQuestion = z.infer<typeof PendingQuestionSchema>;

/** A request_user_input (Plan mode questions). */
export const PendingUserInputSchema = z.object({
  kind: z.literal("user_input"),
  ...PendingBaseShape,
  questions: z.array(PendingQuestionSchema),
}).strict();
/** A request_user_input. */
export type PendingUserInput = z.infer<typeof PendingUserInputSchema>;

/** Any other request (permissions, MCP elicitation, dynamic tool call…): shown, not answerable here. */
export const PendingOtherRequestSchema = z.object({ kind: z.literal("other"), ...PendingBaseShape }).strict();
/** Any other request. */
export type PendingOtherRequest = z.infer<typeof PendingOtherRequestSchema>;

/** Something Codex is waiting on. */
export const PendingRequestSchema = z.discriminatedUnion("kind", [
  PendingCommandApprovalSchema,
  PendingFileChangeApprovalSchema,
  PendingUserInputSchema,
  PendingOtherRequestSchema,
]);
/** Something Codex is waiting on. */
export type PendingRequest = z.infer<typeof PendingRequestSchema>;

/** An approval request of either kind. */
export type PendingApproval = PendingCommandApproval | PendingFileChangeApproval;

const DEFAULT_DECISIONS: ApprovalDecision[] = ["accept", "acceptForSession", "decline", "cancel"];

/** Parses one server request; unknown or malformed ones become `kind: "other"` (never throws). */
export function parsePendingRequest(
  request: Pick<ServerRequest, "id" | "method" | "params">,
): PendingRequest {
  const loose = AnyRequestParamsSchema.safeParse(request.params);
  const l = loose.success ? loose.data : {};
  const base = {
    method: request.method,
    rpc_id: request.id,
    key: l.itemId ?? `rpc-${request.id}`,
    thread_id: l.threadId ?? l.conversationId ?? null,
    turn_id: l.turnId ?? null,
    item_id: l.itemId ?? null,
    started_at_ms: null,
  };
  switch (request.method) {
    case SERVER_REQUEST_METHODS.commandApproval: {
      const p = CommandApprovalParamsSchema.safeParse(request.params);
      if (!p.success) break;
      const d = p.data;
      const decisions = d.availableDecisions?.length ? d.availableDecisions : DEFAULT_DECISIONS;
      const commandText = unwrapShell(d.command ?? null) ??
        d.commandActions?.map((a) => a.command).filter((c): c is string => !!c).join(" && ") ??
        null;
      return {
        ...base,
        kind: "command_approval",
        key: d.approvalId ?? d.itemId,
        started_at_ms: d.startedAtMs ?? null,
        command: d.command ?? null,
        command_text: commandText || null,
        cwd: d.cwd ?? null,
        reason: d.reason ?? null,
        available_decisions: decisions,
        options: decisions.map((decision, i) => ({
          key: String(i + 1),
          label: decisionLabel(decision, "command", d.proposedExecpolicyAmendment ?? null),
          decision,
        })),
        proposed_execpolicy_amendment: d.proposedExecpolicyAmendment ?? null,
      };
    }
    case SERVER_REQUEST_METHODS.fileChangeApproval: {
      const p = FileChangeApprovalParamsSchema.safeParse(request.params);
      if (!p.success) break;
      const d = p.data;
      return {
        ...base,
        kind: "file_change_approval",
        started_at_ms: d.startedAtMs ?? null,
        reason: d.reason ?? null,
        grant_root: d.grantRoot ?? null,
        available_decisions: DEFAULT_DECISIONS,
        options: DEFAULT_DECISIONS.map((decision, i) => ({
          key: String(i + 1),
          label: decisionLabel(decision, "file", null),
          decision,
        })),
      };
    }
    case SERVER_REQUEST_METHODS.userInput: {
      const p = UserInputParamsSchema.safeParse(request.params);
      if (!p.success) break;
      return {
        ...base,
        kind: "user_input",
        questions: p.data.questions.map((q) => ({
          id: q.id,
          header: q.header ?? null,
          question: q.question,
          is_other: q.isOther ?? false,
          is_secret: q.isSecret ?? false,
          options: (q.options ?? []).map((o, i) => ({
            key: String(i + 1),
            label: o.label,
            description: o.description ?? null,
            recommended: /\(recommended\)/i.test(o.label),
          })),
        })),
      };
    }
  }
  return { ...base, kind: "other" };
}

/** A one-line human label for a decision. */
export function decisionLabel(
  decision: ApprovalDecision,
  what: "command" | "file",
  amendment: string[] | null,
): string {
  if (typeof decision === "string") {
    switch (decision) {
      case "accept":
        return "Yes, proceed";
      case "acceptForSession":
        return what === "file"
          ? "Yes, and don't ask again for these files this session"
          : "Yes, and don't ask again this session";
      case "decline":
        return "No, and let Codex continue without it";
      case "cancel":
        return "No, and stop the turn";
    }
  }
  const name = Object.keys(decision)[0] ?? "decision";
  if (name === "acceptWithExecpolicyAmendment") {
    return `Yes, and don't ask again for commands that start with \`${(amendment ?? []).join(" ")}\``;
  }
  return `Yes, with ${name}`;
}

/**
 * Removes the shell wrapper Codex puts around commands: `/bin/bash -lc 'touch x.txt'` →
 * `touch x.txt`. Returns null when `command` is not such a wrapper.
 */
export function unwrapShell(command: string | null): string | null {
  if (!command) return null;
  const m = command.match(/^(?:\S*\/)?(?:ba|z|da|k)?sh\s+-l?c\s+([\s\S]+)$/);
  if (!m) return command;
  const quoted = unquoteSingleWord(m[1].trim());
  return quoted ?? m[1].trim();
}

/** Reads one POSIX shell word made of single-quoted runs and `\'` escapes; null if it is not one. */
function unquoteSingleWord(word: string): string | null {
  let out = "";
  let i = 0;
  while (i < word.length) {
    if (word[i] === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) return null;
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (word[i] === "\\" && i + 1 < word.length) {
      out += word[i + 1];
      i += 2;
    } else if (word[i] === '"') {
      const end = word.indexOf('"', i + 1);
      if (end < 0) return null;
      out += word.slice(i + 1, end);
      i = end + 1;
    } else return null;
  }
  return out;
}

/** How a caller answers an approval. */
export type ApprovalAnswer = { kind: "approve" } | { kind: "reject" } | { kind: "choice"; n: number } | {
  kind: "decision";
  decision: ApprovalDecision;
};

/**
 * The decision to send for `answer`: `approve` → `accept`; `reject` → `decline` when Codex offers
 * it, else `cancel` (the TUI's "No" option); `choice N` → the N-th offered decision. Throws
 * `usage/BAD_REPLY` when the request does not offer what was asked.
 */
export function decisionFor(request: PendingApproval, answer: ApprovalAnswer): ApprovalDecision {
  const offered = request.available_decisions;
  const has = (name: string) => offered.some((d) => d === name);
  switch (answer.kind) {
    case "approve":
      if (has("accept")) return "accept";
      throw usageError(
        "BAD_REPLY",
        `Codex does not offer a plain approval for request ${request.key}`,
        offeredHint(request),
      );
    case "reject":
      if (has("decline")) return "decline";
      if (has("cancel")) return "cancel";
      throw usageError(
        "BAD_REPLY",
        `Codex offers no way to reject request ${request.key}`,
        offeredHint(request),
      );
    case "choice": {
      const option = request.options[answer.n - 1];
      if (!option) {
        throw usageError(
          "BAD_REPLY",
          `--choice ${answer.n} is out of range: request ${request.key} has ${request.options.length} options`,
          offeredHint(request),
        );
      }
      return option.decision;
    }
    case "decision": {
      const wanted = typeof answer.decision === "string" ? answer.decision : Object.keys(answer.decision)[0];
      const ok = offered.some((d) => (typeof d === "string" ? d : Object.keys(d)[0]) === wanted);
      if (!ok) {
        throw usageError(
          "BAD_REPLY",
          `Codex does not offer the decision ${wanted} for request ${request.key}`,
          offeredHint(request),
        );
      }
      return answer.decision;
    }
  }
}

function offeredHint(request: PendingApproval): string {
  return `choose one of: ${request.options.map((o) => `--choice ${o.key} (${o.label})`).join(", ")}`;
}

/** One answer to one question: an option number, an option label, or free text. */
export type QuestionAnswer = { kind: "choice"; n: number } | { kind: "text"; text: string };

/**
 * Builds the `item/tool/requestUserInput` result: `{answers: {<question id>: {answers: [..]}}}`.
 * `answers` holds one entry per question, in question order. A number picks that option; a text
 * that equals an option label (case-insensitive) picks it; other text is sent as free text, which
 * is only allowed when the question accepts it (`isOther`, or no options). Throws `usage/BAD_REPLY`.
 */
export function userInputResult(
  request: PendingUserInput,
  answers: QuestionAnswer[],
): { answers: Record<string, { answers: string[] }> } {
  if (answers.length !== request.questions.length) {
    throw usageError(
      "BAD_REPLY",
      `Codex asks ${request.questions.length} questions but ${answers.length} answer(s) were given`,
      request.questions.length > 1
        ? `give one choice per question in order, e.g. --choice ${request.questions.map(() => "1").join(",")}`
        : "give exactly one of --choice N or --text TEXT",
    );
  }
  const out: Record<string, { answers: string[] }> = {};
  request.questions.forEach((q, i) => {
    const a = answers[i];
    if (a.kind === "choice") {
      const option = q.options[a.n - 1];
      if (!option) {
        throw usageError(
          "BAD_REPLY",
          q.options.length === 0
            ? `question "${q.id}" has no options; answer it with --text`
            : `choice ${a.n} is out of range for question "${q.id}" (options 1-${q.options.length})`,
          questionHint(q),
        );
      }
      out[q.id] = { answers: [option.label] };
      return;
    }
    const text = a.text.trim();
    if (!text) throw usageError("BAD_REPLY", `the answer to question "${q.id}" is empty`, questionHint(q));
    const byLabel = q.options.find((o) => o.label.toLowerCase() === text.toLowerCase());
    if (byLabel) out[q.id] = { answers: [byLabel.label] };
    else if (q.is_other || q.options.length === 0) out[q.id] = { answers: [text] };
    else {
      throw usageError(
        "BAD_REPLY",
        `question "${q.id}" only accepts one of its options, and "${text.slice(0, 60)}" is none of them`,
        questionHint(q),
      );
    }
  });
  return { answers: out };
}

function questionHint(q: PendingQuestion): string {
  return q.options.length
    ? `options: ${q.options.map((o) => `${o.key}. ${o.label}`).join("; ")}`
    : "answer with --text TEXT";
}

/** The name of a decision (`accept`, or the key of a structured one). */
export function decisionName(decision: ApprovalDecision): string {
  return typeof decision === "string" ? decision : Object.keys(decision)[0] ?? "decision";
}
