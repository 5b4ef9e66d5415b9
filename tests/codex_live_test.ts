/**
 * Live replays against the real pinned Codex binaries (offline, mock model on loopback): each run
 * must have the same shape as its committed fixture, so drift in Codex, the mock or the rig fails.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ALL_CODEX_VERSIONS, CODEX_VERSIONS, codexInstall, type CodexVersion } from "./support/codex_bin.ts";
import { makeCodexHome } from "./support/codex_home.ts";
import { parseJsonLines } from "./support/codex_exec.ts";
import { MockModel } from "./support/mock_model.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { playExec, playTui } from "./support/play.ts";
import { FIXTURE_MARKER, scenario } from "./support/scenarios.ts";
import { execShape, rolloutShape } from "./support/shape.ts";
import { TmuxServer } from "./support/tmux.ts";

async function scratchRepo(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-live-" });
  await new Deno.Command("git", { args: ["init", "-q", dir] }).output();
  return dir;
}

function fixture(version: string, name: string, file: string): string {
  return Deno.readTextFileSync(join(FIXTURES_DIR, `codex-${version}`, name, file));
}

async function withRig<T>(
  fn: (mock: MockModel, cwd: string, home: Awaited<ReturnType<typeof makeCodexHome>>) => Promise<T>,
): Promise<T> {
  const mock = await MockModel.start();
  const cwd = await scratchRepo();
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [cwd] });
  try {
    return await fn(mock, cwd, home);
  } finally {
    await mock.close();
    await home.cleanup();
    await Deno.remove(cwd, { recursive: true }).catch(() => {});
  }
}

/**
 * Codex 0.130's `exec --json` emits a command's `item.completed` only sometimes: the recording lacks
 * it, and a clean CI run under load once had it (the rollout, compared below, is stable). Only for
 * that legacy version is that one event left out of the comparison.
 */
function comparableExecShape(version: string, events: Record<string, unknown>[]): string[] {
  const shape = execShape(events);
  return version === "0.130.0" ? shape.filter((k) => k !== "item.completed:command_execution") : shape;
}

for (const version of ALL_CODEX_VERSIONS) {
  for (const name of ["shell", "failure", "marker", "interrupt"]) {
    Deno.test(`live codex ${version} exec: ${name} replays with the recorded shape`, async () => {
      const install = await codexInstall(version as CodexVersion);
      await withRig(async (mock, cwd, home) => {
        const run = await playExec(scenario(name), install, home, cwd);
        const expected = JSON.parse(fixture(version, name, "meta.json")).exec;
        assert.equal(run.code, expected.exit_code, run.stderr);
        assert.ok(run.rolloutPath, "exec wrote a rollout");
        assert.deepEqual(
          comparableExecShape(version, run.events),
          comparableExecShape(version, parseJsonLines(fixture(version, name, "exec.events.jsonl"))),
        );
        assert.deepEqual(
          rolloutShape(await Deno.readTextFile(run.rolloutPath!)),
          rolloutShape(fixture(version, name, "exec.rollout.jsonl")),
        );
        assert.ok(mock.requests.length >= 1);
        assert.equal(mock.requests[0].headers["originator"], "codex_exec");
        if (name === "shell") {
          const after = mock.requests.find((r) => r.lastInputType === "function_call_output");
          assert.ok(after, "Codex sent the tool output back");
          const last = (after!.body as { input: { output?: string }[] }).input.at(-1)!;
          assert.match(String(last.output), /codexctl-fixture-shell/);
        }
        if (name === "marker") {
          const done = run.events.filter((e) => e.type === "item.completed").map((e) =>
            (e.item as { text?: string }).text ?? ""
          );
          assert.ok(
            done.some((t) => t.split("\n").includes(FIXTURE_MARKER)),
            "the marker is printed on its own line",
          );
        }
      });
    });
  }
}

Deno.test(`live codex ${CODEX_VERSIONS.current} TUI: an escalated command waits for approval, Enter runs it`, async () => {
  const install = await codexInstall(CODEX_VERSIONS.current);
  const server = await TmuxServer.create();
  try {
    await withRig(async (mock, cwd, home) => {
      const run = await playTui(scenario("escalated"), install, home, server, cwd);
      const [approval, done] = run.screens.map((s) => s.text);
      assert.match(approval, /Would you like to run the following command\?/);
      assert.match(approval, /\$ touch escalated\.txt/);
      assert.doesNotMatch(done, /Would you like to run/);
      assert.match(done, new RegExp(`^\\s+${FIXTURE_MARKER}$`, "m"));
      assert.ok((await Deno.stat(join(cwd, "escalated.txt"))).isFile, "the approved command ran");
      assert.ok(run.rolloutPath);
      assert.deepEqual(
        rolloutShape(await Deno.readTextFile(run.rolloutPath!)),
        rolloutShape(fixture(CODEX_VERSIONS.current, "escalated", "tui.rollout.jsonl")),
      );
      const escalated = mock.requests.find((r) => r.reply.startsWith("shell (escalated)"));
      assert.ok(escalated, "the mock asked for an escalated command");
      assert.equal(escalated!.headers["originator"], "codex-tui");
      await run.pane.keys("C-c");
    });
  } finally {
    await server.kill();
  }
});
