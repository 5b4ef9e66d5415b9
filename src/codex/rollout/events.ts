/**
 * The rollout event model: one JSONL line → at most one normalised {@linkcode RolloutEvent}.
 *
 * Both format eras are understood (codex.md §2.3): legacy (`event_msg` `user_message` /
 * `agent_message` / `agent_reasoning`) and paginated (`session_meta.history_mode:"paginated"`,
 * `event_msg` `item_completed` with PascalCase items). Parsing is lenient (zod loose objects):
 * unknown fields pass, unknown line types are counted for the compatibility report.
 *
 * Speed: a line's kind is read from its first bytes (Codex writes `timestamp`, `ordinal`, `type`,
 * then `payload` with its own `type` first), so the large lines the state does not need (model
 * context, reasoning, tool output) are never decoded or JSON-parsed. Anything the head scan cannot
 * place is parsed in full.
 *
 * @module
 */
import { z } from "zod";

/** Version of this parser, reported in the compatibility block. */
export const PARSER_VERSION = "1.0.0";

/** Token usage as the rollout reports it (missing numbers are 0). */
export interface RolloutUsage {
  input: number;
  cached_input: number;
  output: number;
  reasoning_output: number;
  total: number;
}

/** One question of a `request_user_input` call. */
export interface UserInputQuestion {
  id: string;
  header: string | null;
  question: string;
  options: { label: string; description: string | null }[];
}

/** A normalised rollout event. `ts` is the line's timestamp in ms (null if absent), `offset` its byte offset. */
export type RolloutEvent =
  & { ts: number | null; offset: number }
  & (
    | {
      k: "session_meta";
      id: string;
      cwd: string | null;
      originator: string | null;
      cli_version: string | null;
      source: string | null;
      history_mode: "legacy" | "paginated";
      forked_from: string | null;
    }
    | {
      k: "turn_context";
      turn_id: string | null;
      cwd: string | null;
      approval_policy: string | null;
      sandbox: string | null;
      model: string | null;
      collaboration_mode: string | null;
    }
    | {
      k: "settings";
      model: string | null;
      approval_policy: string | null;
      collaboration_mode: string | null;
      cwd: string | null;
    }
    | {
      k: "turn_started";
      turn_id: string | null;
      context_window: number | null;
      collaboration_mode: string | null;
      trigger: string | null;
    }
    | { k: "turn_complete"; turn_id: string | null; last_agent_message: string | null; error: string | null }
    | { k: "turn_aborted"; turn_id: string | null; reason: string }
    | { k: "user_message"; text: string }
    | { k: "agent_message"; text: string }
    | { k: "plan"; text: string }
    | { k: "activity"; what: string }
    | { k: "tool_call"; call_id: string; name: string; args: Record<string, unknown> | null }
    | { k: "tool_output"; call_id: string }
    | { k: "tokens"; total: RolloutUsage | null; last: RolloutUsage | null; window: number | null }
    | { k: "goal"; objective: string | null; status: string }
    | { k: "compacted" }
    /** A line that only proves activity at `ts` (a superseded setter, see `SETTERS`). */
    | { k: "tick" }
    | { k: "error"; message: string }
    | { k: "unknown"; type: string }
  );

/** Counters kept while parsing, for the compatibility report. */
export interface ParseStats {
  lines: number;
  /** Lines of a known kind (used or deliberately ignored). */
  known: number;
  /** Lines decided from their first bytes only. */
  head_only: number;
  invalid_json: number;
  /** Known kinds whose content did not have the expected shape. */
  malformed: number;
  /** Unknown kinds: `type` or `type/payload.type` → count. */
  unknown: Record<string, number>;
  oversized: number;
}

/** Fresh counters. */
export function newStats(): ParseStats {
  return { lines: 0, known: 0, head_only: 0, invalid_json: 0, malformed: 0, unknown: {}, oversized: 0 };
}

const TOP_KINDS = new Set([
  "session_meta",
  "response_item",
  "event_msg",
  "turn_context",
  "compacted",
  "world_state",
  "token_usage_record",
  "retained_context",
  "inter_agent_communication",
  "inter_agent_communication_metadata",
  "security_risk_score",
  "realtime_item",
]);

