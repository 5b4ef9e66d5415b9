/**
 * The herdr adapter the pane driver uses. It hides version drift: on herdr ≥0.7 pane ids are stable
 * and used as they are; on herdr ≤0.6 pane ids are positional and renumber when a lower pane closes,
 * so every pane is keyed on its `terminal_id` and re-resolved through `pane.list` before each use.
 * Callers hold a {@linkcode PaneRef} and never care which flavor they talk to.
 *
 * Nothing here changes the human's focus: everything is created with `focus:false`.
 *
 * @module
 */
import { CodexctlError, environmentError, notFoundError, usageError } from "../errors.ts";
import { HerdrClient, type ReadParams, type Subscription, type WireFrame } from "./client.ts";
import { checkKeys } from "./keys.ts";
import type { AgentInfo, AgentStatus, PaneInfo, PaneRead, ReportableState, Snapshot } from "./protocol.ts";
import { type ServerInfo, serverInfo } from "./server_info.ts";
import { quoteArgv } from "./shell_quote.ts";
import { discoverSocket, type SocketDiscovery, type SocketEnv } from "./socket_path.ts";
import type { HerdrSubscription } from "./subscription.ts";
import { StatusWatch, waitForStatus, type WaitOutcome } from "./status_watch.ts";
import { type PaneRef, refOf } from "./pane_ref.ts";

/** Options of {@linkcode connectHerdr}. */
export interface ConnectOptions {
  /** Where discovery reads `HERDR_SOCKET_PATH` and friends (default: the process environment). */
  env?: SocketEnv;
  /** Use this socket instead of discovering one. */
  socketPath?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Cap on one reply line. */
  maxFrameBytes?: number;
  /** Sees every line on the wire (contract tests). */
  observer?: (frame: WireFrame) => void;
}

/** Where to spawn: a split of a pane, a new tab, or a new workspace ("space"). */
export type SpawnPlace = "pane" | "tab" | "space";

/** Options of {@linkcode Herdr.spawn}. */
export interface SpawnOptions {
  in: SpawnPlace;
  /** The program and its arguments, typed into the new pane's shell (quoted). */
  argv: string[];
  /** Working directory of the new pane. */
  cwd?: string;
  /** Extra environment for the new pane's shell (herdr's own `HERDR_*` variables win). */
  env?: Record<string, string>;
  /** Label of the new pane (sidebar). */
  label?: string;
  /** Label of the new tab (`tab`, `space`). */
  tabLabel?: string;
  /** Label of the new workspace (`space`). */
  workspaceLabel?: string;
  /** `pane`: the pane to split; `tab`: a pane of the workspace to add the tab to. Default: the caller's pane. */
  near?: PaneRef | string;
  /** `tab`: the workspace to add the tab to (wins over `near`). */
  workspaceId?: string;
  /** `pane`: split direction (default right). */
  direction?: "right" | "down";
  /** `pane`: split ratio. */
  ratio?: number;
  /** Prefix the command with `exec` so the pane ends when the program ends (default true). */
  exec?: boolean;
}

/** What {@linkcode Herdr.spawn} created. */
export interface Spawned {
  pane: PaneInfo;
  ref: PaneRef;
  /** The tab created for it (`tab`, `space`), else null. */
  created_tab_id: string | null;
  /** The workspace created for it (`space`), else null. */
  created_workspace_id: string | null;
}

/** Discovers herdr's socket, pings it, and returns an adapter bound to that server. */
export async function connectHerdr(options: ConnectOptions = {}): Promise<Herdr> {
  const discovery: SocketDiscovery = options.socketPath
    ? {
      path: options.socketPath,
      source: "HERDR_SOCKET_PATH",
      found: true,
      candidates: [{ path: options.socketPath, source: "HERDR_SOCKET_PATH", exists: true }],
    }
    : discoverSocket(options.env ?? Deno.env);
  const client = new HerdrClient({
    socketPath: discovery.path,
    timeoutMs: options.timeoutMs,
    maxFrameBytes: options.maxFrameBytes,
    observer: options.observer,
  });
  const pong = await client.ping();
  return new Herdr(client, serverInfo(pong), discovery);
}

/** A herdr server, with version drift hidden. */
export class Herdr {
  constructor(
    readonly client: HerdrClient,
    readonly server: ServerInfo,
    readonly socket: SocketDiscovery,
  ) {}

  /** True on herdr ≤0.6 (positional pane ids). */
  get legacy(): boolean {
    return this.server.flavor === "legacy";
  }

  // ---- resolving panes

  /** The pane's current record; throws `not_found/PANE_GONE` when it no longer exists. */
  async resolve(ref: PaneRef): Promise<PaneInfo> {
    const pane = await this.find(ref);
    if (!pane) {
      throw notFoundError(
        "PANE_GONE",
        `herdr pane ${ref.pane_id} (terminal ${ref.terminal_id}) no longer exists`,
        "the pane was closed or its program exited; start a new one",
      );
    }
    return pane;
  }

