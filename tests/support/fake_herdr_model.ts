/**
 * The fake herdr's state: workspaces holding ordered tabs holding panes, each pane a real tmux pane.
 * Ids follow the flavor: herdr ≥0.7 mints stable ids (`w1`, `w1:t1`, `w1:p1`, base-32 digits,
 * per-workspace counters, never reused); herdr 0.6 computes positional ids (`w<hex>-N`, `w<hex>:N`)
 * that renumber when a lower pane or tab closes, and puts `p_<raw>` in `HERDR_PANE_ID`.
 *
 * A poller keeps each pane's agent and status current the way herdr does: the foreground process
 * names the agent, screen rules (or a `pane.report_agent` report, which is authoritative) give the
 * state, and `done` is idle-but-unseen (set when work ends, cleared by focus; no event fires on
 * done → idle). Lifecycle events go to a 512-entry ring that subscriptions read.
 *
 * @module
 */
import { basename } from "node:path";
import { agentOfProcess, bottomLines, type DetectedState, screenState } from "./fake_herdr_detect.ts";
import { encodeKeys } from "./fake_herdr_keys.ts";
import type { TmuxEngine } from "./fake_herdr_tmux.ts";

/** herdr versions the fake can impersonate. */
export type FakeFlavor = "0.6" | "0.8" | "0.9";

/** What each flavor means. */
export interface FlavorSpec {
  version: string;
  protocol: number;
  /** Positional ids that renumber (herdr ≤0.6). */
  legacy: boolean;
  /** New lifecycle subscriptions replay the retained ring (0.8) or start at the live edge. */
  replay: boolean;
  width: number;
  height: number;
}

/**
 * The flavors. herdr 0.6.0's protocol number is not documented (0.5.12 was 7, 0.7.0 was 14); the fake
 * says 10, and clients must decide "legacy" from the version, not the number.
 */
export const FLAVORS: Readonly<Record<FakeFlavor, FlavorSpec>> = {
  "0.6": { version: "0.6.0", protocol: 10, legacy: true, replay: false, width: 80, height: 24 },
  "0.8": { version: "0.8.2", protocol: 20, legacy: false, replay: true, width: 120, height: 40 },
  "0.9": { version: "0.9.1", protocol: 22, legacy: false, replay: false, width: 120, height: 40 },
};

/** An API error the fake answers with (herdr's own codes). */
export class FakeError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** herdr's status values. */
export type ApiStatus = "idle" | "working" | "blocked" | "done" | "unknown";
type State = DetectedState | "unknown";

interface Workspace {
  raw: number;
  id: string;
  label: string;
  session: string;
  cwd: string;
  tabs: Tab[];
  activeTab: Tab | null;
  nextTab: number;
  nextPane: number;
}

interface Tab {
  suffix: string;
  label: string | null;
  windowId: string;
  panes: Pane[];
  activePane: Pane | null;
  workspace: Workspace;
}

/** One fake pane (exported for the method handlers). */
export interface Pane {
  raw: number;
  suffix: string;
  terminalId: string;
  tmuxId: string;
  tab: Tab;
  label: string | null;
  cwd: string;
  title: string;
  agentName: string | null;
  detected: string | null;
  reported: { source: string; agent: string; state: State } | null;
  state: State;
  unseen: boolean;
  launchPending: boolean;
  stateChangeSeq: number;
  notified: ApiStatus;
}

/** A lifecycle event in the ring. */
export interface RingEvent {
  seq: number;
  event: string;
  data: Record<string, unknown>;
}

/** Options of pane creation. */
export interface CreateOptions {
  cwd?: string | null;
  label?: string | null;
  focus?: boolean;
  env?: Record<string, string>;
}

/** The read parameters of `pane.read` / `agent.read`. */
export interface ReadOptions {
  source: "visible" | "recent" | "recent_unwrapped" | "detection";
  lines?: number | null;
  format?: "text" | "ansi";
  strip_ansi?: boolean;
}