/** `response_item` payload types the state does not need. */
const IGNORED_ITEMS = new Set([
  "message",
  "reasoning",
  "web_search_call",
  "image_generation_call",
  "compaction",
  "tool_search_call",
  "tool_search_output",
]);
const OUTPUT_ITEMS = new Set(["function_call_output", "custom_tool_call_output", "local_shell_call_output"]);
const CALL_ITEMS = new Set(["function_call", "custom_tool_call", "local_shell_call"]);

/** `event_msg` types that only prove Codex was doing something. */
const ACTIVITY_EVENTS = new Set([
  "agent_reasoning",
  "agent_reasoning_raw_content",
  "agent_reasoning_section_break",
  "exec_command_end",
  "patch_apply_end",
  "mcp_tool_call_end",
  "web_search_end",
  "view_image_tool_call",
  "image_generation_end",
  "entered_review_mode",
  "exited_review_mode",
]);
/** `event_msg` types that are known and carry nothing the state uses. */
const QUIET_EVENTS = new Set([
  "context_compacted",
  "thread_rolled_back",
  "thread_name_updated",
  "undo_completed",
  "warning",
  "stream_error",
  "agent_message_delta",
  "session_configured",
]);
const PARSED_EVENTS = new Set([
  "task_started",
  "turn_started",
  "task_complete",
  "turn_complete",
  "turn_aborted",
  "token_count",
  "thread_settings_applied",
  "item_completed",
  "user_message",
  "agent_message",
  "error",
  "thread_goal_updated",
]);

const utf8 = new TextDecoder("utf-8");
/** The first bytes hold timestamp, ordinal, type and payload type (≈ 120 characters). */
const HEAD_BYTES = 160;
/** Fields further in (a call id after an item id, an item type after thread and turn ids). */
const WIDE_HEAD_BYTES = 384;

/** What a line's first bytes say about it. */
export interface Head {
  ts: number | null;
  type: string | null;
  ptype: string | null;
  /** The line's first characters (the fields Codex writes first are all in there). */
  text: string;
}

/** Reads timestamp, type and payload type from a line's first bytes (UTF-8 decoding is cheap there). */
export function scanHead(bytes: Uint8Array): Head {
  const text = utf8.decode(bytes.subarray(0, Math.min(bytes.length, HEAD_BYTES)));
  const payloadAt = text.indexOf('"payload":');
  const typeAt = text.indexOf('"type":"');
  let type: string | null = null;
  if (typeAt !== -1 && (payloadAt === -1 || typeAt < payloadAt)) {
    const end = text.indexOf('"', typeAt + 8);
    if (end !== -1) type = text.slice(typeAt + 8, end);
  }
  let ptype: string | null = null;
  if (payloadAt !== -1 && text.startsWith('{"type":"', payloadAt + 10)) {
    const start = payloadAt + 19;
    const end = text.indexOf('"', start);
    if (end !== -1) ptype = text.slice(start, end);
  }
  let ts: number | null = null;
  if (text.startsWith('{"timestamp":"')) {
    ts = isoMillis(text, 14);
    if (ts === null) {
      const end = text.indexOf('"', 14);
      const t = end === -1 ? NaN : Date.parse(text.slice(14, end));
      ts = Number.isNaN(t) ? null : t;
    }
  }
  return { ts, type, ptype, text };
}

/** Parses `YYYY-MM-DDTHH:MM:SS.mmmZ` (how Codex writes timestamps) at `at`; null for any other form. */
function isoMillis(t: string, at: number): number | null {
  if (
    t.charCodeAt(at + 4) !== 45 || t.charCodeAt(at + 10) !== 84 || t.charCodeAt(at + 19) !== 46 ||
    t.charCodeAt(at + 23) !== 90
  ) return null;
  let ok = true;
  const n = (i: number, len: number) => {
    let v = 0;
    for (let k = 0; k < len; k++) {
      const d = t.charCodeAt(at + i + k) - 48;
      if (d < 0 || d > 9) ok = false;
      v = v * 10 + d;
    }
    return v;
  };
  const ms = Date.UTC(n(0, 4), n(5, 2) - 1, n(8, 2), n(11, 2), n(14, 2), n(17, 2), n(20, 3));
  return ok ? ms : null;
}