  /** The pane's current record, or null when it is gone. */
  async find(ref: PaneRef): Promise<PaneInfo | null> {
    if (this.legacy) {
      const panes = await this.client.paneList();
      const pane = panes.find((p) => p.terminal_id === ref.terminal_id) ?? null;
      if (pane) Object.assign(ref, refOf(pane));
      return pane;
    }
    try {
      const pane = await this.client.paneGet(ref.pane_id);
      if (pane.terminal_id !== ref.terminal_id) return null;
      return pane;
    } catch (err) {
      if (err instanceof CodexctlError && err.errorClass === "not_found") return null;
      throw err;
    }
  }

  /** The pane id to use right now (re-resolved on herdr ≤0.6). */
  async paneId(ref: PaneRef): Promise<string> {
    return this.legacy ? (await this.resolve(ref)).pane_id : ref.pane_id;
  }

  /** The pane codexctl itself runs in (`HERDR_PANE_ID`), or null outside herdr. */
  async callerPane(env: SocketEnv = Deno.env): Promise<PaneInfo | null> {
    const id = env.get("HERDR_PANE_ID");
    if (!id) return null;
    return await this.client.paneGet(id);
  }

  /** Every pane (all workspaces). */
  panes(workspaceId?: string): Promise<PaneInfo[]> {
    return this.client.paneList(workspaceId);
  }

  /** The whole session. */
  snapshot(): Promise<Snapshot> {
    return this.client.snapshot();
  }

  /**
   * Subscribes first, then snapshots: herdr 0.9 no longer replays past events, so anything not in
   * the snapshot is guaranteed to arrive on the subscription (0.8 may also replay older events).
   */
  async subscribeThenSnapshot(
    subscriptions: Subscription[],
  ): Promise<{ subscription: HerdrSubscription; snapshot: Snapshot }> {
    const subscription = await this.client.subscribe(subscriptions);
    try {
      return { subscription, snapshot: await this.client.snapshot() };
    } catch (err) {
      subscription.close();
      throw err;
    }
  }

  // ---- spawning

