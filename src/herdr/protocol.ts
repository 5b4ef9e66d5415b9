/**
 * The shapes codexctl reads from herdr (protocol 20, 0.8.2; also 0.9's 22 and legacy 0.6), as zod
 * schemas. herdr's replies are external input: every one is parsed here before use. Objects are
 * loose (herdr's docs say to ignore unknown fields); only the fields codexctl relies on are listed,
 * typed as herdr's own JSON schema types them.
 *
 * @module
 */
import { z } from "zod";

/** herdr's agent status: `done` is idle-but-not-yet-seen. */
export const AgentStatusSchema = z.enum(["idle", "working", "blocked", "done", "unknown"]);
/** An agent status. */
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

/** States a reporting integration may set (`done` is not reportable). */
export const ReportableStateSchema = z.enum(["idle", "working", "blocked", "unknown"]);
/** A reportable agent state. */
export type ReportableState = z.infer<typeof ReportableStateSchema>;

const optionalText = z.string().nullable().optional();

/** PaneInfo. */
export const PaneInfoSchema = z.looseObject({
  pane_id: z.string().min(1),
  terminal_id: z.string().min(1),
  workspace_id: z.string().min(1),
  tab_id: z.string().min(1),
  focused: z.boolean(),
  agent_status: AgentStatusSchema,
  revision: z.number().int().nonnegative(),
  label: optionalText,
  agent: optionalText,
  display_agent: optionalText,
  title: optionalText,
  cwd: optionalText,
  foreground_cwd: optionalText,
});
/** A pane as herdr describes it. */
export type PaneInfo = z.infer<typeof PaneInfoSchema>;

/** AgentInfo (a PaneInfo-like record for a pane that hosts an agent). */
export const AgentInfoSchema = z.looseObject({
  pane_id: z.string().min(1),
  terminal_id: z.string().min(1),
  workspace_id: z.string().min(1),
  tab_id: z.string().min(1),
  focused: z.boolean(),
  agent_status: AgentStatusSchema,
  revision: z.number().int().nonnegative(),
  agent: optionalText,
  name: optionalText,
  display_agent: optionalText,
  cwd: optionalText,
  interactive_ready: z.boolean().optional(),
  launch_pending: z.boolean().optional(),
});
/** An agent as herdr describes it. */
export type AgentInfo = z.infer<typeof AgentInfoSchema>;

/** TabInfo. */
export const TabInfoSchema = z.looseObject({
  tab_id: z.string().min(1),
  workspace_id: z.string().min(1),
  number: z.number().int().nonnegative(),
  label: z.string(),
  focused: z.boolean(),
  pane_count: z.number().int().nonnegative(),
  agent_status: AgentStatusSchema,
});
/** A tab. */
export type TabInfo = z.infer<typeof TabInfoSchema>;

/** WorkspaceInfo. */
export const WorkspaceInfoSchema = z.looseObject({
  workspace_id: z.string().min(1),
  number: z.number().int().nonnegative(),
  label: z.string(),
  focused: z.boolean(),
  pane_count: z.number().int().nonnegative(),
  tab_count: z.number().int().nonnegative(),
  active_tab_id: z.string(),
  agent_status: AgentStatusSchema,
});
/** A workspace. */
export type WorkspaceInfo = z.infer<typeof WorkspaceInfoSchema>;

/** Where `pane.read` reads from. */
export const ReadSourceSchema = z.enum(["visible", "recent", "recent_unwrapped", "detection"]);
/** A read source. */
export type ReadSource = z.infer<typeof ReadSourceSchema>;

/** PaneReadResult. */
export const PaneReadSchema = z.looseObject({
  pane_id: z.string(),
  workspace_id: z.string(),
  tab_id: z.string(),
  source: ReadSourceSchema,
  format: z.enum(["text", "ansi"]),
  text: z.string(),
  revision: z.number().int().nonnegative(),
  truncated: z.boolean(),
});
/** What a pane read returned. */
export type PaneRead = z.infer<typeof PaneReadSchema>;