/** The head text, widened to {@linkcode WIDE_HEAD_BYTES} when the line is longer than the short head. */
function wideHead(bytes: Uint8Array, head: Head): string {
  return bytes.length > HEAD_BYTES
    ? utf8.decode(bytes.subarray(0, Math.min(bytes.length, WIDE_HEAD_BYTES)))
    : head.text;
}

/** A plain string field (`"key":"value"`) found in the head, or null. */
function headField(head: string, key: string): string | null {
  const at = head.indexOf(`"${key}":"`);
  if (at === -1) return null;
  const start = at + key.length + 4;
  const end = head.indexOf('"', start);
  return end === -1 ? null : head.slice(start, end);
}

const str = z.string().nullish().catch(null);
const num = z.number().nullish().catch(null);

const UsageSchema = z.looseObject({
  input_tokens: num,
  cached_input_tokens: num,
  output_tokens: num,
  reasoning_output_tokens: num,
  total_tokens: num,
}).nullish().catch(null);

function usage(u: z.infer<typeof UsageSchema>): RolloutUsage | null {
  if (!u) return null;
  const input = u.input_tokens ?? 0;
  const output = u.output_tokens ?? 0;
  return {
    input,
    cached_input: u.cached_input_tokens ?? 0,
    output,
    reasoning_output: u.reasoning_output_tokens ?? 0,
    total: u.total_tokens ?? input + output,
  };
}

const SessionMetaSchema = z.looseObject({
  id: z.string(),
  cwd: str,
  originator: str,
  cli_version: str,
  source: z.unknown().optional(),
  history_mode: str,
  forked_from_id: str,
});
const TurnContextSchema = z.looseObject({
  turn_id: str,
  cwd: str,
  approval_policy: z.unknown().optional(),
  sandbox_policy: z.unknown().optional(),
  model: str,
  collaboration_mode: z.unknown().optional(),
});
const EventSchemas = {
  task_started: z.looseObject({
    turn_id: str,
    model_context_window: num,
    collaboration_mode_kind: str,
    turn_attribution: z.looseObject({ turn_trigger: str }).nullish().catch(null),
  }),
  task_complete: z.looseObject({ turn_id: str, last_agent_message: str, error: z.unknown().optional() }),
  turn_aborted: z.looseObject({ turn_id: str, reason: str }),
  token_count: z.looseObject({
    info: z.looseObject({
      total_token_usage: UsageSchema,
      last_token_usage: UsageSchema,
      model_context_window: num,
    }).nullish().catch(null),
  }),
  thread_settings_applied: z.looseObject({
    thread_settings: z.looseObject({
      model: str,
      approval_policy: z.unknown().optional(),
      collaboration_mode: z.unknown().optional(),
      cwd: str,
    }).nullish().catch(null),
  }),
  item_completed: z.looseObject({
    item: z.looseObject({ type: z.string(), text: z.unknown().optional(), content: z.unknown().optional() }),
  }),
  user_message: z.looseObject({ message: z.unknown().optional() }),
  agent_message: z.looseObject({ message: z.unknown().optional() }),
  error: z.looseObject({ message: str }),
  thread_goal_updated: z.looseObject({
    goal: z.looseObject({ objective: str, text: str, status: str }).nullish().catch(null),
  }),
};
const FunctionCallSchema = z.looseObject({
  call_id: z.string(),
  name: z.string(),
  arguments: z.unknown().optional(),
  input: z.unknown().optional(),
});

/** Renders a policy/mode/source value that may be a string or a tagged object. */
function label(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.mode === "string") return o.mode;
    if (typeof o.type === "string") return o.type;
    const keys = Object.keys(o);
    if (keys.length === 1) return keys[0];
  }
  return JSON.stringify(value).slice(0, 80);
}

/** Joins the text parts of a content array (`[{type, text}]`) or returns a string as is. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((
    c,
  ) => (c && typeof c === "object" && typeof (c as { text?: unknown }).text === "string"
    ? (c as { text: string }).text
    : "")
  )
    .join("");
}

function parseArgs(raw: unknown): Record<string, unknown> | null {
  if (raw && typeof raw === "object" && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw !== "string") return null;
  try {
    const v = JSON.parse(raw);
    return v && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * Parses one rollout line. Returns null for lines the state deliberately ignores. Updates `stats`.
 */
