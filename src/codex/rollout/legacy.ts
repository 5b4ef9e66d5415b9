/**
 * The legacy rollout shapes (Codex ≤ 0.130, `history_mode` absent or `legacy`): the conversation is
 * an `event_msg` stream — `user_message` and `agent_message` carry the texts, `agent_reasoning…`,
 * `exec_command_end`, `patch_apply_end` and friends prove activity; a review turn is bracketed by
 * `entered_review_mode` (its target) and `exited_review_mode` (its `review_output`). The shapes both eras share
 * (session_meta, turn markers, tool calls, token counts) are in `parse.ts`.
 *
 * @module
 */
import { z } from "zod";
import { contentText, type EventReader, str } from "./fields.ts";
import { readReviewOutput, readReviewTarget } from "./review.ts";

/** `event_msg` types that only prove Codex was doing something. */
export const LEGACY_ACTIVITY_EVENTS: ReadonlySet<string> = new Set([
  "agent_reasoning",
  "agent_reasoning_raw_content",
  "agent_reasoning_section_break",
  "exec_command_end",
  "patch_apply_end",
  "mcp_tool_call_end",
  "web_search_end",
  "view_image_tool_call",
  "image_generation_end",
]);

/** `event_msg` types that are known and carry nothing the state uses. */
export const LEGACY_QUIET_EVENTS: ReadonlySet<string> = new Set([
  "context_compacted",
  "thread_rolled_back",
  "thread_name_updated",
  "undo_completed",
  "warning",
  "stream_error",
  "agent_message_delta",
  "session_configured",
]);

const MessageSchema = z.looseObject({ message: z.unknown().optional() });
const EnteredReviewSchema = z.looseObject({ target: z.unknown().optional(), user_facing_hint: str });
const ExitedReviewSchema = z.looseObject({ review_output: z.unknown().optional() });

/** A message text: a plain string or a content array. */
function messageText(message: unknown): string {
  return typeof message === "string" ? message : contentText(message);
}

/** Reads the legacy `event_msg` shapes (see {@linkcode EventReader}). */
export const legacyEvent: EventReader = (ptype, p, base, malformed) => {
  if (LEGACY_ACTIVITY_EVENTS.has(ptype)) return { ...base, k: "activity", what: ptype };
  if (LEGACY_QUIET_EVENTS.has(ptype)) return null;
  if (ptype === "entered_review_mode") {
    const m = EnteredReviewSchema.safeParse(p);
    if (!m.success) return malformed();
    return {
      ...base,
      k: "review_entered",
      target: readReviewTarget(m.data.target),
      hint: m.data.user_facing_hint ?? null,
    };
  }
  if (ptype === "exited_review_mode") {
    const m = ExitedReviewSchema.safeParse(p);
    if (!m.success) return malformed();
    return { ...base, k: "review_exited", output: readReviewOutput(m.data.review_output) };
  }
  if (ptype !== "user_message" && ptype !== "agent_message") return undefined;
  const m = MessageSchema.safeParse(p);
  if (!m.success) return malformed();
  return { ...base, k: ptype, text: messageText(m.data.message) };
};