/** `ping`'s result. */
export const PongSchema = z.looseObject({
  type: z.literal("pong"),
  version: z.string().min(1),
  protocol: z.number().int().nonnegative(),
  capabilities: z.looseObject({
    live_handoff: z.boolean(),
    detached_server_daemon: z.boolean().optional(),
  }).nullable().optional(),
});
/** A pong. */
export type Pong = z.infer<typeof PongSchema>;

/** `session.snapshot`'s payload. */
export const SnapshotSchema = z.looseObject({
  version: z.string(),
  protocol: z.number().int().nonnegative(),
  focused_workspace_id: optionalText,
  focused_tab_id: optionalText,
  focused_pane_id: optionalText,
  workspaces: z.array(WorkspaceInfoSchema),
  tabs: z.array(TabInfoSchema),
  panes: z.array(PaneInfoSchema),
  agents: z.array(AgentInfoSchema),
});
/** A whole-session snapshot. */
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** Result schemas by herdr `result.type`. */
export const RESULTS = {
  ok: z.looseObject({ type: z.literal("ok") }),
  pong: PongSchema,
  session_snapshot: z.looseObject({ type: z.literal("session_snapshot"), snapshot: SnapshotSchema }),
  workspace_created: z.looseObject({
    type: z.literal("workspace_created"),
    workspace: WorkspaceInfoSchema,
    tab: TabInfoSchema,
    root_pane: PaneInfoSchema,
  }),
  workspace_info: z.looseObject({ type: z.literal("workspace_info"), workspace: WorkspaceInfoSchema }),
  workspace_list: z.looseObject({
    type: z.literal("workspace_list"),
    workspaces: z.array(WorkspaceInfoSchema),
  }),
  tab_created: z.looseObject({
    type: z.literal("tab_created"),
    tab: TabInfoSchema,
    root_pane: PaneInfoSchema,
  }),
  tab_info: z.looseObject({ type: z.literal("tab_info"), tab: TabInfoSchema }),
  tab_list: z.looseObject({ type: z.literal("tab_list"), tabs: z.array(TabInfoSchema) }),
  pane_info: z.looseObject({ type: z.literal("pane_info"), pane: PaneInfoSchema }),
  pane_list: z.looseObject({ type: z.literal("pane_list"), panes: z.array(PaneInfoSchema) }),
  pane_read: z.looseObject({ type: z.literal("pane_read"), read: PaneReadSchema }),
  agent_info: z.looseObject({ type: z.literal("agent_info"), agent: AgentInfoSchema }),
  agent_list: z.looseObject({ type: z.literal("agent_list"), agents: z.array(AgentInfoSchema) }),
  agent_started: z.looseObject({
    type: z.literal("agent_started"),
    agent: AgentInfoSchema,
    argv: z.array(z.string()),
  }),
  subscription_started: z.looseObject({ type: z.literal("subscription_started") }),
  wait_matched: z.looseObject({
    type: z.literal("wait_matched"),
    event: z.looseObject({ event: z.string(), data: z.record(z.string(), z.unknown()) }),
  }),
} as const;

/** A herdr error body. */
export const ErrorBodySchema = z.looseObject({ code: z.string(), message: z.string() });

/** A reply line: `{id, result}` or `{id, error}` (exactly one of the two). */
export const ReplySchema = z.looseObject({
  id: z.string(),
  result: z.looseObject({ type: z.string() }).optional(),
  error: ErrorBodySchema.optional(),
}).refine((r) => (r.result === undefined) !== (r.error === undefined), {
  error: "a reply carries exactly one of result and error",
});
/** A parsed reply line. */
export type Reply = z.infer<typeof ReplySchema>;

/** One event line pushed on a subscription: `{event, data}` with no id. */
export const EventLineSchema = z.looseObject({
  event: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
});