export function parseLine(
  bytes: Uint8Array,
  offset: number,
  stats: ParseStats,
  head: Head = scanHead(bytes),
): RolloutEvent | null {
  stats.lines++;
  const ts = head.ts;
  // decide from the head when we can
  if (head.type && TOP_KINDS.has(head.type)) {
    if (
      head.type === "world_state" || head.type === "token_usage_record" || head.type === "retained_context" ||
      head.type.startsWith("inter_agent") || head.type === "security_risk_score" ||
      head.type === "realtime_item"
    ) {
      stats.known++;
      stats.head_only++;
      return null;
    }
    if (head.type === "compacted") {
      stats.known++;
      stats.head_only++;
      return { k: "compacted", ts, offset };
    }
    if (head.type === "response_item" && head.ptype) {
      if (IGNORED_ITEMS.has(head.ptype)) {
        stats.known++;
        stats.head_only++;
        return null;
      }
      if (OUTPUT_ITEMS.has(head.ptype)) {
        const callId = headField(wideHead(bytes, head), "call_id");
        if (callId) {
          stats.known++;
          stats.head_only++;
          return { k: "tool_output", call_id: callId, ts, offset };
        }
      }
    }
    if (head.type === "event_msg" && head.ptype) {
      if (ACTIVITY_EVENTS.has(head.ptype)) {
        stats.known++;
        stats.head_only++;
        return { k: "activity", what: head.ptype, ts, offset };
      }
      if (QUIET_EVENTS.has(head.ptype)) {
        stats.known++;
        stats.head_only++;
        return null;
      }
      if (head.ptype === "item_completed") {
        const itemType = headField(wideHead(bytes, head), 'item":{"type');
        if (itemType !== null) {
          if (itemType !== "UserMessage" && itemType !== "AgentMessage" && itemType !== "Plan") {
            stats.known++;
            stats.head_only++;
            return { k: "activity", what: itemType, ts, offset };
          }
        }
      }
    }
  }
  // otherwise parse in full
  let rec: unknown;
  try {
    rec = JSON.parse(utf8.decode(bytes));
  } catch {
    stats.invalid_json++;
    return null;
  }
  if (!rec || typeof rec !== "object" || Array.isArray(rec)) {
    stats.invalid_json++;
    return null;
  }
  const line = rec as Record<string, unknown>;
  const type = typeof line.type === "string" ? line.type : null;
  const payload = (line.payload && typeof line.payload === "object" ? line.payload : {}) as Record<
    string,
    unknown
  >;
  const fullTs = ts ??
    (typeof line.timestamp === "string" && !Number.isNaN(Date.parse(line.timestamp))
      ? Date.parse(line.timestamp)
      : null);
  const event = normalise(type, payload, fullTs, offset, stats);
  if (event === undefined) {
    const key = type === null
      ? "<no-type>"
      : typeof payload.type === "string"
      ? `${type}/${payload.type}`
      : type;
    stats.unknown[key] = (stats.unknown[key] ?? 0) + 1;
    return { k: "unknown", type: key, ts: fullTs, offset };
  }
  stats.known++;
  return event;
}

/** Maps a parsed line to an event; null = known but ignored; undefined = unknown kind. */
function normalise(
  type: string | null,
  p: Record<string, unknown>,
  ts: number | null,
  offset: number,
  stats: ParseStats,
): RolloutEvent | null | undefined {
  const base = { ts, offset };
  const malformed = () => {
    stats.malformed++;
    return null;
  };
  switch (type) {
    case "session_meta": {
      const m = SessionMetaSchema.safeParse(p);
      if (!m.success) return malformed();
      return {
        ...base,
        k: "session_meta",
        id: m.data.id,
        cwd: m.data.cwd ?? null,
        originator: m.data.originator ?? null,
        cli_version: m.data.cli_version ?? null,
        source: label(m.data.source),
        history_mode: m.data.history_mode === "paginated" ? "paginated" : "legacy",
        forked_from: m.data.forked_from_id ?? null,
      };
    }
    case "turn_context": {
      const m = TurnContextSchema.safeParse(p);
      if (!m.success) return malformed();
      return {
        ...base,
        k: "turn_context",
        turn_id: m.data.turn_id ?? null,
        cwd: m.data.cwd ?? null,
        approval_policy: label(m.data.approval_policy),
        sandbox: label(m.data.sandbox_policy),
        model: m.data.model ?? null,
        collaboration_mode: label(m.data.collaboration_mode),
      };
    }
    case "compacted":
      return { ...base, k: "compacted" };
    case "world_state":
    case "token_usage_record":
    case "retained_context":
    case "inter_agent_communication":
    case "inter_agent_communication_metadata":
    case "security_risk_score":
    case "realtime_item":
      return null;
    case "response_item":
      return normaliseItem(p, base, malformed);
    case "event_msg":
      return normaliseEvent(p, base, malformed);
    default:
      return undefined;
  }
}

