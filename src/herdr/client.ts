/**
 * A typed client for herdr's socket API: one method per herdr method codexctl uses, each sending
 * `{id, method, params}` on its own connection and parsing the reply with zod. Replies must echo the
 * request's id (herdr answers an unparseable request with id `""`, accepted for errors only).
 *
 * Failures: transport → `environment/HERDR_DOWN` (exit 3); missing pane/agent/tab/workspace →
 * `not_found` (exit 4); other herdr errors → `environment/HERDR_<CODE>`; malformed replies →
 * `environment/HERDR_BAD_REPLY`. This layer is flavor-agnostic; `herdr.ts` hides version drift.
 *
 * @module
 */
import type { z } from "zod";
import { usageError } from "../errors.ts";
import { fromHerdrError, herdrBadReply, herdrDown } from "./errors.ts";
import {
  type AgentInfo,
  type PaneInfo,
  type PaneRead,
  type Pong,
  type ReadSource,
  type Reply,
  ReplySchema,
  type ReportableState,
  RESULTS,
  type Snapshot,
  type TabInfo,
  type WorkspaceInfo,
} from "./protocol.ts";
import { HerdrSubscription } from "./subscription.ts";
import { openStream, roundTrip, WireError, type WireLimits } from "./wire.ts";

/** herdr drops request lines above 1 MiB. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** Default per-request timeout (the herdr plugin used 10 s). */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default cap on one reply line. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** One line on the wire, as seen by the client (for contract tests and debugging). */
export interface WireFrame {
  direction: "sent" | "received";
  /** `request`, a `reply` to one, or a pushed `event`. */
  kind: "request" | "reply" | "event";
  method: string;
  line: string;
  value: unknown;
}

/** Options of {@linkcode HerdrClient}. */
export interface HerdrClientOptions {
  socketPath: string;
  timeoutMs?: number;
  maxFrameBytes?: number;
  /** Called with every line sent and received. */
  observer?: (frame: WireFrame) => void;
}

/** Options of one call. */
export interface CallOptions {
  timeoutMs?: number;
}

/** A lifecycle or per-pane subscription entry of `events.subscribe`. */
export type Subscription =
  | { type: string }
  | { type: "pane.agent_status_changed"; pane_id: string; agent_status?: string | null }
  | {
    type: "pane.output_matched";
    pane_id: string;
    source: ReadSource;
    match: { type: "substring" | "regex"; value: string };
    lines?: number | null;
    strip_ansi?: boolean;
  };

/** Parameters of `pane.read` / `agent.read`. */
export interface ReadParams {
  source: ReadSource;
  lines?: number;
  format?: "text" | "ansi";
  strip_ansi?: boolean;
}

type ResultType = keyof typeof RESULTS;
type ResultOf<K extends ResultType> = z.infer<(typeof RESULTS)[K]>;

