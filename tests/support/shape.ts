/**
 * The "shape" of a Codex run: the ordered kinds of its significant rollout lines or exec events,
 * without ids, times or token counts. Live runs are compared with the recorded fixtures by shape,
 * so a Codex behaviour change (or a broken rig) shows up as a test failure.
 *
 * @module
 */

const NOISE = new Set([
  "world_state",
  "turn_context",
  "token_usage_record",
  "event_msg/token_count",
  "event_msg/thread_settings_applied",
  "response_item/reasoning",
  "retained_context",
]);

/** Significant rollout line kinds, in order, consecutive duplicates collapsed. */
export function rolloutShape(text: string): string[] {
  const kinds: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line);
    } catch {
      kinds.push("<invalid>");
      continue;
    }
    const payload = (rec.payload ?? {}) as Record<string, unknown>;
    let kind = String(rec.type);
    if (typeof payload.type === "string") kind += `/${payload.type}`;
    if (NOISE.has(kind)) continue;
    if (kind === "response_item/message") {
      const role = String(payload.role);
      if (role === "developer") continue;
      const text = JSON.stringify(payload.content ?? "");
      kind += `:${role}${role === "user" && text.includes("<environment_context>") ? ":env" : ""}`;
    }
    if (kind === "response_item/function_call" || kind === "response_item/custom_tool_call") {
      kind += `:${payload.name}`;
    }
    if (kind === "event_msg/item_completed") kind += `:${(payload.item as Record<string, unknown>)?.type}`;
    if (kind === "event_msg/task_complete" && payload.error) kind += ":error";
    if (kind === "event_msg/turn_aborted") kind += `:${payload.reason}`;
    if (kinds.at(-1) !== kind) kinds.push(kind);
  }
  return kinds;
}

/** Significant `codex exec --json` event kinds, in order (warning items dropped). */
export function execShape(events: Record<string, unknown>[]): string[] {
  const kinds: string[] = [];
  for (const e of events) {
    const item = e.item as Record<string, unknown> | undefined;
    if (item?.type === "error") continue; // fallback-metadata warnings
    const kind = item ? `${e.type}:${item.type}` : String(e.type);
    if (kinds.at(-1) !== kind) kinds.push(kind);
  }
  return kinds;
}