  async #nearPane(near: PaneRef | string | undefined, env: SocketEnv): Promise<PaneInfo | null> {
    if (near === undefined) return await this.callerPane(env);
    if (typeof near === "string") return await this.client.paneGet(near);
    return await this.resolve(near);
  }

  /**
   * Spawns `argv` unfocused: in a split of a pane (`pane`), in a new tab (`tab`), or in a new
   * workspace (`space`), by typing the quoted command into the new pane's shell. A tab or workspace
   * created for it is closed again if anything after its creation fails.
   */
  async spawn(options: SpawnOptions, env: SocketEnv = Deno.env): Promise<Spawned> {
    const command = (options.exec ?? true ? "exec " : "") + quoteArgv(options.argv);
    let pane: PaneInfo;
    let createdTab: string | null = null;
    let createdWorkspace: string | null = null;
    if (options.in === "pane") {
      const near = await this.#nearPane(options.near, env);
      if (!near) {
        throw usageError(
          "NO_HERDR_PANE",
          "spawning in a pane splits the caller's herdr pane, but codexctl is not running inside herdr",
          "run codexctl from a herdr pane, or spawn in a tab or a space instead",
        );
      }
      pane = await this.client.paneSplit({
        target_pane_id: near.pane_id,
        direction: options.direction ?? "right",
        ...(options.ratio !== undefined ? { ratio: options.ratio } : {}),
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
      });
    } else if (options.in === "tab") {
      const workspaceId = options.workspaceId ?? (await this.#nearPane(options.near, env))?.workspace_id;
      if (!workspaceId) {
        throw usageError(
          "NO_HERDR_WORKSPACE",
          "spawning in a tab needs a workspace, but codexctl is not running inside herdr",
          "run codexctl from a herdr pane, pass the workspace, or spawn in a space instead",
        );
      }
      const created = await this.client.tabCreate({
        workspace_id: workspaceId,
        ...(options.tabLabel !== undefined ? { label: options.tabLabel } : {}),
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
      });
      createdTab = created.tab.tab_id;
      pane = created.root_pane;
    } else {
      const created = await this.client.workspaceCreate({
        ...(options.workspaceLabel !== undefined ? { label: options.workspaceLabel } : {}),
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
      });
      createdWorkspace = created.workspace.workspace_id;
      createdTab = created.tab.tab_id;
      pane = created.root_pane;
    }
    const ref = refOf(pane);
    try {
      if (options.in === "space" && options.tabLabel !== undefined) {
        await this.client.tabRename(await this.#tabId(ref), options.tabLabel);
      }
      if (options.label !== undefined) await this.rename(ref, options.label);
      await this.sendInput(ref, { text: command, keys: ["Enter"] });
      return {
        pane: await this.resolve(ref),
        ref,
        created_tab_id: createdTab,
        created_workspace_id: createdWorkspace,
      };
    } catch (err) {
      await this.#rollback(ref, createdTab, createdWorkspace);
      throw err;
    }
  }

  async #tabId(ref: PaneRef): Promise<string> {
    return this.legacy ? (await this.resolve(ref)).tab_id : ref.tab_id;
  }

  async #rollback(ref: PaneRef, tab: string | null, workspace: string | null): Promise<void> {
    try {
      if (workspace) await this.client.workspaceClose(workspace);
      else if (tab) await this.client.tabClose(this.legacy ? (await this.resolve(ref)).tab_id : tab);
      else await this.close(ref);
    } catch {
      // best effort: the original error matters more
    }
  }

  /** Types `argv` (quoted) into the pane's shell and presses Enter. */
  async run(ref: PaneRef, argv: string[], options: { exec?: boolean } = {}): Promise<void> {
    const command = (options.exec ? "exec " : "") + quoteArgv(argv);
    await this.sendInput(ref, { text: command, keys: ["Enter"] });
  }

  /** `agent.start` (herdr ≥0.7 only): herdr types the kind's executable with `args`. */
  async startAgent(
    ref: PaneRef,
    options: { name: string; kind: string; args?: string[] },
  ): Promise<AgentInfo> {
    if (this.legacy) {
      throw environmentError(
        "HERDR_TOO_OLD",
        `herdr ${this.server.version} has a different agent.start; codexctl starts agents there with spawn/run`,
        { suggestion: "use spawn or run, or upgrade herdr to 0.7 or later" },
      );
    }
    const started = await this.client.agentStart({
      name: options.name,
      kind: options.kind,
      pane_id: ref.pane_id,
      ...(options.args ? { args: options.args } : {}),
    });
    return started.agent;
  }

  // ---- reading and writing

  /** Reads the pane (`recent` by default: scrollback plus screen). */
  async read(ref: PaneRef, params: Partial<ReadParams> = {}): Promise<PaneRead> {
    return await this.client.paneRead(await this.paneId(ref), { source: "recent", ...params });
  }

  /** Sends text (bracketed paste when the program asked for it), without Enter. */
  async sendText(ref: PaneRef, text: string): Promise<void> {
    await this.client.paneSendText(await this.paneId(ref), text);
  }

  /** Sends named keys, checked against this herdr's vocabulary first. */
  async sendKeys(ref: PaneRef, keys: readonly string[]): Promise<void> {
    checkKeys(keys, this.server.flavor);
    await this.client.paneSendKeys(await this.paneId(ref), keys);
  }

  /** Sends text then keys in one call. */
  async sendInput(ref: PaneRef, input: { text?: string; keys?: readonly string[] }): Promise<void> {
    if (input.keys) checkKeys(input.keys, this.server.flavor);
    await this.client.paneSendInput(await this.paneId(ref), input);
  }

  /** Sets (or, with null, clears) the pane's sidebar label. */
  async rename(ref: PaneRef, label: string | null): Promise<PaneInfo> {
    return await this.client.paneRename(await this.paneId(ref), label);
  }

  /** Focuses the pane (this marks it seen, turning `done` into `idle`). */
  async focus(ref: PaneRef): Promise<PaneInfo> {
    return await this.client.paneFocus(await this.paneId(ref));
  }

  // ---- agent status

  /** The pane's agent status and detected agent. */
  async status(ref: PaneRef): Promise<{ status: AgentStatus; agent: string | null; pane: PaneInfo }> {
    const pane = await this.resolve(ref);
    return { status: pane.agent_status, agent: pane.agent ?? null, pane };
  }

  /** Opens a watch on the pane's status: the current status first, then each change. */
  watchStatus(ref: PaneRef): Promise<StatusWatch> {
    return StatusWatch.open(this, ref);
  }

  /**
   * Waits until the pane's status is one of `until` (`idle` also accepts `done`), the pane is
   * gone, or `timeoutMs` passes. Subscribes before it looks, so no change is missed.
   */
  waitForStatus(ref: PaneRef, until: readonly AgentStatus[], timeoutMs: number): Promise<WaitOutcome> {
    return waitForStatus(this, ref, until, timeoutMs);
  }

  /** An integration reports the pane's agent state (`pane.report_agent`). */
  async reportAgent(
    ref: PaneRef,
    report: { source: string; agent: string; state: ReportableState; message?: string },
  ): Promise<void> {
    await this.client.paneReportAgent({ pane_id: await this.paneId(ref), ...report });
  }

  /** The reporting integration lets go of the pane (`pane.release_agent`). */
  async releaseAgent(ref: PaneRef, release: { source: string; agent: string }): Promise<void> {
    await this.client.paneReleaseAgent({ pane_id: await this.paneId(ref), ...release });
  }

  // ---- ending

  /** Closes the pane; with `ifExists`, a pane that is already gone is not an error. */
  async close(ref: PaneRef, options: { ifExists?: boolean } = {}): Promise<boolean> {
    try {
      await this.client.paneClose(await this.paneId(ref));
      return true;
    } catch (err) {
      if (options.ifExists && err instanceof CodexctlError && err.errorClass === "not_found") return false;
      throw err;
    }
  }
}

export type { PaneRef, WaitOutcome };
export { refOf, StatusWatch };