const ID_ALPHABET = "123456789ABCDEFGHJKMNPQRSTVWXYZ0";
const RING_SIZE = 512;
const PRIORITY: Readonly<Record<ApiStatus, number>> = {
  unknown: 0,
  idle: 1,
  working: 2,
  done: 3,
  blocked: 4,
};

function enc(n: number): string {
  let out = "";
  for (let rest = n; rest > 0; rest = Math.floor(rest / 32)) {
    rest -= 1;
    out = ID_ALPHABET[rest % 32] + out;
  }
  return out;
}

/** The fake's whole state. */
export class FakeModel {
  readonly flavor: FlavorSpec;
  readonly engine: TmuxEngine;
  readonly socketPath: string;
  readonly binPath: string;
  readonly shell: string;
  /** When true, reading a pane marks it seen (herdr marks seen on focus only). */
  readonly seenOnRead: boolean;
  workspaces: Workspace[] = [];
  focusedWorkspace: Workspace | null = null;
  ring: RingEvent[] = [];
  seq = 0;
  #rawWorkspace = 0;
  #rawPane = 0;
  #listeners = new Set<(e: RingEvent) => void>();
  #statusListeners = new Set<(pane: Pane, status: ApiStatus) => void>();
  #polling: Promise<void> | null = null;

  constructor(options: {
    flavor: FlavorSpec;
    engine: TmuxEngine;
    socketPath: string;
    binPath: string;
    shell: string;
    seenOnRead: boolean;
  }) {
    this.flavor = options.flavor;
    this.engine = options.engine;
    this.socketPath = options.socketPath;
    this.binPath = options.binPath;
    this.shell = options.shell;
    this.seenOnRead = options.seenOnRead;
  }

  // ---- ids

  /** A pane's public id right now (positional on 0.6). */
  paneId(pane: Pane): string {
    const ws = pane.tab.workspace;
    if (!this.flavor.legacy) return `${ws.id}:${pane.suffix}`;
    return `${ws.id}-${this.panesOf(ws).indexOf(pane) + 1}`;
  }

  /** A tab's public id right now. */
  tabId(tab: Tab): string {
    const ws = tab.workspace;
    return this.flavor.legacy ? `${ws.id}:${ws.tabs.indexOf(tab) + 1}` : `${ws.id}:${tab.suffix}`;
  }

  /** Every pane of a workspace, tab by tab. */
  panesOf(ws: Workspace): Pane[] {
    return ws.tabs.flatMap((t) => t.panes);
  }

  /** Every pane. */
  allPanes(): Pane[] {
    return this.workspaces.flatMap((ws) => this.panesOf(ws));
  }

  /** Finds a pane by an id `pane.*` accepts (never a terminal id), or throws `pane_not_found`. */
  pane(id: string, code = "pane_not_found"): Pane {
    const raw = /^p_(?:[0-9A-Za-z]+_)?([0-9]+)$/.exec(id);
    const found = raw
      ? this.allPanes().find((p) => p.raw === Number(raw[1]))
      : this.allPanes().find((p) => this.paneId(p) === id);
    if (!found) throw new FakeError(code, `pane ${id} not found`);
    return found;
  }

  /** Finds a tab or throws `tab_not_found`. */
  tab(id: string): Tab {
    const found = this.workspaces.flatMap((ws) => ws.tabs).find((t) => this.tabId(t) === id);
    if (!found) throw new FakeError("tab_not_found", `tab ${id} not found`);
    return found;
  }

  /** Finds a workspace or throws `workspace_not_found`. */
  workspace(id: string): Workspace {
    const found = this.workspaces.find((w) => w.id === id);
    if (!found) throw new FakeError("workspace_not_found", `workspace ${id} not found`);
    return found;
  }