function normaliseItem(
  p: Record<string, unknown>,
  base: { ts: number | null; offset: number },
  malformed: () => null,
): RolloutEvent | null | undefined {
  const ptype = typeof p.type === "string" ? p.type : "";
  if (IGNORED_ITEMS.has(ptype)) return null;
  if (OUTPUT_ITEMS.has(ptype)) {
    // outputs without a call id exist (e.g. 0.169's injected `goal_objective`): nothing to match
    return typeof p.call_id === "string" ? { ...base, k: "tool_output", call_id: p.call_id } : null;
  }
  if (CALL_ITEMS.has(ptype)) {
    if (ptype === "local_shell_call") {
      const callId = typeof p.call_id === "string" ? p.call_id : typeof p.id === "string" ? p.id : null;
      return callId
        ? {
          ...base,
          k: "tool_call",
          call_id: callId,
          name: "local_shell",
          args: (p.action as Record<string, unknown>) ?? null,
        }
        : malformed();
    }
    const m = FunctionCallSchema.safeParse(p);
    if (!m.success) return malformed();
    const args = ptype === "custom_tool_call"
      ? { input: typeof m.data.input === "string" ? m.data.input.slice(0, 2000) : null }
      : parseArgs(m.data.arguments);
    return { ...base, k: "tool_call", call_id: m.data.call_id, name: m.data.name, args };
  }
  return undefined;
}

function normaliseEvent(
  p: Record<string, unknown>,
  base: { ts: number | null; offset: number },
  malformed: () => null,
): RolloutEvent | null | undefined {
  const ptype = typeof p.type === "string" ? p.type : "";
  if (ACTIVITY_EVENTS.has(ptype)) return { ...base, k: "activity", what: ptype };
  if (QUIET_EVENTS.has(ptype)) return null;
  if (!PARSED_EVENTS.has(ptype)) return undefined;
  switch (ptype) {
    case "task_started":
    case "turn_started": {
      const m = EventSchemas.task_started.safeParse(p);
      if (!m.success) return malformed();
      return {
        ...base,
        k: "turn_started",
        turn_id: m.data.turn_id ?? null,
        context_window: m.data.model_context_window ?? null,
        collaboration_mode: m.data.collaboration_mode_kind ?? null,
        trigger: m.data.turn_attribution?.turn_trigger ?? null,
      };
    }
    case "task_complete":
    case "turn_complete": {
      const m = EventSchemas.task_complete.safeParse(p);
      if (!m.success) return malformed();
      const err = m.data.error;
      const error = err === null || err === undefined
        ? null
        : typeof err === "string"
        ? err
        : typeof (err as { message?: unknown }).message === "string"
        ? (err as { message: string }).message
        : JSON.stringify(err).slice(0, 300);
      return {
        ...base,
        k: "turn_complete",
        turn_id: m.data.turn_id ?? null,
        last_agent_message: m.data.last_agent_message ?? null,
        error,
      };
    }
    case "turn_aborted": {
      const m = EventSchemas.turn_aborted.safeParse(p);
      if (!m.success) return malformed();
      return {
        ...base,
        k: "turn_aborted",
        turn_id: m.data.turn_id ?? null,
        reason: m.data.reason ?? "interrupted",
      };
    }
    case "token_count": {
      const m = EventSchemas.token_count.safeParse(p);
      if (!m.success) return malformed();
      const info = m.data.info;
      if (!info) return null;
      return {
        ...base,
        k: "tokens",
        total: usage(info.total_token_usage),
        last: usage(info.last_token_usage),
        window: info.model_context_window ?? null,
      };
    }
    case "thread_settings_applied": {
      const m = EventSchemas.thread_settings_applied.safeParse(p);
      if (!m.success) return malformed();
      const s = m.data.thread_settings;
      if (!s) return null;
      return {
        ...base,
        k: "settings",
        model: s.model ?? null,
        approval_policy: label(s.approval_policy),
        collaboration_mode: label(s.collaboration_mode),
        cwd: s.cwd ?? null,
      };
    }
    case "item_completed": {
      const m = EventSchemas.item_completed.safeParse(p);
      if (!m.success) return malformed();
      const item = m.data.item;
      if (item.type === "UserMessage") return { ...base, k: "user_message", text: contentText(item.content) };
      if (item.type === "AgentMessage") {
        return { ...base, k: "agent_message", text: contentText(item.content) };
      }
      if (item.type === "Plan") {
        return {
          ...base,
          k: "plan",
          text: typeof item.text === "string" ? item.text : contentText(item.content),
        };
      }
      return { ...base, k: "activity", what: item.type };
    }
    case "user_message": {
      const m = EventSchemas.user_message.safeParse(p);
      if (!m.success) return malformed();
      return {
        ...base,
        k: "user_message",
        text: typeof m.data.message === "string" ? m.data.message : contentText(m.data.message),
      };
    }
    case "agent_message": {
      const m = EventSchemas.agent_message.safeParse(p);
      if (!m.success) return malformed();
      return {
        ...base,
        k: "agent_message",
        text: typeof m.data.message === "string" ? m.data.message : contentText(m.data.message),
      };
    }
    case "error": {
      const m = EventSchemas.error.safeParse(p);
      return m.success ? { ...base, k: "error", message: m.data.message ?? "error" } : malformed();
    }
    case "thread_goal_updated": {
      const m = EventSchemas.thread_goal_updated.safeParse(p);
      if (!m.success || !m.data.goal) return malformed();
      return {
        ...base,
        k: "goal",
        objective: m.data.goal.objective ?? m.data.goal.text ?? null,
        status: m.data.goal.status ?? "unknown",
      };
    }
  }
  return undefined;
}

