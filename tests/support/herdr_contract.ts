/**
 * The herdr contract: behaviour codexctl's herdr client relies on, written once and run against the
 * fake herdr (every flavor) and, when installed, a real `herdr server`. Every line the client sends
 * and receives is checked against herdr's own JSON schema by a wire observer; a case fails when any
 * frame breaks it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { isCodexctlError } from "./errors.ts";
import type { WireFrame } from "../../src/herdr/client.ts";
import { connectHerdr, type Herdr, type PaneRef, refOf } from "../../src/herdr/herdr.ts";
import type { AgentStatus } from "../../src/herdr/protocol.ts";
import type { HerdrEvent } from "../../src/herdr/subscription.ts";
import { HerdrSchema, herdrSchema } from "./herdr_schema.ts";

/** A server the contract runs against. */
export interface ContractTarget {
  socketPath: string;
  /** How strictly the server's own frames are checked: the fake strictly, a real herdr as herdr ships it. */
  serverLevel: "strict" | "herdr";
  /** Whether new lifecycle subscriptions replay retained events (herdr 0.8) or start at the live edge. */
  replays: boolean;
  /** A directory panes may start in. */
  cwd: string;
}

/** A connection whose every frame is schema-checked. */
export interface CheckedHerdr {
  herdr: Herdr;
  frames: WireFrame[];
  /** Throws listing every frame that broke herdr's schema. */
  assertValid(): void;
}

/** Connects with a wire observer that checks every frame against herdr's schema. */
export async function connectChecked(target: ContractTarget, timeoutMs = 10_000): Promise<CheckedHerdr> {
  const schema = herdrSchema();
  const frames: WireFrame[] = [];
  const problems: string[] = [];
  const observer = (frame: WireFrame) => {
    frames.push(frame);
    const kind = frame.direction === "sent" ? "request" : HerdrSchema.kindOfServerFrame(frame.value);
    const level = frame.direction === "sent" ? "strict" : target.serverLevel;
    const res = schema.check(kind, frame.value, level);
    if (!res.ok) {
      problems.push(`${frame.direction} ${frame.method} (${kind}): ${res.errors.slice(0, 3).join("; ")}`);
    }
  };
  const herdr = await connectHerdr({ socketPath: target.socketPath, observer, timeoutMs });
  return {
    herdr,
    frames,
    assertValid() {
      assert.equal(frames.length > 0, true, "the observer saw the traffic");
      assert.deepEqual(problems, [], `frames broke herdr's schema:\n${problems.join("\n")}`);
    },
  };
}

/** Polls `fn` until it returns a value (not undefined/false), or throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
}

/**
 * Records every status the pane goes through while `body` runs (a watch in the background), and
 * returns them in order.
 */
export async function recordStatuses(
  h: Herdr,
  ref: PaneRef,
  body: () => Promise<void>,
): Promise<AgentStatus[]> {
  const seen: AgentStatus[] = [];
  const watch = await h.watchStatus(ref);
  let recording = true;
  const recorder = (async () => {
    while (recording) {
      const r = await watch.next(200);
      if (r.kind === "status") seen.push(r.status);
      if (r.kind === "gone") return;
    }
  })();
  try {
    await body();
  } finally {
    recording = false;
    await recorder.catch(() => {});
    watch.close();
  }
  return seen;
}

/** Asserts `seen` passes through `expected` in that order (other statuses may come in between). */
export function assertPassesThrough(seen: readonly string[], expected: readonly string[]): void {
  let at = 0;
  for (const s of seen) if (s === expected[at]) at++;
  assert.equal(
    at,
    expected.length,
    `expected the status to go ${expected.join(" → ")}; it went ${seen.join(" → ")}`,
  );
}

/** Waits until the pane's recent text contains `needle`. */
export function waitForText(herdr: Herdr, ref: PaneRef, needle: string): Promise<string> {
  return eventually(`"${needle}" in pane ${ref.pane_id}`, async () => {
    const read = await herdr.read(ref, { source: "recent", lines: 200 });
    return read.text.includes(needle) ? read.text : undefined;
  });
}

/**
 * Waits until the pane's shell has printed its prompt (the last line ends in `$`, `#`, `%` or `>`).
 * Text typed earlier still runs, but the tty echoes it before the prompt appears, so the command's
 * output lands on the prompt's line (`# marker`); call this before typing into a fresh pane when a
 * check needs the output at the start of a line.
 */
