/**
 * End-to-end: the real Codex 0.169 TUI in tmux, driven by codexctl against the mock model.
 */
import { type SessionRig, startRig } from "./support/session_rig.ts";
import { sessionScenarios } from "./support/session_scenarios.ts";
import { tmux } from "./support/tmux.ts";

async function panes(pane: Record<string, unknown>): Promise<string[][]> {
  const list = await tmux(String(pane.socket), ["list-panes", "-a", "-F", "#{pane_id} #{pane_pid}"]);
  return list.code === 0 ? list.stdout.split("\n").filter(Boolean).map((l) => l.split(" ")) : [];
}

Deno.test({
  name: "sessions in tmux against the real Codex 0.169 TUI",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    let rig: SessionRig | null = null;
    try {
      rig = await startRig();
      await sessionScenarios(t, rig, ["--via", "tmux"], {
        exists: async (pane) => (await panes(pane)).some(([id]) => id === pane.pane_id),
        press: async (pane, key) => {
          await tmux(String(pane.socket), ["send-keys", "-t", String(pane.pane_id), key]);
        },
        kill: async (pane) => {
          const pid = (await panes(pane)).find(([id]) => id === pane.pane_id)?.[1];
          if (pid) Deno.kill(Number(pid), "SIGKILL");
        },
      });
    } finally {
      await rig?.close();
    }
  },
});
