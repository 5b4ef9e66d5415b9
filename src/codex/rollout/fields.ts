/**
 * Field readers every rollout shape uses, whichever era wrote the line: lenient zod pieces (a
 * field of the wrong type reads as null instead of failing the line), token usage, policy labels,
 * message content and tool-call arguments.
 *
 * @module
 */
import { z } from "zod";
import type { EventAt, RolloutEvent, RolloutUsage, UserInputQuestion } from "./events.ts";
import { jsonObject } from "../../json.ts";

/**
 * Reads one `event_msg` payload of type `ptype` (one era's shapes, or the shapes both share): the
 * event; null when the shape is known but carries nothing for the state, or is malformed
 * (`malformed()` counts it and returns null); undefined when the shape is not this reader's.
 */
export type EventReader = (
  ptype: string,
  p: Record<string, unknown>,
  base: EventAt,
  malformed: () => null,
) => RolloutEvent | null | undefined;

/** A string field, null when absent or of another type. */
export const str = z.string().nullish().catch(null);
/** A number field, null when absent or of another type. */
export const num = z.number().nullish().catch(null);

/** A token usage object as Codex writes it. */
export const UsageSchema = z.looseObject({
  input_tokens: num,
  cached_input_tokens: num,
  output_tokens: num,
  reasoning_output_tokens: num,
  total_tokens: num,
}).nullish().catch(null);

/** Normalises a usage object (missing numbers are 0; a missing total is input + output). */
export function usage(u: z.infer<typeof UsageSchema>): RolloutUsage | null {
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

/** Renders a policy/mode/source value that may be a string or a tagged object. */
export function label(value: unknown): string | null {
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
export function contentText(content: unknown): string {
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

/** Tool-call arguments: an object, or a JSON string holding one; null otherwise. */
export function parseArgs(raw: unknown): Record<string, unknown> | null {
  if (raw && typeof raw === "object" && !Array.isArray(raw)) return raw as Record<string, unknown>;
  return typeof raw === "string" ? jsonObject(raw) : null;
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