/** A fresh request id (`req_<uuid hex>`, as the herdr plugin sends). */
export function newRequestId(): string {
  return `req_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** Low-level typed herdr client. */
export class HerdrClient {
  readonly socketPath: string;
  readonly timeoutMs: number;
  readonly maxFrameBytes: number;
  #observer: ((frame: WireFrame) => void) | undefined;

  constructor(options: HerdrClientOptions) {
    this.socketPath = options.socketPath;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#observer = options.observer;
  }

  #limits(timeoutMs?: number): WireLimits {
    return { timeoutMs: timeoutMs ?? this.timeoutMs, maxFrameBytes: this.maxFrameBytes };
  }

  #encode(method: string, params: Record<string, unknown>): { id: string; line: string } {
    const id = newRequestId();
    const value = { id, method, params };
    const line = JSON.stringify(value);
    if (new TextEncoder().encode(line).length >= MAX_REQUEST_BYTES) {
      throw usageError(
        "REQUEST_TOO_LARGE",
        `the ${method} request is larger than herdr's 1 MiB request limit`,
        "send the text in smaller pieces",
      );
    }
    this.#observer?.({ direction: "sent", kind: "request", method, line, value });
    return { id, line };
  }

  #decode(method: string, id: string, line: string): Reply {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw herdrBadReply(method, "the reply is not JSON");
    }
    this.#observer?.({ direction: "received", kind: "reply", method, line, value });
    const reply = ReplySchema.safeParse(value);
    if (!reply.success) throw herdrBadReply(method, "the reply is neither {id, result} nor {id, error}");
    const isError = reply.data.error !== undefined;
    if (reply.data.id !== id && !(isError && reply.data.id === "")) {
      throw herdrBadReply(method, `the reply answers request ${JSON.stringify(reply.data.id)}, not ${id}`);
    }
    return reply.data;
  }

  #result<K extends ResultType>(method: string, reply: Reply, type: K): ResultOf<K> {
    if (reply.error) throw fromHerdrError(method, reply.error.code, reply.error.message);
    const result = reply.result as { type: string };
    if (result.type !== type) {
      throw herdrBadReply(method, `expected a ${type} result, got ${JSON.stringify(result.type)}`);
    }
    const parsed = RESULTS[type].safeParse(result);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw herdrBadReply(method, `${issue.path.join(".") || "result"}: ${issue.message}`);
    }
    return parsed.data as ResultOf<K>;
  }

  #wireFailure(method: string, err: unknown): unknown {
    if (!(err instanceof WireError)) return err;
    if (err.failure === "oversized") return herdrBadReply(method, err.message);
    return herdrDown(method, this.socketPath, err);
  }

  /** Sends one request and returns its result, checked to be of `type`. */
  async call<K extends ResultType>(
    method: string,
    params: Record<string, unknown>,
    type: K,
    options: CallOptions = {},
  ): Promise<ResultOf<K>> {
    const { id, line } = this.#encode(method, params);
    let replyLine: string;
    try {
      replyLine = await roundTrip(this.socketPath, line, this.#limits(options.timeoutMs));
    } catch (err) {
      throw this.#wireFailure(method, err);
    }
    return this.#result(method, this.#decode(method, id, replyLine), type);
  }

  /** `ping`: version, protocol number and capabilities. */
  ping(options?: CallOptions): Promise<Pong> {
    return this.call("ping", {}, "pong", options);
  }

  /** `session.snapshot`: every workspace, tab, pane and agent at once. */
  async snapshot(): Promise<Snapshot> {
    return (await this.call("session.snapshot", {}, "session_snapshot")).snapshot;
  }

  // ---- workspaces

  /** `workspace.create` (unfocused unless asked). */
  async workspaceCreate(
    params: { cwd?: string; label?: string; focus?: boolean; env?: Record<string, string> },
  ): Promise<{ workspace: WorkspaceInfo; tab: TabInfo; root_pane: PaneInfo }> {
    const r = await this.call("workspace.create", { focus: false, ...params }, "workspace_created");
    return { workspace: r.workspace, tab: r.tab, root_pane: r.root_pane };
  }

  /** `workspace.list`. */
  async workspaceList(): Promise<WorkspaceInfo[]> {
    return (await this.call("workspace.list", {}, "workspace_list")).workspaces;
  }

  /** `workspace.get`. */
  async workspaceGet(workspaceId: string): Promise<WorkspaceInfo> {
    return (await this.call("workspace.get", { workspace_id: workspaceId }, "workspace_info")).workspace;
  }

  /** `workspace.focus`. */
  async workspaceFocus(workspaceId: string): Promise<WorkspaceInfo> {
    return (await this.call("workspace.focus", { workspace_id: workspaceId }, "workspace_info")).workspace;
  }

  /** `workspace.close`. */
  async workspaceClose(workspaceId: string): Promise<void> {
    await this.call("workspace.close", { workspace_id: workspaceId }, "ok");
  }

  // ---- tabs

  /** `tab.create` (unfocused unless asked). */
  async tabCreate(
    params: {
      workspace_id?: string;
      cwd?: string;
      label?: string;
      focus?: boolean;
      env?: Record<string, string>;
    },
  ): Promise<{ tab: TabInfo; root_pane: PaneInfo }> {
    const r = await this.call("tab.create", { focus: false, ...params }, "tab_created");
    return { tab: r.tab, root_pane: r.root_pane };
  }

  /** `tab.list`, optionally of one workspace. */
  async tabList(workspaceId?: string): Promise<TabInfo[]> {
    const params = workspaceId === undefined ? {} : { workspace_id: workspaceId };
    return (await this.call("tab.list", params, "tab_list")).tabs;
  }

  /** `tab.get`. */
  async tabGet(tabId: string): Promise<TabInfo> {
    return (await this.call("tab.get", { tab_id: tabId }, "tab_info")).tab;
  }

  /** `tab.focus`. */
  async tabFocus(tabId: string): Promise<TabInfo> {
    return (await this.call("tab.focus", { tab_id: tabId }, "tab_info")).tab;
  }

  /** `tab.rename`. */
  async tabRename(tabId: string, label: string): Promise<TabInfo> {
    return (await this.call("tab.rename", { tab_id: tabId, label }, "tab_info")).tab;
  }

  /** `tab.close`. */
  async tabClose(tabId: string): Promise<void> {
    await this.call("tab.close", { tab_id: tabId }, "ok");
  }

  // ---- panes

  /** `pane.list`, optionally of one workspace. */
  async paneList(workspaceId?: string): Promise<PaneInfo[]> {
    const params = workspaceId === undefined ? {} : { workspace_id: workspaceId };
    return (await this.call("pane.list", params, "pane_list")).panes;
  }

  /** `pane.get`. */
  async paneGet(paneId: string): Promise<PaneInfo> {
    return (await this.call("pane.get", { pane_id: paneId }, "pane_info")).pane;
  }

  /** `pane.focus` (marks the pane seen: `done` becomes `idle`). */
  async paneFocus(paneId: string): Promise<PaneInfo> {
    return (await this.call("pane.focus", { pane_id: paneId }, "pane_info")).pane;
  }

  /** `pane.rename`; null clears the label. */
  async paneRename(paneId: string, label: string | null): Promise<PaneInfo> {
    return (await this.call("pane.rename", { pane_id: paneId, label }, "pane_info")).pane;
  }

  /** `pane.close`. */
  async paneClose(paneId: string): Promise<void> {
    await this.call("pane.close", { pane_id: paneId }, "ok");
  }

  /** `pane.split` of `target_pane_id` (the key is not `pane_id`), unfocused unless asked. */
  async paneSplit(params: {
    target_pane_id: string;
    direction: "right" | "down";
    ratio?: number;
    cwd?: string;
    focus?: boolean;
    env?: Record<string, string>;
  }): Promise<PaneInfo> {
    return (await this.call("pane.split", { focus: false, ...params }, "pane_info")).pane;
  }

  /** `pane.read`. */
  async paneRead(paneId: string, params: ReadParams): Promise<PaneRead> {
    return (await this.call("pane.read", { pane_id: paneId, ...params }, "pane_read")).read;
  }

  /** `pane.send_text`: the text (bracketed if the app enabled paste mode), no Enter. */
  async paneSendText(paneId: string, text: string): Promise<void> {
    await this.call("pane.send_text", { pane_id: paneId, text }, "ok");
  }

  /** `pane.send_keys`. */
  async paneSendKeys(paneId: string, keys: readonly string[]): Promise<void> {
    await this.call("pane.send_keys", { pane_id: paneId, keys: [...keys] }, "ok");
  }

  /** `pane.send_input`: text then keys in one call. */
  async paneSendInput(paneId: string, input: { text?: string; keys?: readonly string[] }): Promise<void> {
    const params: Record<string, unknown> = { pane_id: paneId };
    if (input.text !== undefined) params.text = input.text;
    if (input.keys !== undefined) params.keys = [...input.keys];
    await this.call("pane.send_input", params, "ok");
  }

  /** `pane.report_agent`: an integration reports its own state. */
  async paneReportAgent(params: {
    pane_id: string;
    source: string;
    agent: string;
    state: ReportableState;
    message?: string;
    seq?: number;
  }): Promise<void> {
    await this.call("pane.report_agent", params, "ok");
  }

  /** `pane.release_agent`: the reporting integration lets go of the pane. */
  async paneReleaseAgent(
    params: { pane_id: string; source: string; agent: string; seq?: number },
  ): Promise<void> {
    await this.call("pane.release_agent", params, "ok");
  }

  // ---- agents

  /** `agent.start` (herdr ≥0.7): types the kind's executable into the pane's shell. */
  async agentStart(params: {
    name: string;
    kind: string;
    pane_id: string;
    args?: string[];
    timeout_ms?: number;
  }): Promise<{ agent: AgentInfo; argv: string[] }> {
    const r = await this.call("agent.start", params, "agent_started");
    return { agent: r.agent, argv: r.argv };
  }

  /** `agent.get` by name, pane id (or, on herdr ≤0.6, terminal id). */
  async agentGet(target: string): Promise<AgentInfo> {
    return (await this.call("agent.get", { target }, "agent_info")).agent;
  }

  /** `agent.list`. */
  async agentList(): Promise<AgentInfo[]> {
    return (await this.call("agent.list", {}, "agent_list")).agents;
  }

  /** `agent.read`. */
  async agentRead(target: string, params: ReadParams): Promise<PaneRead> {
    return (await this.call("agent.read", { target, ...params }, "pane_read")).read;
  }

  // ---- events

  /**
   * `events.subscribe` on a connection of its own. Resolves after herdr's ack; a bad subscription
   * (unknown pane, bad regex) rejects with herdr's error.
   */
  async subscribe(subscriptions: Subscription[], options: CallOptions = {}): Promise<HerdrSubscription> {
    const method = "events.subscribe";
    const { id, line } = this.#encode(method, { subscriptions });
    let stream;
    try {
      stream = await openStream(this.socketPath, line, this.#limits(options.timeoutMs));
    } catch (err) {
      throw this.#wireFailure(method, err);
    }
    try {
      this.#result(method, this.#decode(method, id, stream.first), "subscription_started");
    } catch (err) {
      stream.close();
      throw err;
    }
    const observer = this.#observer;
    return new HerdrSubscription(
      stream,
      observer && ((l, value) => observer({ direction: "received", kind: "event", method, line: l, value })),
    );
  }

  /**
   * `events.wait`: blocks until one lifecycle event matches, or returns null when herdr reports
   * its timeout. The socket deadline is the wait plus a grace period.
   */
  async waitEvent(
    matchEvent: Record<string, unknown> & { event: string },
    timeoutMs: number,
  ): Promise<{ event: string; data: Record<string, unknown> } | null> {
    try {
      const r = await this.call(
        "events.wait",
        { match_event: matchEvent, timeout_ms: timeoutMs },
        "wait_matched",
        {
          timeoutMs: timeoutMs + 5_000,
        },
      );
      return r.event;
    } catch (err) {
      if ((err as { herdrCode?: string }).herdrCode === "timeout") return null;
      throw err;
    }
  }
}
