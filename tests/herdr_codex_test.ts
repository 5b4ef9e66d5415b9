/**
 * Acceptance: a real Codex 0.169 TUI runs inside a fake-herdr pane (offline, mock model on
 * loopback), and the status herdr would report moves idle → working → blocked (an approval) →
 * done as the mock scenario plays, then idle once the pane is focused. Everything goes through
 * codexctl's herdr client, with every frame checked against herdr's schema.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";
import { makeCodexHome } from "./support/codex_home.ts";
import { SCREEN } from "./support/codex_tui.ts";
import { withFakeHerdr } from "./support/fake_herdr.ts";
import { assertPassesThrough, connectChecked, eventually, recordStatuses } from "./support/herdr_contract.ts";
import { MockModel } from "./support/mock_model.ts";

Deno.test(`real Codex ${CODEX_VERSIONS.current} in a fake-herdr pane: idle → working → blocked → done → idle`, async () => {
  const install = await codexInstall(CODEX_VERSIONS.current);
  const mock = await MockModel.start();
  const cwd = await Deno.makeTempDir({ prefix: "codexctl-herdr-codex-" });
  await new Deno.Command("git", { args: ["init", "-q", cwd] }).output();
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [cwd] });
  try {
    await withFakeHerdr({ flavor: "0.8" }, async (fake) => {
      const { herdr: h, assertValid } = await connectChecked({
        socketPath: fake.socketPath,
        serverLevel: "strict",
        replays: true,
        cwd,
      });
      const spawned = await h.spawn({
        in: "space",
        argv: ["codex"],
        cwd,
        env: home.env(install),
        label: "codex",
      });
      const ref = spawned.ref;

      const seen = await recordStatuses(h, ref, async () => {
        // ready: Codex detected, idle, and its composer painted twice in a row
        let previous = "";
        await eventually("the Codex composer", async () => {
          const { status, agent } = await h.status(ref);
          const screen = (await h.read(ref, { source: "visible" })).text;
          const ready = agent === "codex" && status === "idle" && SCREEN.ready.test(screen) &&
            !/Starting MCP/.test(screen) && /^› /m.test(screen);
          const stable = ready && screen === previous;
          previous = ready ? screen : "";
          return stable;
        }, 60_000);

        await h.sendText(ref, "{{pause 3}} {{escalate touch approved.txt}} {{done}} Create the file.");
        await new Promise((r) => setTimeout(r, 700)); // a fast Enter would land in the composer
        await h.sendKeys(ref, ["Enter"]);

        const blocked = await h.waitForStatus(ref, ["blocked"], 60_000);
        assert.equal(blocked.kind === "status" && blocked.status, "blocked");
        assert.match((await h.read(ref, { source: "visible" })).text, SCREEN.approval);

        await h.sendKeys(ref, ["Enter"]); // "1. Yes, proceed"
        const finished = await h.waitForStatus(ref, ["idle"], 60_000);
        assert.equal(
          finished.kind === "status" && finished.status,
          "done",
          "finished work is done until seen",
        );
        assert.ok((await Deno.stat(join(cwd, "approved.txt"))).isFile, "the approved command ran");

        await h.focus(ref);
        assert.equal((await h.status(ref)).status, "idle", "focusing the pane marks it seen");
      });

      assertPassesThrough(seen, ["idle", "working", "blocked", "done"]);
      assert.ok(!seen.slice(seen.indexOf("idle")).includes("unknown"), "unknown only before Codex was up");
      assertValid();
      assert.deepEqual(fake.clientViolations, []);
      await h.client.workspaceClose(spawned.created_workspace_id!);
    });
  } finally {
    await mock.close();
    await home.cleanup();
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
});
