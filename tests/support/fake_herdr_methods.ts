/**
 * The fake herdr's one-shot methods: params (already checked against herdr's schema) → model
 * operation → result record, or a {@linkcode FakeError} with herdr's own code. Long-lived methods
 * (`events.subscribe`, `events.wait`, `agent.wait`, `pane.wait_for_output`, `agent.prompt` with
 * `wait`) live in `fake_herdr.ts`. Methods of the schema the fake does not model answer
 * `not_implemented`, so gaps fail loudly.
 *
 * @module
 */
import { AGENT_KINDS } from "./fake_herdr_detect.ts";
import { FakeError, type FakeModel, type Pane, type ReadOptions } from "./fake_herdr_model.ts";

type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

const AGENT_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

function str(params: Params, key: string): string {
  return params[key] as string;
}

function opt<T>(params: Params, key: string): T | undefined {
  const v = params[key];
  return v === null || v === undefined ? undefined : v as T;
}

function quote(word: string): string {
  return /^[A-Za-z0-9_\/.,:@%+=-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function focusedPane(model: FakeModel, workspaceId?: string): Pane {
  const ws = workspaceId ? model.workspace(workspaceId) : model.focusedWorkspace;
  const pane = ws?.activeTab?.activePane;
  if (!pane) throw new FakeError("no_active_pane", "no active pane");
  return pane;
}

/** Methods the fake answers in one line. */
export const ONE_SHOT: Readonly<Record<string, (model: FakeModel, params: Params) => Promise<Result>>> = {
  ping: (model) =>
    Promise.resolve({
      type: "pong",
      version: model.flavor.version,
      protocol: model.flavor.protocol,
      ...(model.flavor.legacy
        ? {}
        : { capabilities: { live_handoff: false, detached_server_daemon: false } }),
    }),
  "session.snapshot": (model) => Promise.resolve({ type: "session_snapshot", snapshot: model.snapshot() }),

  // ---- workspaces
  "workspace.create": async (model, p) => {
    const { ws, tab, pane } = await model.createWorkspace({
      cwd: opt(p, "cwd"),
      label: opt(p, "label"),
      focus: opt(p, "focus") ?? false,
      env: opt(p, "env"),
    });
    return {
      type: "workspace_created",
      workspace: model.workspaceInfo(ws),
      tab: model.tabInfo(tab),
      root_pane: model.paneInfo(pane),
    };
  },
  "workspace.list": (model) =>
    Promise.resolve({
      type: "workspace_list",
      workspaces: model.workspaces.map((w) => model.workspaceInfo(w)),
    }),
  "workspace.get": (model, p) =>
    Promise.resolve({
      type: "workspace_info",
      workspace: model.workspaceInfo(model.workspace(str(p, "workspace_id"))),
    }),
  "workspace.focus": (model, p) => {
    const ws = model.workspace(str(p, "workspace_id"));
    model.focusWorkspace(ws);
    return Promise.resolve({ type: "workspace_info", workspace: model.workspaceInfo(ws) });
  },
  "workspace.rename": (model, p) => {
    const ws = model.workspace(str(p, "workspace_id"));
    ws.label = str(p, "label");
    model.emit("workspace_renamed", { workspace_id: ws.id, label: ws.label });
    return Promise.resolve({ type: "workspace_info", workspace: model.workspaceInfo(ws) });
  },
  "workspace.close": async (model, p) => {
    await model.closeWorkspace(model.workspace(str(p, "workspace_id")));
    return { type: "ok" };
  },

  // ---- tabs
  "tab.create": async (model, p) => {
    const wsId = opt<string>(p, "workspace_id");
    const ws = wsId ? model.workspace(wsId) : model.focusedWorkspace;
    if (!ws) throw new FakeError("no_active_workspace", "no workspace to add the tab to");
    const { tab, pane } = await model.createTab(ws, {
      cwd: opt(p, "cwd"),
      label: opt(p, "label"),
      focus: opt(p, "focus") ?? false,
      env: opt(p, "env"),
    });
    return { type: "tab_created", tab: model.tabInfo(tab), root_pane: model.paneInfo(pane) };
  },
  "tab.list": (model, p) => {
    const wsId = opt<string>(p, "workspace_id");
    const wss = wsId ? [model.workspace(wsId)] : model.workspaces;
    return Promise.resolve({
      type: "tab_list",
      tabs: wss.flatMap((w) => w.tabs.map((t) => model.tabInfo(t))),
    });
  },
  "tab.get": (model, p) =>
    Promise.resolve({ type: "tab_info", tab: model.tabInfo(model.tab(str(p, "tab_id"))) }),
  "tab.focus": (model, p) => {
    const tab = model.tab(str(p, "tab_id"));
    model.focusTab(tab);
    return Promise.resolve({ type: "tab_info", tab: model.tabInfo(tab) });
  },
  "tab.rename": (model, p) => {
    const tab = model.tab(str(p, "tab_id"));
    tab.label = str(p, "label");
    model.emit("tab_renamed", { tab_id: model.tabId(tab), workspace_id: tab.workspace.id, label: tab.label });
    return Promise.resolve({ type: "tab_info", tab: model.tabInfo(tab) });
  },
  "tab.close": async (model, p) => {
    await model.closeTab(model.tab(str(p, "tab_id")));
    return { type: "ok" };
  },

  // ---- panes
  "pane.list": (model, p) => {
    const wsId = opt<string>(p, "workspace_id");
    const panes = wsId ? model.panesOf(model.workspace(wsId)) : model.allPanes();
    return Promise.resolve({ type: "pane_list", panes: panes.map((x) => model.paneInfo(x)) });
  },
  "pane.get": (model, p) =>
    Promise.resolve({ type: "pane_info", pane: model.paneInfo(model.pane(str(p, "pane_id"))) }),
  "pane.current": (model, p) => {
    const caller = opt<string>(p, "caller_pane_id");
    const pane = caller ? model.pane(caller) : focusedPane(model);
    return Promise.resolve({ type: "pane_current", pane: model.paneInfo(pane) });
  },
  "pane.focus": (model, p) => {
    const pane = model.pane(str(p, "pane_id"));
    model.focusPane(pane);
    return Promise.resolve({ type: "pane_info", pane: model.paneInfo(pane) });
  },
  "pane.rename": (model, p) => {
    const pane = model.pane(str(p, "pane_id"));
    pane.label = opt<string>(p, "label") ?? null;
    model.emit("pane_updated", { pane: model.paneInfo(pane) });
    return Promise.resolve({ type: "pane_info", pane: model.paneInfo(pane) });
  },
  "pane.close": async (model, p) => {
    await model.closePane(model.pane(str(p, "pane_id")));
    return { type: "ok" };
  },
  "pane.split": async (model, p) => {
    const targetId = opt<string>(p, "target_pane_id");
    const target = targetId
      ? model.pane(targetId, "target_pane_not_found")
      : focusedPane(model, opt(p, "workspace_id"));
    const pane = await model.split(target, {
      direction: p.direction as "right" | "down",
      ratio: opt(p, "ratio"),
      cwd: opt(p, "cwd"),
      focus: opt(p, "focus") ?? false,
      env: opt(p, "env"),
    });
    return { type: "pane_info", pane: model.paneInfo(pane) };
  },
  "pane.send_text": async (model, p) => {
    await model.sendText(model.pane(str(p, "pane_id")), str(p, "text"));
    return { type: "ok" };
  },
  "pane.send_keys": async (model, p) => {
    await model.sendKeys(model.pane(str(p, "pane_id")), p.keys as string[]);
    return { type: "ok" };
  },
  "pane.send_input": async (model, p) => {
    const pane = model.pane(str(p, "pane_id"));
    const keys = opt<string[]>(p, "keys") ?? [];
    model.checkKeys(keys);
    await model.sendText(pane, opt<string>(p, "text") ?? "");
    if (keys.length) await model.sendKeys(pane, keys);
    return { type: "ok" };
  },
  "pane.read": async (model, p) => {
    const pane = model.pane(str(p, "pane_id"));
    return { type: "pane_read", read: await model.read(pane, p as unknown as ReadOptions) };
  },
  "pane.report_agent": (model, p) => {
    model.report(model.pane(str(p, "pane_id")), str(p, "source"), str(p, "agent"), p.state as "idle");
    return Promise.resolve({ type: "ok" });
  },
  "pane.release_agent": (model, p) => {
    model.release(model.pane(str(p, "pane_id")), str(p, "source"));
    return Promise.resolve({ type: "ok" });
  },
  "pane.clear_agent_authority": (model, p) => {
    const pane = model.pane(str(p, "pane_id"));
    if (pane.reported) model.release(pane, opt<string>(p, "source") ?? pane.reported.source);
    return Promise.resolve({ type: "ok" });
  },
  "pane.report_agent_session": (model, p) => {
    model.pane(str(p, "pane_id"));
    return Promise.resolve({ type: "ok" });
  },

  // ---- agents
  "agent.list": (model) =>
    Promise.resolve({
      type: "agent_list",
      agents: model.allPanes().filter((x) => model.agentOf(x) !== null || x.agentName !== null).map((x) =>
        model.agentInfo(x)
      ),
    }),
  "agent.get": (model, p) =>
    Promise.resolve({ type: "agent_info", agent: model.agentInfo(model.agent(str(p, "target"))) }),
  "agent.focus": (model, p) => {
    const pane = model.agent(str(p, "target"));
    model.focusPane(pane);
    return Promise.resolve({ type: "agent_info", agent: model.agentInfo(pane) });
  },
  "agent.rename": (model, p) => {
    const pane = model.agent(str(p, "target"));
    const name = opt<string>(p, "name") ?? null;
    if (name !== null && !AGENT_NAME.test(name)) {
      throw new FakeError("invalid_agent_name", `bad agent name ${name}`);
    }
    if (name !== null && model.allPanes().some((x) => x !== pane && x.agentName === name)) {
      throw new FakeError("agent_name_taken", `agent name ${name} is taken`);
    }
    pane.agentName = name;
    return Promise.resolve({ type: "agent_info", agent: model.agentInfo(pane) });
  },
  "agent.read": async (model, p) => {
    const pane = model.agent(str(p, "target"));
    const { target: _target, ...read } = p;
    return { type: "pane_read", read: await model.read(pane, read as unknown as ReadOptions) };
  },
  "agent.send_keys": async (model, p) => {
    await model.sendKeys(model.agent(str(p, "target")), p.keys as string[]);
    return { type: "ok" };
  },
  "agent.start": async (model, p) => {
    const name = str(p, "name");
    const kind = str(p, "kind");
    const timeout = opt<number>(p, "timeout_ms");
    if (!AGENT_NAME.test(name)) {
      throw new FakeError("invalid_agent_name", `agent names match [a-z][a-z0-9_-]{0,31}`);
    }
    if (!AGENT_KINDS.includes(kind)) {
      throw new FakeError("unsupported_agent_kind", `unsupported agent kind ${kind}`);
    }
    if (timeout !== undefined && !(timeout > 3000 && timeout <= 300_000)) {
      throw new FakeError("invalid_agent_timeout", "timeout_ms must be above 3000 and at most 300000");
    }
    if (model.allPanes().some((x) => x.agentName === name)) {
      throw new FakeError("agent_name_taken", `agent name ${name} is taken`);
    }
    const pane = model.pane(str(p, "pane_id"), "agent_pane_not_found");
    if (model.agentOf(pane) !== null) {
      throw new FakeError("agent_pane_busy", "the pane already runs an agent");
    }
    const argv = [kind, ...(opt<string[]>(p, "args") ?? [])];
    pane.agentName = name;
    pane.launchPending = true;
    await model.sendText(pane, argv.map(quote).join(" "));
    await model.sendKeys(pane, ["Enter"]);
    return { type: "agent_started", agent: model.agentInfo(pane), argv };
  },
  "agent.prompt": async (model, p) => {
    const pane = model.agent(str(p, "target"));
    if (model.status(pane) === "blocked") throw new FakeError("agent_blocked", "the agent is blocked");
    if (str(p, "text").length === 0) throw new FakeError("empty_agent_prompt", "the prompt is empty");
    await model.sendText(pane, str(p, "text"));
    await sleep(300);
    await model.sendKeys(pane, ["Enter"]);
    return { type: "agent_prompted", agent: model.agentInfo(pane) };
  },
};

/** Methods handled on a long-lived connection (see fake_herdr.ts). */
export const LONG_LIVED: ReadonlySet<string> = new Set([
  "events.subscribe",
  "events.wait",
  "agent.wait",
  "pane.wait_for_output",
]);