/**
 * Lines that only overwrite state fields ("setters"): within one read, only the last of each kind
 * decides those fields, so earlier ones need not be parsed — as long as the last one sets every
 * field the kind can set (see `settles`); otherwise all of them are parsed.
 */
export const SETTERS: ReadonlySet<string> = new Set([
  "event_msg/token_count",
  "turn_context/",
  "event_msg/thread_settings_applied",
]);

/** The setter key of a line from its head (`type/payload.type`), or null when it is not a setter. */
export function setterKey(head: Head): string | null {
  if (head.type === "turn_context") return "turn_context/";
  if (head.type !== "event_msg") return null;
  if (head.ptype === "token_count") return "event_msg/token_count";
  if (head.ptype === "thread_settings_applied") return "event_msg/thread_settings_applied";
  return null;
}

/** True when a parsed setter event writes every field its kind can write (so earlier ones are moot). */
export function settles(event: RolloutEvent | null): boolean {
  if (!event) return false;
  switch (event.k) {
    case "tokens":
      return event.total !== null && event.last !== null && event.window !== null;
    case "turn_context":
      return event.cwd !== null && event.model !== null && event.approval_policy !== null &&
        event.sandbox !== null && event.collaboration_mode !== null;
    case "settings":
      return event.model !== null && event.approval_policy !== null && event.collaboration_mode !== null &&
        event.cwd !== null;
    default:
      return false;
  }
}

/** Parses the `questions` argument of a `request_user_input` call. */
export function userInputQuestions(args: Record<string, unknown> | null): UserInputQuestion[] {
  const Q = z.array(z.looseObject({
    id: z.string().catch(""),
    header: str,
    question: z.string().catch(""),
    options: z.array(z.looseObject({ label: z.string().catch(""), description: str })).nullish().catch(null),
  })).catch([]);
  return Q.parse(args?.questions ?? []).map((q, i) => ({
    id: q.id || `q${i + 1}`,
    header: q.header ?? null,
    question: q.question,
    options: (q.options ?? []).map((o) => ({ label: o.label, description: o.description ?? null })),
  }));
}
