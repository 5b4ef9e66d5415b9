/**
 * End-to-end: the real Codex 0.169 TUI in panes of the fake herdr (current protocol 20 and the
 * legacy 0.6 flavor with renumbering positional ids), driven by codexctl against the mock model —
 * the same scenarios as the tmux suite, plus herdr's pane and tab placements.
 */
import assert from "node:assert/strict";
import { type SessionRig, startRig } from "./support/session_rig.ts";
import { sessionScenarios } from "./support/session_scenarios.ts";
import { FakeHerdr } from "./support/fake_herdr.ts";
import { connectHerdr, type PaneRef } from "../src/herdr/herdr.ts";

for (const flavor of ["0.8", "0.6"] as const) {
  Deno.test({
    name: `sessions in fake herdr ${flavor} panes against the real Codex 0.169 TUI`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      let rig: SessionRig | null = null;
      let fake: FakeHerdr | null = null;
      try {
        fake = await FakeHerdr.start({ flavor });
        rig = await startRig(undefined, { HERDR_SOCKET_PATH: fake.socketPath });
        const herdr = await connectHerdr({ socketPath: fake.socketPath });
        await sessionScenarios(t, rig, ["--via", "herdr", "--in", "space"], {
          exists: async (pane) => (await herdr.find(pane as unknown as PaneRef)) !== null,
          press: (pane, key) => herdr.sendKeys(pane as unknown as PaneRef, [key === "Escape" ? "Esc" : key]),
          // Ctrl-C twice on an idle composer quits Codex; its pane (exec'd) goes with it
          kill: async (pane) => {
            await herdr.sendKeys(pane as unknown as PaneRef, ["C-c"]);
            await new Promise((r) => setTimeout(r, 400));
            await herdr.sendKeys(pane as unknown as PaneRef, ["C-c"]).catch(() => {});
            const deadline = Date.now() + 15_000;
            while (Date.now() < deadline && await herdr.find(pane as unknown as PaneRef)) {
              await new Promise((r) => setTimeout(r, 300));
            }
          },
        });

        await t.step(
          "--in pane splits the caller's herdr pane, --in tab opens a tab in its workspace; focus never moves",
          async () => {
            const caller = await herdr.spawn({ in: "space", argv: ["sh"], label: "caller" });
            const env = { HERDR_PANE_ID: caller.ref.pane_id };
            const focusBefore = fake!.methods.length;
            for (const mode of ["pane", "tab"]) {
              const repo = await rig!.repo();
              const r = await rig!.cli([
                "start",
                "--task",
                "{{done In a " + mode + ".}} go",
                "--via",
                "herdr",
                "--in",
                mode,
                "--cwd",
                repo,
                "--timeout",
                "90",
              ], env);
              const res = r.json!.result as Record<string, unknown>;
              assert.equal(res.reason, "marker_verified", r.stdout);
              const pane =
                (JSON.parse(await Deno.readTextFile(`${rig!.state}/sessions/${r.json!.session}.json`)))
                  .pane as PaneRef;
              const info = (await herdr.find(pane))!;
              assert.equal(
                info.workspace_id,
                (await herdr.find(caller.ref))!.workspace_id,
                `${mode}: in the caller's workspace`,
              );
              if (mode === "pane") {
                assert.equal(info.tab_id, (await herdr.find(caller.ref))!.tab_id, "pane: the caller's tab");
              } else assert.notEqual(info.tab_id, (await herdr.find(caller.ref))!.tab_id, "tab: a new tab");
              const ended = await rig!.cli(["end", "--session", String(r.json!.session)]);
              assert.equal(ended.code, 0);
              assert.equal(await herdr.find(pane), null, `${mode}: the pane is closed`);
              assert.ok(await herdr.find(caller.ref), `${mode}: the caller's pane is untouched`);
            }
            const focusCalls = fake!.methods.slice(focusBefore).filter((m) => /focus/.test(m));
            assert.deepEqual(focusCalls, [], "no focus call during spawn or teardown");
          },
        );
      } finally {
        await rig?.close();
        await fake?.stop();
      }
    },
  });
}
