/**
 * A review inside an existing thread (`codex app-server` `review/start`, delivery inline) on the real
 * Codex builds, against the mock reviewer: the review lands in the thread's own rollout, and what
 * happened is written as the exec event stream.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type InlineReviewSpec, runInlineReview } from "../src/codex/app_server/inline_review.ts";
import { launchRun, readRun, runFile, selfCommand } from "../src/substrate/exec_run.ts";
import { readExec } from "../src/substrate/exec_read.ts";
import { reviewFromOutput } from "../src/codex/rollout/review.ts";
import { ALL_CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";
import { makeCodexHome } from "./support/codex_home.ts";
import { findRollout, runExec } from "./support/codex_exec.ts";
import { foldLines } from "./support/fixtures.ts";
import { MockModel } from "./support/mock_model.ts";
import { denoDir } from "./support/deno_dir.ts";
import { scratchRepo } from "./support/review_scenarios.ts";

for (const version of ALL_CODEX_VERSIONS) {
  Deno.test(`${version}: an inline review runs in the thread that did the work and is written as exec events`, async () => {
    const install = await codexInstall(version);
    const mock = await MockModel.start();
    const repo = await Deno.makeTempDir({ prefix: "codexctl-inline-" });
    const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [repo] });
    try {
      await scratchRepo(repo);
      const task = await runExec(install, home, "{{say I wrote app.js.}}", { cwd: repo });
      assert.equal(task.code, 0, task.stderr);
      const thread = task.threadId!;
      await Deno.writeTextFile(join(repo, "app.js"), "export const limit = 42;\nexport const x = limit;\n");
      const events: Record<string, unknown>[] = [];
      const code = await runInlineReview({
        codex: install.binary,
        cwd: repo,
        threadId: thread,
        target: { type: "uncommittedChanges" },
        env: home.env(install),
        emit: (e) => events.push(e),
      });
      assert.equal(code, 0, JSON.stringify(events));
      assert.deepEqual(events.map((e) => e.type), [
        "thread.started",
        "turn.started",
        "item.completed",
        "turn.completed",
      ]);
      assert.equal(events[0].thread_id, thread);
      const message = events[2].item as { type: string; text: string };
      assert.equal(message.type, "agent_message");
      assert.match(message.text, /\[P1\] Handle the empty input in app\.js/);
      // the review is in the thread's own rollout, structured
      const path = await findRollout(home.dir, thread);
      const { state } = foldLines(Deno.readTextFileSync(path!).split("\n").filter(Boolean));
      assert.equal(state.review?.done, true);
      assert.equal(state.review?.target?.type, "uncommittedChanges");
      const review = reviewFromOutput(state.review!.output!, { repoRoot: repo });
      assert.deepEqual(review.findings.map((f) => [f.priority, f.file, f.start_line]), [[1, "app.js", 1], [
        2,
        "app.js",
        1,
      ]]);
      // the reviewer saw the review request, and the thread now holds it for the next turn
      const ask = mock.requests.find((r) => r.userText.startsWith("Review the current code changes"));
      assert.ok(ask, "the mock received the review request");
    } finally {
      await mock.close();
      await home.cleanup();
      await Deno.remove(repo, { recursive: true });
    }
  });
}

Deno.test("an inline review that cannot start says why as exec events: an unknown thread, no codex", async () => {
  const install = await codexInstall(ALL_CODEX_VERSIONS[0]);
  const mock = await MockModel.start();
  const repo = await Deno.makeTempDir({ prefix: "codexctl-inline-" });
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [repo] });
  try {
    await scratchRepo(repo);
    const events: Record<string, unknown>[] = [];
    const code = await runInlineReview({
      codex: install.binary,
      cwd: repo,
      threadId: "01a24700-0000-7000-8000-000000000000",
      target: { type: "uncommittedChanges" },
      env: home.env(install),
      emit: (e) => events.push(e),
    });
    assert.equal(code, 1);
    assert.deepEqual(events.map((e) => e.type), ["error", "turn.failed"]);
    assert.match(String(events[0].message), /could not resume thread 01a24700/);
    const none: Record<string, unknown>[] = [];
    assert.equal(
      await runInlineReview({
        codex: join(repo, "no-codex"),
        cwd: repo,
        threadId: "x",
        target: { type: "uncommittedChanges" },
        emit: (e) => none.push(e),
      }),
      1,
    );
    assert.match(String(none[0].message), /could not start codex app-server/);
    assert.equal(mock.requests.length, 0, "nothing reached the model");
  } finally {
    await mock.close();
    await home.cleanup();
    await Deno.remove(repo, { recursive: true });
  }
});

Deno.test("an inline review runs detached under the exec supervisor (codexctl __review-inline) and reads as an exec run", async () => {
  const install = await codexInstall(ALL_CODEX_VERSIONS[0]);
  const mock = await MockModel.start();
  const repo = await Deno.makeTempDir({ prefix: "codexctl-inline-" });
  const home = await makeCodexHome({ baseUrl: mock.baseUrl, trust: [repo] });
  const state = await Deno.makeTempDir({ prefix: "codexctl-inline-run-" });
  try {
    await scratchRepo(repo);
    const task = await runExec(install, home, "{{say I wrote app.js.}}", { cwd: repo });
    await Deno.writeTextFile(join(repo, "app.js"), "export const limit = 42;\n");
    const dir = join(state, "runs", "1");
    await Deno.mkdir(dir, { recursive: true });
    const spec: InlineReviewSpec = {
      codex: install.binary,
      cwd: repo,
      thread: task.threadId!,
      target: { type: "uncommittedChanges" },
      message_file: runFile(dir, "message"),
    };
    await Deno.writeTextFile(join(state, "inline.json"), JSON.stringify(spec));
    await launchRun({
      dir,
      argv: selfCommand("__review-inline", join(state, "inline.json")),
      cwd: repo,
      env: { ...home.env(install), DENO_DIR: await denoDir() },
    });
    const deadline = Date.now() + 60_000;
    while (!(await readRun(dir)).exit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const exit = (await readRun(dir)).exit;
    assert.equal(exit?.code, 0, Deno.readTextFileSync(runFile(dir, "stderr")));
    const reading = await readExec({ dir, run: 1, schema: null }, null);
    assert.equal(reading.exec.turn, "completed");
    assert.equal(reading.exec.thread_id, task.threadId);
    assert.match(reading.exec.last_agent_message ?? "", /\[P1\] Handle the empty input in app\.js/);
    assert.match(Deno.readTextFileSync(runFile(dir, "message")), /Full review comments/);
  } finally {
    await mock.close();
    await home.cleanup();
    await Deno.remove(repo, { recursive: true });
    await Deno.remove(state, { recursive: true });
  }
});
