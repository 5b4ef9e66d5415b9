/**
 * The paginated rollout shapes (Codex 0.150+, `session_meta.history_mode: "paginated"`): the
 * conversation is written as `event_msg` `item_completed` lines with PascalCase items
 * (`UserMessage`, `AgentMessage`, `Plan`, a review turn's `EnteredReviewMode` and
 * `ExitedReviewMode` with its `review_output`, and items that only prove activity such as
 * `CommandExecution`), settings as `thread_settings_applied`, goals as `thread_goal_updated`, plus
 * top-level line types that carry nothing the state uses (`world_state`, `token_usage_record`, …).
 * The shapes both eras share (session_meta, turn markers, tool calls, token counts) are in
 * `parse.ts`.
 *
 * @module
 */
import { z } from "zod";
import type { EventAt, RolloutEvent } from "./events.ts";
import { contentText, type EventReader, label, str } from "./fields.ts";
import { type Head, headField, wideHead } from "./head.ts";
import { readReviewOutput, readReviewTarget } from "./review.ts";

/** Top-level line types that are known and carry nothing the state uses. */
export const PAGINATED_QUIET_LINES: ReadonlySet<string> = new Set([
  "world_state",
  "token_usage_record",
  "retained_context",
  "inter_agent_communication",
  "inter_agent_communication_metadata",
  "security_risk_score",
  "realtime_item",
]);

/** Items whose content the state reads (every other item only proves activity). */
const TEXT_ITEMS = new Set(["UserMessage", "AgentMessage", "Plan", "EnteredReviewMode", "ExitedReviewMode"]);

const ItemCompletedSchema = z.looseObject({
  item: z.looseObject({
    type: z.string(),
    text: z.unknown().optional(),
    content: z.unknown().optional(),
    target: z.unknown().optional(),
    user_facing_hint: str,
    review_output: z.unknown().optional(),
  }),
});
const SettingsSchema = z.looseObject({
  thread_settings: z.looseObject({
    model: str,
    approval_policy: z.unknown().optional(),
    collaboration_mode: z.unknown().optional(),
    cwd: str,
  }).nullish().catch(null),
});
const GoalSchema = z.looseObject({
  goal: z.looseObject({ objective: str, text: str, status: str }).nullish().catch(null),
});

/**
 * An `item_completed` line decided from its first bytes: an activity item needs no parse. Null when
 * the head cannot tell (the line is parsed in full).
 */
export function paginatedHeadEvent(bytes: Uint8Array, head: Head, at: EventAt): RolloutEvent | null {
  if (head.ptype !== "item_completed") return null;
  const itemType = headField(wideHead(bytes, head), 'item":{"type');
  if (itemType === null || TEXT_ITEMS.has(itemType)) return null;
  return { ...at, k: "activity", what: itemType };
}

/** Reads the paginated `event_msg` shapes (see {@linkcode EventReader}). */
export const paginatedEvent: EventReader = (ptype, p, base, malformed) => {
  switch (ptype) {
    case "item_completed": {
      const m = ItemCompletedSchema.safeParse(p);
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
      if (item.type === "EnteredReviewMode") {
        return {
          ...base,
          k: "review_entered",
          target: readReviewTarget(item.target),
          hint: item.user_facing_hint ?? null,
        };
      }
      if (item.type === "ExitedReviewMode") {
        return { ...base, k: "review_exited", output: readReviewOutput(item.review_output) };
      }
      return { ...base, k: "activity", what: item.type };
    }
    case "thread_settings_applied": {
      const m = SettingsSchema.safeParse(p);
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
    case "thread_goal_updated": {
      const m = GoalSchema.safeParse(p);
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
};