export function waitForShell(herdr: Herdr, ref: PaneRef): Promise<string> {
  return eventually(`a shell prompt in pane ${ref.pane_id}`, async () => {
    const read = await herdr.read(ref, { source: "recent", lines: 200 });
    return /[$#%>]$/.test(read.text.trimEnd()) ? read.text : undefined;
  });
}

/** One contract case. */
export interface ContractCase {
  name: string;
  run(h: Herdr, target: ContractTarget): Promise<void>;
}

/** A workspace to play in, closed afterwards. */
async function withWorkspace(
  h: Herdr,
  target: ContractTarget,
  fn: (root: PaneRef) => Promise<void>,
): Promise<void> {
  const created = await h.client.workspaceCreate({ cwd: target.cwd, label: "contract" });
  try {
    await fn(refOf(created.root_pane));
  } finally {
    await h.client.workspaceClose(created.workspace.workspace_id).catch(() => {});
  }
}

/** Every contract case. */
export const CONTRACT: readonly ContractCase[] = [
  {
    name: "ping reports version, protocol and the id flavor",
    async run(h) {
      assert.match(h.server.version, /^\d+\.\d+/);
      assert.ok(Number.isInteger(h.server.protocol) && h.server.protocol > 0);
      const again = await h.client.ping();
      assert.equal(again.protocol, h.server.protocol);
    },
  },
  {
    name:
      "workspaces, tabs and splits are created unfocused, listed, read and closed; a closed pane is not_found",
    async run(h, target) {
      const before = await h.snapshot();
      const ws = await h.client.workspaceCreate({ cwd: target.cwd, label: "contract-ws" });
      try {
        assert.equal(ws.workspace.label, "contract-ws");
        assert.equal(ws.root_pane.workspace_id, ws.workspace.workspace_id);
        assert.equal(ws.root_pane.tab_id, ws.tab.tab_id);
        const tab = await h.client.tabCreate({ workspace_id: ws.workspace.workspace_id, label: "second" });
        assert.equal(tab.tab.label, "second");
        const split = await h.client.paneSplit({ target_pane_id: tab.root_pane.pane_id, direction: "right" });
        assert.equal(split.tab_id, tab.tab.tab_id);
        assert.notEqual(split.terminal_id, tab.root_pane.terminal_id);
        const panes = await h.client.paneList(ws.workspace.workspace_id);
        assert.deepEqual(
          panes.map((p) => p.terminal_id).sort(),
          [ws.root_pane.terminal_id, tab.root_pane.terminal_id, split.terminal_id].sort(),
        );
        const tabs = await h.client.tabList(ws.workspace.workspace_id);
        assert.equal(tabs.length, 2);
        assert.equal((await h.client.tabGet(tab.tab.tab_id)).pane_count, 2);
        assert.equal((await h.client.workspaceGet(ws.workspace.workspace_id)).tab_count, 2);
        assert.ok((await h.client.workspaceList()).some((w) => w.workspace_id === ws.workspace.workspace_id));
        if (before.focused_pane_id) {
          assert.equal(
            (await h.snapshot()).focused_pane_id,
            before.focused_pane_id,
            "creating stole no focus",
          );
        }
        const splitRef = refOf(split);
        assert.equal(await h.close(splitRef), true);
        await assert.rejects(h.resolve(splitRef), isCodexctlError("PANE_GONE", 4));
        assert.equal(await h.close(splitRef, { ifExists: true }), false);
        await h.client.tabClose(tab.tab.tab_id);
        assert.equal((await h.client.tabList(ws.workspace.workspace_id)).length, 1);
      } finally {
        await h.client.workspaceClose(ws.workspace.workspace_id);
      }
      await assert.rejects(
        h.client.workspaceGet(ws.workspace.workspace_id),
        isCodexctlError("WORKSPACE_NOT_FOUND", 4),
      );
    },
  },
  {
    name: "text typed into a pane's shell runs, and reads back from visible, recent and recent_unwrapped",
    async run(h, target) {
      await withWorkspace(h, target, async (root) => {
        await waitForShell(h, root);
        await h.run(root, ["printf", "%s-%s\\n", "contract", "marker"]);
        await waitForText(h, root, "contract-marker");
        for (const source of ["visible", "recent", "recent_unwrapped"] as const) {
          const read = await h.read(root, { source, lines: 50 });
          assert.equal(read.source, source);
          assert.equal(read.format, "text");
          assert.equal(read.pane_id, root.pane_id);
          assert.match(read.text, /^contract-marker$/m, `${source} read:\n${read.text}`);
        }
        await h.sendText(root, "echo typed-by-send-text");
        await h.sendKeys(root, ["Enter"]);
        await waitForText(h, root, "\ntyped-by-send-text");
      });
    },
  },
  {
    name: "an unknown key is refused before anything is typed (by codexctl, and by herdr itself)",
    async run(h, target) {
      await withWorkspace(h, target, async (root) => {
        await assert.rejects(h.sendKeys(root, ["Enter", "Home"]), isCodexctlError("BAD_KEY", 2));
        await assert.rejects(
          h.client.paneSendKeys(root.pane_id, ["Home"]),
          isCodexctlError("HERDR_INVALID_KEY", 3),
        );
      });
    },
  },
  {
    name:
      "a pane handle and a status watch survive other panes closing (legacy ids renumber; terminal ids do not)",
    async run(h, target) {
      await withWorkspace(h, target, async (root) => {
        const second = refOf(await h.client.paneSplit({ target_pane_id: root.pane_id, direction: "right" }));
        const third = refOf(await h.client.paneSplit({ target_pane_id: second.pane_id, direction: "down" }));
        await waitForShell(h, third);
        await h.run(third, ["echo", "i-am-the-third"]);
        await waitForText(h, third, "\ni-am-the-third");
        const idBefore = third.pane_id;
        const watch = await h.watchStatus(third);
        try {
          assert.equal((await watch.next(5_000)).kind, "status");
          await h.close(root);
          await h.reportAgent(third, { source: "custom:contract", agent: "contract", state: "working" });
          const seen = await watch.next(10_000);
          assert.equal(seen.kind === "status" && seen.status, "working", "a watch keeps following its pane");
        } finally {
          watch.close();
        }
        const now = await h.resolve(third);
        assert.equal(now.terminal_id, third.terminal_id);
        if (h.legacy) {
          assert.notEqual(now.pane_id, idBefore, "a legacy positional id shifts when a lower pane closes");
        } else assert.equal(now.pane_id, idBefore, "a current id is stable");
        const text = (await h.read(third, { source: "recent", lines: 50 })).text;
        assert.match(text, /^i-am-the-third$/m, "the handle still reads its own pane");
        await h.rename(third, "still-me");
        const panes = await h.panes(third.workspace_id);
        assert.equal(panes.find((p) => p.terminal_id === third.terminal_id)?.label, "still-me");
        assert.equal(panes.find((p) => p.terminal_id === second.terminal_id)?.label ?? null, null);
      });
    },
  },
  {
    name: "subscribe, then snapshot: no pane is missed between the two (replay only where herdr replays)",
    async run(h, target) {
      await withWorkspace(h, target, async (root) => {
        const { subscription, snapshot } = await h.subscribeThenSnapshot([{ type: "pane.created" }]);
        try {
          assert.ok(
            snapshot.panes.some((p) => p.terminal_id === root.terminal_id),
            "the snapshot has the old pane",
          );
          const fresh = await h.client.paneSplit({ target_pane_id: root.pane_id, direction: "down" });
          const events: HerdrEvent[] = [];
          await eventually("the new pane's pane_created event", async () => {
            const read = await subscription.next(200);
            if (read.type === "event") events.push(read.event);
            return events.some((e) => e.name === "pane_created" && e.pane_id === fresh.pane_id);
          });
          const replayed = events.some((e) => e.name === "pane_created" && e.pane_id === root.pane_id);
          assert.equal(
            replayed,
            target.replays,
            target.replays ? "0.8 replays retained events" : "no replay",
          );
          for (const e of events) assert.equal(e.wireName, "pane_created", "lifecycle events use snake_case");
        } finally {
          subscription.close();
        }
      });
    },
  },
  {
    name:
      "status: a plain shell is unknown; a reporting agent moves working → blocked → done; focus makes it idle",
    async run(h, target) {
      await withWorkspace(h, target, async (root) => {
        assert.equal((await h.status(root)).status, "unknown");
        const watch = await h.watchStatus(root);
        try {
          assert.deepEqual(await watch.next(5_000), { kind: "status", status: "unknown", agent: null });
          const report = { source: "custom:contract", agent: "contract" };
          await h.reportAgent(root, { ...report, state: "working" });
          const working = await watch.next(10_000);
          assert.equal(working.kind === "status" && working.status, "working");
          await h.reportAgent(root, { ...report, state: "blocked" });
          const blocked = await watch.next(10_000);
          assert.equal(blocked.kind === "status" && blocked.status, "blocked");
          await h.reportAgent(root, { ...report, state: "idle" });
          const done = await watch.next(10_000);
          assert.equal(done.kind === "status" && done.status, "done", "idle after work and unseen is done");
          assert.equal((await h.status(root)).agent, "contract");
          await h.focus(root);
          assert.equal((await h.status(root)).status, "idle", "focus marks it seen");
          const outcome = await h.waitForStatus(root, ["idle"], 5_000);
          assert.equal(
            outcome.kind === "status" && outcome.status,
            "idle",
            "a wait returns at once when it matches",
          );
          await h.releaseAgent(root, report);
        } finally {
          watch.close();
        }
      });
    },
  },
  {
    name: "closing a pane during a status wait ends the wait cleanly with gone",
    async run(h, target) {
      await withWorkspace(h, target, async (root) => {
        const doomed = refOf(await h.client.paneSplit({ target_pane_id: root.pane_id, direction: "right" }));
        const started = Date.now();
        const waiting = h.waitForStatus(doomed, ["blocked"], 30_000);
        await new Promise((r) => setTimeout(r, 300));
        await h.close(doomed);
        assert.deepEqual(await waiting, { kind: "gone" });
        assert.ok(Date.now() - started < 25_000, "well before the wait's own deadline");
      });
    },
  },
  {
    name: "events.wait returns the matching lifecycle event, and null on herdr's timeout",
    async run(h, target) {
      await withWorkspace(h, target, async (root) => {
        const other = await h.client.paneSplit({ target_pane_id: root.pane_id, direction: "right" });
        const waiting = h.client.waitEvent({ event: "pane_closed", pane_id: other.pane_id }, 20_000);
        await new Promise((r) => setTimeout(r, 300));
        await h.client.paneClose(other.pane_id);
        const event = await waiting;
        assert.equal(event?.event, "pane_closed");
        assert.equal(event?.data.pane_id, other.pane_id);
        assert.equal(await h.client.waitEvent({ event: "pane_closed", pane_id: root.pane_id }, 300), null);
      });
    },
  },
  {
    name: "a subscription to a pane that does not exist is an error, not a silent stream",
    async run(h) {
      await assert.rejects(
        h.client.subscribe([{ type: "pane.agent_status_changed", pane_id: h.legacy ? "w0-99" : "w99:p99" }]),
        isCodexctlError("PANE_NOT_FOUND", 4),
      );
    },
  },
  {
    name: "agent lookups on a pane without an agent are not_found",
    async run(h, target) {
      await withWorkspace(h, target, async (root) => {
        await assert.rejects(h.client.agentGet(root.pane_id), isCodexctlError("AGENT_NOT_FOUND", 4));
      });
    },
  },
  {
    name: "spawn in a pane, a tab and a space: unfocused, labelled, running the command",
    async run(h, target) {
      await withWorkspace(h, target, async (root) => {
        const focusedBefore = (await h.snapshot()).focused_pane_id;
        const argv = ["sh", "-c", 'echo "spawned $1"; exec cat', "sh"];
        const inPane = await h.spawn({ in: "pane", argv: [...argv, "pane"], near: root, label: "sp-pane" });
        const inTab = await h.spawn({
          in: "tab",
          argv: [...argv, "tab"],
          workspaceId: root.workspace_id,
          label: "sp-tab",
        });
        const inSpace = await h.spawn({
          in: "space",
          argv: [...argv, "space"],
          cwd: target.cwd,
          label: "sp-space",
          workspaceLabel: "spawned-space",
          tabLabel: "spawned-tab",
        });
        try {
          assert.equal(inPane.pane.tab_id, root.tab_id);
          assert.equal(inPane.created_tab_id, null);
          assert.equal(inTab.pane.workspace_id, root.workspace_id);
          assert.ok(inTab.created_tab_id);
          assert.ok(inSpace.created_workspace_id);
          assert.equal((await h.client.workspaceGet(inSpace.created_workspace_id!)).label, "spawned-space");
          assert.equal((await h.client.tabGet(inSpace.created_tab_id!)).label, "spawned-tab");
          for (const [spawned, where] of [[inPane, "pane"], [inTab, "tab"], [inSpace, "space"]] as const) {
            assert.equal(spawned.pane.label, `sp-${where}`);
            await waitForText(h, spawned.ref, `spawned ${where}`);
          }
          assert.equal((await h.snapshot()).focused_pane_id, focusedBefore, "spawning stole no focus");
        } finally {
          await h.client.workspaceClose(inSpace.created_workspace_id!).catch(() => {});
        }
      });
    },
  },
];