  /** Resolves an agent target: a unique agent name, a pane id, or (0.6) a terminal id or agent type. */
  agent(target: string): Pane {
    const hosts = this.allPanes().filter((p) => this.agentOf(p) !== null || p.agentName !== null);
    const byName = hosts.filter((p) => p.agentName === target);
    if (byName.length === 1) return byName[0];
    let pane: Pane | undefined;
    try {
      pane = this.pane(target);
    } catch {
      pane = undefined;
    }
    if (!pane && this.flavor.legacy) {
      pane = hosts.find((p) => p.terminalId === target);
      if (!pane) {
        const byType = hosts.filter((p) => this.agentOf(p) === target);
        if (byType.length > 1) {
          throw new FakeError("agent_target_ambiguous", `target ${target} matches several agents`);
        }
        pane = byType[0];
      }
    }
    if (!pane || !hosts.includes(pane)) throw new FakeError("agent_not_found", `agent ${target} not found`);
    return pane;
  }

  // ---- records

  /** The agent label a pane shows (reported, else detected). */
  agentOf(pane: Pane): string | null {
    return pane.reported?.agent ?? pane.detected;
  }

  /** herdr's API status of a pane. */
  status(pane: Pane): ApiStatus {
    if (pane.state === "idle" && pane.unseen) return "done";
    return pane.state;
  }

