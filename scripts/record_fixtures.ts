/**
 * Records the fixtures under tests/fixtures/codex-<version>/<scenario>/ by playing every scenario
 * (tests/support/scenarios.ts) on every pinned Codex version against the mock model:
 * the `codex exec --json` stream and its rollout, the TUI's rollout and screen captures, and a
 * summary of what Codex sent the model; then every review scenario (tests/support/review_scenarios.ts):
 * the `codex exec review` stream, the thread's rollout, the reviewer sub-agent's rollout and the
 * requests.
 *
 *   deno task record-fixtures                          # everything
 *   deno task record-fixtures --version 0.169.0 --scenario shell --scenario plan
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { ALL_CODEX_VERSIONS, codexInstall, type CodexVersion } from "../tests/support/codex_bin.ts";
import { makeCodexHome } from "../tests/support/codex_home.ts";
import { MockModel, type RecordedRequest } from "../tests/support/mock_model.ts";
import { FIXTURES_DIR } from "../tests/support/paths.ts";
import { playExec, playTui } from "../tests/support/play.ts";
import { SCENARIOS } from "../tests/support/scenarios.ts";
import { playReview, REVIEW_SCENARIOS, scratchRepo } from "../tests/support/review_scenarios.ts";
import { TmuxServer } from "../tests/support/tmux.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    version: { type: "string", multiple: true },
    scenario: { type: "string", multiple: true },
    out: { type: "string" },
    "work-dir": { type: "string" },
  },
});
const versions = (values.version ?? ALL_CODEX_VERSIONS) as CodexVersion[];
const scenarios = values.scenario ? SCENARIOS.filter((s) => values.scenario!.includes(s.name)) : SCENARIOS;
const reviews = values.scenario
  ? REVIEW_SCENARIOS.filter((s) => values.scenario!.includes(s.name))
  : REVIEW_SCENARIOS;
const outRoot = values.out ?? FIXTURES_DIR;
const workRoot = values["work-dir"] ?? "/tmp/codexctl-fixtures";

function summarise(requests: RecordedRequest[]): string {
  return requests.map((r) =>
    JSON.stringify({
      seq: r.seq,
      originator: r.headers["originator"] ?? null,
      last_input_type: r.lastInputType,
      user_text: r.userText.slice(0, 300),
      tools: r.tools,
      reply: r.reply,
    })
  ).join("\n") + (requests.length ? "\n" : "");
}

/** Empties (or creates) the fixture directory of one scenario and returns it with the meta every fixture has. */
async function freshFixture(
  version: string,
  sc: { name: string; summary: string },
  cwd: string,
): Promise<{ dir: string; meta: Record<string, unknown> }> {
  const dir = join(outRoot, `codex-${version}`, sc.name);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const meta = {
    scenario: sc.name,
    summary: sc.summary,
    codex_version: version,
    recorded_at: new Date().toISOString(),
    cwd,
  };
  return { dir, meta };
}

for (const version of versions) {
  const install = await codexInstall(version);
  const mock = await MockModel.start();
  const versionWork = join(workRoot, version);
  await Deno.remove(versionWork, { recursive: true }).catch(() => {});
  await Deno.mkdir(versionWork, { recursive: true });
  const repos = Object.fromEntries(
    [...scenarios, ...reviews].map((s) => [s.name, join(versionWork, s.name)]),
  );
  const trusted = [
    ...scenarios.filter((s) => !(s.tui && s.tui.untrusted)).map((s) => repos[s.name]),
    ...reviews.map((s) => repos[s.name]),
  ];
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: trusted, parent: versionWork });
  const server = await TmuxServer.create();
  try {
    for (const sc of scenarios) {
      const { dir, meta } = await freshFixture(version, sc, repos[sc.name]);
      meta.prompt = sc.prompt;
      await scratchRepo(repos[sc.name]);
      if (sc.exec) {
        const first = mock.requests.length;
        const run = await playExec(sc, install, home, repos[sc.name]);
        await Deno.writeTextFile(join(dir, "exec.events.jsonl"), run.stdout);
        if (run.rolloutPath) await Deno.copyFile(run.rolloutPath, join(dir, "exec.rollout.jsonl"));
        await Deno.writeTextFile(join(dir, "exec.requests.jsonl"), summarise(mock.requests.slice(first)));
        meta.exec = {
          exit_code: run.code,
          signal: run.signal,
          thread_id: run.threadId,
          interrupt_after_ms: sc.exec.interruptAfterMs ?? null,
        };
        console.log(
          `${version} ${sc.name}: exec exit ${run.code}${
            run.signal ? ` (${run.signal})` : ""
          }, thread ${run.threadId}`,
        );
      }
      if (sc.tui) {
        await scratchRepo(repos[sc.name]);
        const first = mock.requests.length;
        const run = await playTui(sc, install, home, server, repos[sc.name]);
        await Deno.mkdir(join(dir, "tui.screens"), { recursive: true });
        for (const [i, screen] of run.screens.entries()) {
          await Deno.writeTextFile(
            join(dir, "tui.screens", `${String(i + 1).padStart(2, "0")}-${screen.label}.txt`),
            screen.text,
          );
        }
        if (run.rolloutPath) await Deno.copyFile(run.rolloutPath, join(dir, "tui.rollout.jsonl"));
        await Deno.writeTextFile(join(dir, "tui.requests.jsonl"), summarise(mock.requests.slice(first)));
        meta.tui = {
          screens: run.screens.map((s) => s.label),
          rollout: run.rolloutPath !== null,
          size: "120x40",
        };
        await run.pane.keys("C-c");
        console.log(
          `${version} ${sc.name}: tui ${run.screens.length} screens, rollout ${
            run.rolloutPath ? "yes" : "no"
          }`,
        );
      }
      await Deno.writeTextFile(join(dir, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
    }
    for (const sc of reviews) {
      const { dir, meta } = await freshFixture(version, sc, repos[sc.name]);
      const first = mock.requests.length;
      const run = await playReview(sc, install, home, repos[sc.name]);
      await Deno.writeTextFile(join(dir, "exec.events.jsonl"), run.stdout);
      if (run.rolloutPath) await Deno.copyFile(run.rolloutPath, join(dir, "exec.rollout.jsonl"));
      if (run.reviewerRolloutPath) {
        await Deno.copyFile(run.reviewerRolloutPath, join(dir, "exec.reviewer.rollout.jsonl"));
      }
      await Deno.writeTextFile(join(dir, "exec.requests.jsonl"), summarise(mock.requests.slice(first)));
      meta.review_args = run.args;
      meta.exec = { exit_code: run.code, signal: run.signal, thread_id: run.threadId };
      await Deno.writeTextFile(join(dir, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
      console.log(`${version} ${sc.name}: exec review exit ${run.code}, thread ${run.threadId}`);
    }
  } finally {
    await server.kill();
    await mock.close();
    await home.cleanup();
  }
}
