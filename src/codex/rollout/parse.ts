/**
 * One rollout line → at most one normalised {@linkcode RolloutEvent}: the shapes both format eras
 * share (`session_meta`, `turn_context`, `compacted`, `response_item` tool calls and outputs, and
 * the `event_msg` turn markers, token counts and errors), with the era-specific shapes delegated to
 * `legacy.ts` (≤ 0.130) and `paginated.ts` (0.150+). Parsing is lenient (zod loose objects):
 * unknown fields pass, unknown line types are counted for the compatibility report.
 *
 * Speed: a line's kind is read from its first bytes (`head.ts`), so the large lines the state does
 * not need are never decoded or JSON-parsed. Anything the head scan cannot place is parsed in full.
 *
 * @module
 */
import { z } from "zod";
import { countUnknown, type EventAt, type ParseStats, type RolloutEvent } from "./events.ts";
import { type EventReader, label, num, parseArgs, str, usage, UsageSchema } from "./fields.ts";
import { type Head, headField, scanHead, wideHead } from "./head.ts";
import { LEGACY_ACTIVITY_EVENTS, LEGACY_QUIET_EVENTS, legacyEvent } from "./legacy.ts";
import { PAGINATED_QUIET_LINES, paginatedEvent, paginatedHeadEvent } from "./paginated.ts";
import { jsonObject } from "../../json.ts";

/** Top-level line types both eras write (the paginated era adds `PAGINATED_QUIET_LINES`). */
const COMMON_LINES = new Set(["session_meta", "response_item", "event_msg", "turn_context", "compacted"]);

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

const utf8 = new TextDecoder("utf-8");

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
  error: z.looseObject({ message: str }),
};
const FunctionCallSchema = z.looseObject({
  call_id: z.string(),
  name: z.string(),
  arguments: z.unknown().optional(),
  input: z.unknown().optional(),
});

/** Decides a line from its first bytes when they suffice (undefined: parse it in full). */
function fromHead(bytes: Uint8Array, head: Head, at: EventAt): RolloutEvent | null | undefined {
  const type = head.type;
  if (!type || !(COMMON_LINES.has(type) || PAGINATED_QUIET_LINES.has(type))) return undefined;
  if (PAGINATED_QUIET_LINES.has(type)) return null;
  if (type === "compacted") return { ...at, k: "compacted" };
  if (type === "response_item" && head.ptype) {
    if (IGNORED_ITEMS.has(head.ptype)) return null;
    if (OUTPUT_ITEMS.has(head.ptype)) {
      const callId = headField(wideHead(bytes, head), "call_id");
      if (callId) return { ...at, k: "tool_output", call_id: callId };
    }
  }
  if (type === "event_msg" && head.ptype) {
    if (LEGACY_ACTIVITY_EVENTS.has(head.ptype)) return { ...at, k: "activity", what: head.ptype };
    if (LEGACY_QUIET_EVENTS.has(head.ptype)) return null;
    const item = paginatedHeadEvent(bytes, head, at);
    if (item) return item;
  }
  return undefined;
}

/**
 * True when a line's first bytes decide what it means to the state (a tool output, a context
 * message, reasoning, an activity item, a quiet line …), so the rest of a long line need not be
 * read into memory: {@linkcode parseLine} gives the same event for those bytes as for the whole
 * line. Setters (see {@linkcode SETTERS}) are always read whole.
 */
export function headDecides(bytes: Uint8Array): boolean {
  const head = scanHead(bytes);
  return setterKey(head) === null && fromHead(bytes, head, { ts: head.ts, offset: 0 }) !== undefined;
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
  const quick = fromHead(bytes, head, { ts, offset });
  if (quick !== undefined) {
    stats.known++;
    stats.head_only++;
    return quick;
  }
  // otherwise parse in full
  const line = jsonObject(utf8.decode(bytes));
  if (!line) {
    stats.invalid_json++;
    return null;
  }
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
    const counted = countUnknown(stats, key);
    return { k: "unknown", type: counted, ts: fullTs, offset };
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
    case "response_item":
      return normaliseItem(p, base, malformed);
    case "event_msg": {
      const ptype = typeof p.type === "string" ? p.type : "";
      for (const read of EVENT_READERS) {
        const event = read(ptype, p, base, malformed);
        if (event !== undefined) return event;
      }
      return undefined;
    }
    default:
      return type !== null && PAGINATED_QUIET_LINES.has(type) ? null : undefined;
  }
}

function normaliseItem(
  p: Record<string, unknown>,
  base: EventAt,
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

/** Reads the `event_msg` shapes both eras write: turn markers, token counts, errors. */
const commonEvent: EventReader = (ptype, p, base, malformed) => {
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
    case "error": {
      const m = EventSchemas.error.safeParse(p);
      return m.success ? { ...base, k: "error", message: m.data.message ?? "error" } : malformed();
    }
  }
  return undefined;
};

/** Every reader of `event_msg` shapes, asked in turn until one knows the shape. */
const EVENT_READERS: readonly EventReader[] = [commonEvent, legacyEvent, paginatedEvent];

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