  #rollup(panes: Pane[]): ApiStatus {
    let best: ApiStatus = "unknown";
    for (const p of panes) if (PRIORITY[this.status(p)] > PRIORITY[best]) best = this.status(p);
    return best;
  }

  #focusedTab(): Tab | null {
    return this.focusedWorkspace?.activeTab ?? null;
  }

  /** PaneInfo. */
  paneInfo(pane: Pane): Record<string, unknown> {
    const tab = this.#focusedTab();
    return {
      pane_id: this.paneId(pane),
      terminal_id: pane.terminalId,
      workspace_id: pane.tab.workspace.id,
      tab_id: this.tabId(pane.tab),
      focused: tab === pane.tab && tab.activePane === pane,
      agent_status: this.status(pane),
      revision: 0,
      label: pane.label,
      agent: this.agentOf(pane),
      title: pane.title || null,
      cwd: pane.cwd,
    };
  }

  /** AgentInfo (PaneInfo's fields without `label`, plus the agent's own). */
  agentInfo(pane: Pane): Record<string, unknown> {
    const { label: _label, ...info } = this.paneInfo(pane);
    return {
      ...info,
      name: pane.agentName,
      interactive_ready: !pane.launchPending && ["idle", "done"].includes(this.status(pane)),
      launch_pending: pane.launchPending,
      screen_detection_skipped: pane.reported !== null,
      state_change_seq: pane.stateChangeSeq,
    };
  }

  /** TabInfo. */
  tabInfo(tab: Tab): Record<string, unknown> {
    const ws = tab.workspace;
    const number = ws.tabs.indexOf(tab) + 1;
    return {
      tab_id: this.tabId(tab),
      workspace_id: ws.id,
      number,
      label: tab.label ?? String(number),
      focused: this.#focusedTab() === tab,
      pane_count: tab.panes.length,
      agent_status: this.#rollup(tab.panes),
    };
  }

  /** WorkspaceInfo. */
  workspaceInfo(ws: Workspace): Record<string, unknown> {
    return {
      workspace_id: ws.id,
      number: this.workspaces.indexOf(ws) + 1,
      label: ws.label,
      focused: this.focusedWorkspace === ws,
      pane_count: this.panesOf(ws).length,
      tab_count: ws.tabs.length,
      active_tab_id: ws.activeTab ? this.tabId(ws.activeTab) : "",
      agent_status: this.#rollup(this.panesOf(ws)),
    };
  }

  /** `session.snapshot`'s payload. */
  snapshot(): Record<string, unknown> {
    const tab = this.#focusedTab();
    const panes = this.allPanes();
    return {
      version: this.flavor.version,
      protocol: this.flavor.protocol,
      focused_workspace_id: this.focusedWorkspace?.id ?? null,
      focused_tab_id: tab ? this.tabId(tab) : null,
      focused_pane_id: tab?.activePane ? this.paneId(tab.activePane) : null,
      workspaces: this.workspaces.map((w) => this.workspaceInfo(w)),
      tabs: this.workspaces.flatMap((w) => w.tabs.map((t) => this.tabInfo(t))),
      panes: panes.map((p) => this.paneInfo(p)),
      layouts: [],
      agents: panes.filter((p) => this.agentOf(p) !== null).map((p) => this.agentInfo(p)),
    };
  }

  // ---- events

  /** Appends a lifecycle event to the ring and hands it to live subscriptions. */
  emit(event: string, data: Record<string, unknown>): void {
    const entry: RingEvent = { seq: ++this.seq, event, data: { type: event, ...data } };
    this.ring.push(entry);
    if (this.ring.length > RING_SIZE) this.ring.shift();
    for (const listener of this.#listeners) listener(entry);
  }

  /** Listens to lifecycle events; returns the unsubscribe function. */
  onEvent(listener: (e: RingEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Listens to per-pane status changes; returns the unsubscribe function. */
  onStatus(listener: (pane: Pane, status: ApiStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  // ---- creation

  #env(pane: { raw: number; suffix: string }, tab: Tab, ws: Workspace, extra: Record<string, string> = {}) {
    const paneId = this.flavor.legacy ? `p_${pane.raw}` : `${ws.id}:${pane.suffix}`;
    const tabId = this.flavor.legacy
      ? `${ws.id}:${ws.tabs.indexOf(tab) + 1 || ws.tabs.length + 1}`
      : `${ws.id}:${tab.suffix}`;
    return {
      ...extra,
      HERDR_ENV: "1",
      HERDR_SOCKET_PATH: this.socketPath,
      HERDR_BIN_PATH: this.binPath,
      HERDR_WORKSPACE_ID: ws.id,
      HERDR_TAB_ID: tabId,
      HERDR_PANE_ID: paneId,
    };
  }

  #newPane(tab: Tab, cwd: string): Pane {
    const ws = tab.workspace;
    const raw = ++this.#rawPane;
    const suffix = `p${enc(++ws.nextPane)}`;
    return {
      raw,
      suffix,
      terminalId: `term_${(0x5eed0000 + raw * 0x9e3).toString(16)}`,
      tmuxId: "",
      tab,
      label: null,
      cwd,
      title: "",
      agentName: null,
      detected: null,
      reported: null,
      state: "unknown",
      unseen: false,
      launchPending: false,
      stateChangeSeq: 0,
      notified: "unknown",
    };
  }

  #newTab(ws: Workspace, label: string | null): Tab {
    return {
      suffix: `t${enc(++ws.nextTab)}`,
      label,
      windowId: "",
      panes: [],
      activePane: null,
      workspace: ws,
    };
  }

  async #cwd(cwd: string | null | undefined): Promise<string> {
    const dir = cwd ?? Deno.env.get("HOME") ?? "/";
    try {
      if ((await Deno.stat(dir)).isDirectory) return dir;
    } catch {
      // fall through
    }
    throw new FakeError("invalid_params", `cwd ${dir} is not a directory`);
  }

  /** `workspace.create`. */
  async createWorkspace(options: CreateOptions): Promise<{ ws: Workspace; tab: Tab; pane: Pane }> {
    const cwd = await this.#cwd(options.cwd);
    const raw = ++this.#rawWorkspace;
    const id = this.flavor.legacy ? `w${(0xa10000 + raw * 0x1f3).toString(16)}` : `w${enc(raw)}`;
    const ws: Workspace = {
      raw,
      id,
      label: options.label ?? basename(cwd) ?? id,
      session: `ws${raw}`,
      cwd,
      tabs: [],
      activeTab: null,
      nextTab: 0,
      nextPane: 0,
    };
    const tab = this.#newTab(ws, null);
    const pane = this.#newPane(tab, cwd);
    const started = await this.engine.newSession(ws.session, {
      cwd,
      env: this.#env(pane, tab, ws, options.env),
      shell: this.shell,
    });
    pane.tmuxId = started.paneId;
    tab.windowId = started.windowId;
    tab.panes.push(pane);
    tab.activePane = pane;
    ws.tabs.push(tab);
    ws.activeTab = tab;
    this.workspaces.push(ws);
    if (!this.focusedWorkspace || options.focus) this.focusedWorkspace = ws;
    this.emit("workspace_created", { workspace: this.workspaceInfo(ws) });
    this.emit("tab_created", { tab: this.tabInfo(tab) });
    this.emit("pane_created", { pane: this.paneInfo(pane) });
    if (options.focus) this.focusPane(pane);
    return { ws, tab, pane };
  }

  /** `tab.create`. */
  async createTab(ws: Workspace, options: CreateOptions): Promise<{ tab: Tab; pane: Pane }> {
    const cwd = await this.#cwd(options.cwd ?? ws.cwd);
    const tab = this.#newTab(ws, options.label ?? null);
    const pane = this.#newPane(tab, cwd);
    const started = await this.engine.newWindow(ws.session, {
      cwd,
      env: this.#env(pane, tab, ws, options.env),
      shell: this.shell,
    });
    pane.tmuxId = started.paneId;
    tab.windowId = started.windowId;
    tab.panes.push(pane);
    tab.activePane = pane;
    ws.tabs.push(tab);
    this.emit("tab_created", { tab: this.tabInfo(tab) });
    this.emit("pane_created", { pane: this.paneInfo(pane) });
    if (options.focus) this.focusPane(pane);
    return { tab, pane };
  }

  /** `pane.split`. */
  async split(
    target: Pane,
    options: CreateOptions & { direction: "right" | "down"; ratio?: number | null },
  ): Promise<Pane> {
    const tab = target.tab;
    const cwd = await this.#cwd(options.cwd ?? target.cwd);
    const ratio = options.ratio ?? 0.5;
    if (!(ratio > 0 && ratio < 1)) {
      throw new FakeError("invalid_ratio", `ratio must be between 0 and 1, got ${ratio}`);
    }
    const pane = this.#newPane(tab, cwd);
    pane.tmuxId = await this.engine.split(target.tmuxId, options.direction, (1 - ratio) * 100, {
      cwd,
      env: this.#env(pane, tab, tab.workspace, options.env),
      shell: this.shell,
    });
    tab.panes.splice(tab.panes.indexOf(target) + 1, 0, pane);
    this.emit("pane_created", { pane: this.paneInfo(pane) });
    if (options.focus) this.focusPane(pane);
    return pane;
  }

  // ---- focus

  /** Focuses a pane (and its tab and workspace), marking it seen. */
  focusPane(pane: Pane): void {
    const tab = pane.tab;
    const ws = tab.workspace;
    const wsChanged = this.focusedWorkspace !== ws;
    const tabChanged = ws.activeTab !== tab;
    this.focusedWorkspace = ws;
    ws.activeTab = tab;
    tab.activePane = pane;
    pane.unseen = false;
    this.#quietNotified(pane);
    if (wsChanged) this.emit("workspace_focused", { workspace_id: ws.id });
    if (wsChanged || tabChanged) this.emit("tab_focused", { tab_id: this.tabId(tab), workspace_id: ws.id });
    this.emit("pane_focused", { pane_id: this.paneId(pane), workspace_id: ws.id });
  }

  /** Focuses a tab's active pane. */
  focusTab(tab: Tab): void {
    this.focusPane(tab.activePane ?? tab.panes[0]);
  }

  /** Focuses a workspace's active tab. */
  focusWorkspace(ws: Workspace): void {
    if (ws.activeTab) this.focusTab(ws.activeTab);
  }

  /** done → idle changes emit nothing (herdr issue #1700): remember the new status silently. */
  #quietNotified(pane: Pane): void {
    pane.notified = this.status(pane);
  }

  // ---- closing

  /** Removes a pane from the model (its tmux pane is gone or being killed) and emits the events. */
  #remove(pane: Pane, exited: boolean): void {
    const tab = pane.tab;
    const ws = tab.workspace;
    if (!tab.panes.includes(pane)) return;
    const paneId = this.paneId(pane);
    const tabId = this.tabId(tab);
    if (exited) this.emit("pane_exited", { pane_id: paneId, workspace_id: ws.id });
    tab.panes.splice(tab.panes.indexOf(pane), 1);
    if (tab.activePane === pane) tab.activePane = tab.panes[0] ?? null;
    this.emit("pane_closed", { pane_id: paneId, workspace_id: ws.id });
    if (tab.panes.length > 0) return;
    ws.tabs.splice(ws.tabs.indexOf(tab), 1);
    if (ws.activeTab === tab) ws.activeTab = ws.tabs[0] ?? null;
    this.emit("tab_closed", { tab_id: tabId, workspace_id: ws.id });
    if (ws.tabs.length > 0) return;
    this.workspaces.splice(this.workspaces.indexOf(ws), 1);
    if (this.focusedWorkspace === ws) this.focusedWorkspace = this.workspaces[0] ?? null;
    this.emit("workspace_closed", { workspace_id: ws.id, workspace: null });
  }

  /** `pane.close`. */
  async closePane(pane: Pane): Promise<void> {
    const session = pane.tab.workspace.session;
    const last = this.panesOf(pane.tab.workspace).length === 1;
    this.#remove(pane, false);
    await this.engine.kill(last ? "session" : "pane", last ? session : pane.tmuxId);
  }

  /** `tab.close`. */
  async closeTab(tab: Tab): Promise<void> {
    const ws = tab.workspace;
    const last = ws.tabs.length === 1;
    for (const pane of [...tab.panes].reverse()) this.#remove(pane, false);
    await this.engine.kill(last ? "session" : "window", last ? ws.session : tab.windowId);
  }

  /** `workspace.close`. */
  async closeWorkspace(ws: Workspace): Promise<void> {
    for (const pane of [...this.panesOf(ws)].reverse()) this.#remove(pane, false);
    await this.engine.kill("session", ws.session);
  }

  // ---- input and output

  /** Reads a pane like herdr's `pane.read`. */
  async read(pane: Pane, options: ReadOptions): Promise<Record<string, unknown>> {
    const ansi = options.format === "ansi" || options.strip_ansi === false;
    let rows: string[];
    let truncated = false;
    if (options.source === "visible" || options.source === "detection") {
      rows = trimTail(
        (await this.engine.capture(pane.tmuxId, { ansi: ansi && options.source === "visible" })).split("\n"),
      );
      if (options.source === "detection") rows = bottomLines(rows.join("\n"), 24);
      if (options.lines != null && options.lines < rows.length) {
        rows = rows.slice(rows.length - options.lines);
        truncated = true;
      }
    } else {
      const lines = options.lines ?? 80;
      rows = trimTail(
        (await this.engine.capture(pane.tmuxId, {
          history: lines,
          join: options.source === "recent_unwrapped",
          ansi,
        })).split("\n"),
      );
      if (rows.length > lines) {
        rows = rows.slice(rows.length - lines);
        truncated = true;
      }
    }
    if (this.seenOnRead) {
      pane.unseen = false;
      this.#quietNotified(pane);
    }
    return {
      pane_id: this.paneId(pane),
      workspace_id: pane.tab.workspace.id,
      tab_id: this.tabId(pane.tab),
      source: options.source,
      format: options.format ?? "text",
      text: rows.join("\n"),
      revision: 0,
      truncated,
    };
  }

  /** Sends text as herdr does (bracketed when the program enabled paste mode). */
  async sendText(pane: Pane, text: string): Promise<void> {
    if (text.length > 0) await this.engine.paste(pane.tmuxId, text);
  }

  /** Sends named keys, all validated first. */
  async sendKeys(pane: Pane, keys: string[]): Promise<void> {
    const encoded = encodeKeys(keys, this.flavor.legacy);
    if ("invalid" in encoded) throw new FakeError("invalid_key", `invalid key: ${encoded.invalid}`);
    await this.engine.sendKeys(pane.tmuxId, encoded.ok);
  }

  /** Validates keys without sending (send_input checks before typing anything). */
  checkKeys(keys: string[]): void {
    const encoded = encodeKeys(keys, this.flavor.legacy);
    if ("invalid" in encoded) throw new FakeError("invalid_key", `invalid key: ${encoded.invalid}`);
  }

  // ---- agent state

  /** Applies a `pane.report_agent` report (authoritative over screen rules). */
  report(pane: Pane, source: string, agent: string, state: State): void {
    pane.reported = { source, agent, state };
    this.#setState(pane, state);
  }

  /** Applies `pane.release_agent`: screen detection takes over again. */
  release(pane: Pane, source: string): void {
    if (pane.reported?.source !== source) return;
    const agent = pane.reported.agent;
    pane.reported = null;
    this.emit("pane_agent_detected", {
      pane_id: this.paneId(pane),
      workspace_id: pane.tab.workspace.id,
      agent,
      released: true,
    });
  }

  #setState(pane: Pane, state: State): void {
    if (pane.state === state) return;
    if ((pane.state === "working" || pane.state === "blocked") && state === "idle") pane.unseen = true;
    pane.state = state;
    pane.stateChangeSeq++;
    if (pane.launchPending && (state === "idle" || state === "blocked")) pane.launchPending = false;
    this.#notify(pane);
  }

  #notify(pane: Pane): void {
    const now = this.status(pane);
    if (now === pane.notified) return;
    const before = pane.notified;
    pane.notified = now;
    if (before === "done" && now === "idle") return;
    this.emit("pane_agent_status_changed", {
      pane_id: this.paneId(pane),
      workspace_id: pane.tab.workspace.id,
      agent_status: now,
      agent: this.agentOf(pane),
    });
    for (const listener of this.#statusListeners) listener(pane, now);
  }

  /** One detection pass over every pane (serialised: concurrent callers share the pass). */
  poll(): Promise<void> {
    this.#polling ??= this.#pollOnce().finally(() => {
      this.#polling = null;
    });
    return this.#polling;
  }

  async #pollOnce(): Promise<void> {
    // Only panes known before tmux is asked can be judged by its answer: a pane created while
    // `list-panes` runs is registered once tmux made it, yet may be missing from that listing, and
    // must not be taken for one that exited.
    const known = this.allPanes();
    const live = new Map((await this.engine.list()).map((p) => [p.paneId, p]));
    for (const pane of known) {
      if (!pane.tab.panes.includes(pane)) continue; // closed while this pass ran
      const tmux = live.get(pane.tmuxId);
      if (!tmux || tmux.dead) {
        if (tmux?.dead) await this.engine.kill("pane", pane.tmuxId);
        this.#remove(pane, true);
        continue;
      }
      pane.title = tmux.title === hostname() ? "" : tmux.title;
      const detected = agentOfProcess(await foreground(tmux.pid));
      if (detected !== pane.detected) {
        pane.detected = detected;
        if (!pane.reported) {
          this.emit("pane_agent_detected", {
            pane_id: this.paneId(pane),
            workspace_id: pane.tab.workspace.id,
            agent: detected,
          });
        }
      }
      if (pane.reported) continue;
      if (!detected) {
        this.#setState(pane, "unknown");
        continue;
      }
      let screen: string;
      try {
        screen = await this.engine.capture(pane.tmuxId);
      } catch {
        continue; // the pane died between list and capture; the next pass removes it
      }
      this.#setState(pane, screenState(detected, screen, pane.title));
    }
  }
}

function trimTail(rows: string[]): string[] {
  const out = rows.map((r) => r.replace(/\s+$/, ""));
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

let host: string | undefined;
function hostname(): string {
  host ??= Deno.hostname();
  return host;
}

/** The foreground process of the terminal whose session leader is `pid` (Linux /proc). */
async function foreground(pid: number): Promise<{ comm: string; argv: string[]; forced: string | null }> {
  let target = pid;
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const tpgid = Number(fields[5]);
    if (tpgid > 0) target = tpgid;
  } catch {
    // not Linux, or gone: fall back to the pane's own process
  }
  const read = async (file: string) => await Deno.readTextFile(`/proc/${target}/${file}`).catch(() => "");
  const comm = (await read("comm")).trim();
  const argv = (await read("cmdline")).split("\0").filter((a) => a !== "");
  const forced = /(?:^|\0)HERDR_AGENT=([^\0]*)/.exec(await read("environ"))?.[1] ?? null;
  return { comm, argv, forced };
}
