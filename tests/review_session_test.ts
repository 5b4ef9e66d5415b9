/**
 * `codexctl review` end to end, as the CLI, with real Codex 0.169.0 and 0.130.0 against the mock
 * reviewer (two findings of different priority on the diff Codex asked about): the review comes
 * back as data (sorted, titles, priorities, repository-relative files, line ranges), `--commit` and
 * `--base` select the right diff (the mock sees it in the request), `--no-wait` then `await` gives
 * the same result, the review is a headless session (status and end work on it), and the
 * consensus loop: a review inside a session's own thread, then `send` carrying a finding back.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ALL_CODEX_VERSIONS, CODEX_VERSIONS } from "./support/codex_bin.ts";
import { runCli } from "./support/cli.ts";
import { gitIn, result, type SessionRig, startRig } from "./support/session_rig.ts";
import { reviewScenario } from "./support/review_scenarios.ts";

type Json = Record<string, unknown>;

/** The argv run `n` of a session was started with. */
async function argvOf(rig: SessionRig, session: string, n: number): Promise<string[]> {
  return JSON.parse(await Deno.readTextFile(join(rig.state, "exec", session, "runs", String(n), "spec.json")))
    .argv;
}

/** Waits until `status --thread` reads the thread's rollout with a turn open. */
async function waitForTurnOpen(rig: SessionRig, thread: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const seen = await rig.cli(["status", "--thread", String(thread), "--json"]);
    const rollout = (seen.json?.result as Json | undefined)?.rollout as Json | undefined;
    if (rollout?.status === "working") return;
    if (Date.now() > deadline) throw new Error(`thread ${thread}'s turn never opened: ${seen.stdout}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A repository with app.js committed, then changed, and an untracked notes.md (the recorded `review` scenario). */
async function changedRepo(rig: SessionRig): Promise<string> {
  const repo = await rig.repo();
  await reviewScenario("review").setup(repo);
  return repo;
}

/** The findings as [priority, file, start, end, title]. */
function rows(review: Json): unknown[][] {
  return (review.findings as Json[]).map((f) => [f.priority, f.file, f.start_line, f.end_line, f.title]);
}

for (const version of ALL_CODEX_VERSIONS) {
  Deno.test(`review ${version}: --uncommitted returns both findings as data, P1 first; a headless session status and end work on`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await changedRepo(rig);
      const call = await rig.cli(["review", "--uncommitted", "--cwd", repo, "--json"]);
      const r = result(call);
      const session = call.json!.session as string;
      assert.equal(r.state, "completed", String(r.summary));
      assert.equal(r.reason, "review_done");
      assert.match(String(r.summary), /^Review done: patch is incorrect — 2 findings \(P1: 1, P2: 1\)$/);
      const review = r.review as Json;
      assert.equal(review.structured, true);
      assert.equal(review.overall_correctness, "patch is incorrect");
      assert.equal(review.overall_confidence, 0.75);
      assert.deepEqual(rows(review), [
        [1, "app.js", 2, 3, "[P1] Handle the empty input in app.js"],
        [2, "notes.md", 1, 2, "[P2] Name the magic value in notes.md"],
      ]);
      assert.match(String((review.findings as Json[])[0].body), /assumes at least one line of input/);
      assert.equal((review.findings as Json[])[0].confidence, 0.8);
      // codex exec review --uncommitted, read-only, approvals off; no prompt
      const argv = await argvOf(rig, session, 1);
      assert.deepEqual(argv.slice(1, 4), ["exec", "review", "--uncommitted"]);
      assert.ok(argv.includes('sandbox_mode="read-only"'), argv.join(" "));
      assert.ok(argv.includes("approval_policy=never"));
      assert.ok(!argv.includes("-s") && !argv.includes("--"), "exec review takes no -s and no prompt here");
      const ask = rig.mock.requests.filter((q) => q.userText.startsWith("Review the current code changes"));
      assert.equal(ask.length, 1, "the reviewer was asked once about the uncommitted changes");
      // the same review from status (and next_action names the way to dispute a finding)
      const s = result(await rig.cli(["status", "--session", session, "--json"]));
      assert.equal(s.reason, "review_done");
      assert.deepEqual(s.review, review);
      assert.equal((s.next_action as Json).intent, "verify");
      assert.match(
        String((s.next_action as Json).command),
        new RegExp(`send --session ${session} --message`),
      );
      // --min-priority on a new review: P1 kept, P2 counted as hidden
      const min = result(
        await rig.cli(["review", "--uncommitted", "--cwd", repo, "--min-priority", "P1", "--json"]),
      );
      assert.deepEqual(rows(min.review as Json).map((x) => x[0]), [1]);
      assert.equal((min.review as Json).hidden, 1);
      assert.equal((min.review as Json).min_priority, 1);
      const end = result(await rig.cli(["end", "--session", session, "--json"]));
      assert.equal(end.pane_state, "already gone", "the review run had exited");
      await assert.rejects(Deno.stat(join(rig.state, "exec", session)), "its state is cleaned");
    } finally {
      await rig.close();
    }
  });
}

for (const version of ALL_CODEX_VERSIONS) {
  Deno.test(`review ${version}: --commit and --base select their diff (the reviewer is asked about it and finds on its files)`, async () => {
    const rig = await startRig(version);
    try {
      // feature.js, then the chosen commit.js, then later.js, and an uncommitted dirty.js
      const repo = await rig.repo();
      const sha = (await reviewScenario("review_commit").setup(repo))[1];
      // HEAD~1 names the chosen commit: codexctl passes its full id on
      const byCommit = await rig.cli([
        "review",
        "--commit",
        "HEAD~1",
        "--title",
        "Add the chosen constants",
        "--cwd",
        repo,
        "--json",
      ]);
      const c = result(byCommit);
      assert.equal(c.reason, "review_done", String(c.summary));
      assert.deepEqual(rows(c.review as Json).map((x) => x.slice(0, 4)), [[1, "commit.js", 1, 2], [
        2,
        "commit.js",
        1,
        2,
      ]]);
      assert.equal((c.review_target as Json).sha, sha);
      const argv = await argvOf(rig, byCommit.json!.session as string, 1);
      assert.deepEqual(argv.slice(1, 7), [
        "exec",
        "review",
        "--commit",
        sha,
        "--title",
        "Add the chosen constants",
      ]);
      assert.ok(
        rig.mock.requests.some((q) =>
          q.userText.includes(`commit ${sha}`) && q.userText.includes("Add the chosen constants")
        ),
        "the reviewer was asked about that commit",
      );
      // a feature branch (branch_a.js, branch_b.js) against main, which moved on since
      const branched = await rig.repo();
      await reviewScenario("review_base").setup(branched);
      await gitIn(branched, "checkout", "-q", "main");
      await Deno.writeTextFile(join(branched, "main_only.js"), "export const m = 0;\n");
      await gitIn(branched, "add", "main_only.js");
      await gitIn(branched, "commit", "-q", "-m", "main moves on");
      await gitIn(branched, "checkout", "-q", "feature");
      const b = result(await rig.cli(["review", "--base", "main", "--cwd", branched, "--json"]));
      assert.equal(b.reason, "review_done", String(b.summary));
      assert.deepEqual(rows(b.review as Json).map((x) => x.slice(0, 2)), [[1, "branch_a.js"], [
        2,
        "branch_b.js",
      ]]);
      assert.ok(
        rig.mock.requests.some((q) => q.userText.includes("against the base branch 'main'")),
        "the reviewer was asked about the branch against main",
      );
      // --prompt: codexctl words the target (Codex takes a target or instructions), the caller's text follows
      const p = await rig.cli([
        "review",
        "--base",
        "main",
        "--prompt",
        "Look hard at the exports.",
        "--cwd",
        branched,
        "--json",
      ]);
      assert.equal(result(p).reason, "review_done");
      const pArgv = await argvOf(rig, p.json!.session as string, 1);
      assert.deepEqual(pArgv.slice(1, 3), ["exec", "review"]);
      assert.ok(!pArgv.includes("--base"));
      assert.match(
        pArgv.at(-1)!,
        /^Review the changes of the current branch against the base branch 'main'\..*Also: Look hard at the exports\.$/s,
      );
    } finally {
      await rig.close();
    }
  });

  Deno.test(`review ${version}: --no-wait returns at once, await gives the review; bad targets are refused before Codex runs`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await changedRepo(rig);
      const call = await rig.cli(["review", "--uncommitted", "--cwd", repo, "--no-wait", "--json"]);
      const r = result(call);
      const session = call.json!.session as string;
      assert.equal(r.state, "working");
      assert.equal(r.reason, "no_wait");
      assert.equal(r.review, null);
      assert.equal((r.next_action as Json).command, `codexctl await --session ${session}`);
      const a = result(await rig.cli(["await", "--session", session, "--timeout", "120", "--json"]));
      assert.equal(a.reason, "review_done", String(a.summary));
      assert.deepEqual(rows(a.review as Json), [
        [1, "app.js", 2, 3, "[P1] Handle the empty input in app.js"],
        [2, "notes.md", 1, 2, "[P2] Name the magic value in notes.md"],
      ]);
      const asked = rig.mock.requests.length;
      const refused = async (args: string[], code: number, errCode: string) => {
        const x = await rig.cli(["review", ...args, "--json"]);
        assert.equal(x.code, code, `${args.join(" ")}: ${x.stdout}`);
        assert.equal((x.json?.error as Json).code, errCode, x.stdout);
      };
      await refused(["--cwd", repo], 2, "BAD_TARGET");
      await refused(["--uncommitted", "--base", "main", "--cwd", repo], 2, "BAD_TARGET");
      await refused(["--base=--upload-pack=x", "--cwd", repo], 2, "BAD_REF");
      await refused(["--commit=-x", "--cwd", repo], 2, "BAD_REF");
      await refused(["--base", "no-such-branch", "--cwd", repo], 4, "NO_BRANCH");
      await refused(["--commit", "0123456789abcdef", "--cwd", repo], 4, "NO_COMMIT");
      await refused(["--uncommitted", "--title", "x", "--cwd", repo], 2, "BAD_FLAG");
      await refused(["--uncommitted", "--min-priority", "P7", "--cwd", repo], 2, "BAD_ARGS");
      await refused(["--uncommitted", "--cwd", await Deno.makeTempDir({ dir: rig.state })], 2, "NOT_A_REPO");
      await refused(["--uncommitted", "--session", "cdx-ffff"], 4, "NO_SESSION");
      const clean = await rig.repo();
      await refused(["--uncommitted", "--cwd", clean], 4, "NOTHING_TO_REVIEW");
      assert.equal(rig.mock.requests.length, asked, "no refused review reached the model");
    } finally {
      await rig.close();
    }
  });

  Deno.test(`review ${version}: the consensus loop — a review inside a headless session's own thread, then send carries a finding back`, async () => {
    const rig = await startRig(version);
    try {
      const repo = await changedRepo(rig);
      const start = await rig.cli([
        "start",
        "--via",
        "exec",
        "--cwd",
        repo,
        "--task",
        "{{say I changed app.js and wrote notes.md.}}",
        "--json",
      ]);
      const session = start.json!.session as string;
      assert.equal(result(start).state, "completed");
      const thread = (result(await rig.cli(["status", "--session", session, "--json"])).thread as Json).id;
      const rv = await rig.cli(["review", "--uncommitted", "--session", session, "--json"]);
      const r = result(rv);
      assert.equal(rv.json!.session, session, "the same session");
      assert.equal(r.reason, "review_done", String(r.summary));
      assert.equal((r.review_target as Json).inline, true);
      assert.equal((r.review_target as Json).run, 2);
      assert.deepEqual(rows(r.review as Json).map((x) => x.slice(0, 2)), [[1, "app.js"], [2, "notes.md"]]);
      assert.equal((r.review as Json).structured, true, "read from the thread's rollout");
      const argv = await argvOf(rig, session, 2);
      assert.ok(argv.includes("__review-inline"), argv.join(" "));
      // the review is in the session's own thread
      const s = result(await rig.cli(["status", "--session", session, "--json"]));
      assert.equal((s.thread as Json).id, thread);
      assert.equal(s.reason, "review_done");
      // send carries the disputed finding back: run 3 resumes the same thread, review in context
      const f = result(
        await rig.cli([
          "send",
          "--session",
          session,
          "--message",
          "About [P2] Name the magic value in notes.md: notes.md has no literal, I think it is wrong. {{say Agreed, it does not apply.}}",
          "--json",
        ]),
      );
      assert.match(String(f.final_message), /^Agreed, it does not apply\./);
      assert.notEqual(f.reason, "review_done", "a reply is not a review");
      assert.equal(f.review, undefined, "only the review run carries the review");
      const resumed = await argvOf(rig, session, 3);
      assert.deepEqual(resumed.slice(1, 3), ["exec", "resume"]);
      assert.equal(resumed[resumed.indexOf("--") + 1], thread, "exec resume <the reviewed thread>");
      const last = rig.mock.requests.at(-1)!;
      const body = JSON.stringify(last.body);
      assert.match(last.userText, /^About \[P2\] Name the magic value/);
      assert.ok(body.includes("Handle the empty input in app.js"), "the review is in the thread's context");
      // --thread: the same thread reviewed again, as a new session on it
      const byThread = await rig.cli([
        "review",
        "--uncommitted",
        "--thread",
        `codex://threads/${thread}`,
        "--json",
      ]);
      const t = result(byThread);
      assert.notEqual(byThread.json!.session, session, "a new session");
      assert.equal(t.reason, "review_done", String(t.summary));
      assert.equal((t.thread as Json).id, thread, "on that thread");
      assert.deepEqual((t.review_target as Json).run, 1);
      assert.equal((t.review_target as Json).repo_root, repo, "the thread's directory");
      assert.deepEqual(rows(t.review as Json).map((x) => x.slice(0, 2)), [[1, "app.js"], [2, "notes.md"]]);
      await rig.cli(["end", "--session", byThread.json!.session as string, "--json"]);
      // a review while a run still goes is refused, nothing started
      const busy = await rig.cli([
        "send",
        "--session",
        session,
        "--message",
        "{{pause 30}} {{say Slow.}}",
        "--no-wait",
        "--json",
      ]);
      assert.equal(busy.json?.ok, true, busy.stdout);
      const again = await rig.cli(["review", "--uncommitted", "--session", session, "--json"]);
      assert.equal(again.code, 3, again.stdout);
      assert.equal((again.json?.error as Json).code, "THREAD_BUSY");
      // and so is --thread on that thread while its turn is open (any Codex's run, not only ours)
      await waitForTurnOpen(rig, String(thread));
      const asked = rig.mock.requests.length;
      const byThreadBusy = await rig.cli(["review", "--uncommitted", "--thread", String(thread), "--json"]);
      assert.equal(byThreadBusy.code, 3, byThreadBusy.stdout);
      const refusal = byThreadBusy.json?.error as Json;
      assert.equal(refusal.code, "THREAD_BUSY");
      assert.equal(
        (refusal.next_action as Json).command,
        `codexctl watch --thread ${thread} --until completed`,
      );
      const live = result(await rig.cli(["sessions", "--json"])).live as Json[];
      assert.deepEqual(
        live.map((row) => row.session),
        [session],
        "no session was made for the refused review",
      );
      assert.equal(rig.mock.requests.length, asked, "Codex was not asked");
      await rig.cli(["end", "--session", session, "--json"]);
    } finally {
      await rig.close();
    }
  });
}

/** Waits until run `n` of `session` has exited (its supervisor wrote exit.json). */
async function runExited(rig: SessionRig, session: string, n: number): Promise<void> {
  const path = join(rig.state, "exec", session, "runs", String(n), "exit.json");
  const deadline = Date.now() + 60_000;
  while (!(await Deno.stat(path).then(() => true, () => false))) {
    if (Date.now() > deadline) throw new Error(`run ${n} of ${session} never exited`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test("review gate: a --no-wait review nobody awaited is read at Stop — done (its findings block once), ended by end after it finished (kept), ended mid-run (failed: told, never blocks)", async () => {
  const rig = await startRig(CODEX_VERSIONS.current);
  try {
    const repo = await changedRepo(rig);
    await Deno.mkdir(rig.state, { recursive: true });
    await Deno.writeTextFile(
      join(rig.state, "config.jsonc"),
      `{ "review_gate": { "enabled": true, "min_priority": "P1" } }`,
    );
    const stop = async (owner: string) => {
      const r = await runCli(["hook", "stop"], {
        env: rig.env,
        stdin: JSON.stringify({
          session_id: owner,
          cwd: repo,
          hook_event_name: "Stop",
          stop_hook_active: false,
        }),
      });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) as Json : null;
    };
    const started = async () => {
      const call = await rig.cli(["review", "--uncommitted", "--cwd", repo, "--no-wait", "--json"]);
      assert.equal(result(call).reason, "no_wait");
      return call.json!.session as string;
    };
    // 1. finished while nobody asked: the Stop reads it and its P1 finding blocks, once
    const first = await started();
    await runExited(rig, first, 1);
    const blocked = await stop("6a7e0c1d-0000-4000-8000-00000000a701");
    assert.equal(blocked?.decision, "block", JSON.stringify(blocked));
    assert.match(
      String(blocked?.reason),
      /1 open finding at P1 or above:\n- P1 Handle the empty input in app\.js \(app\.js:2\)/,
    );
    assert.equal(await stop("6a7e0c1d-0000-4000-8000-00000000a701"), null, "once");
    // 2. finished, then ended by end before anyone read it: end kept its last verdict, the review stands
    await Deno.writeTextFile(
      join(repo, "app.js"),
      (await Deno.readTextFile(join(repo, "app.js"))) + "// 2\n",
    );
    const second = await started();
    await runExited(rig, second, 1);
    result(await rig.cli(["end", "--session", second, "--json"]));
    const kept = await stop("6a7e0c1d-0000-4000-8000-00000000a702");
    assert.equal(kept?.decision, "block", JSON.stringify(kept));
    assert.match(String(kept?.reason), /open finding/);
    // 3. ended mid-run: no review — failed, the user is told, Claude is let stop
    await Deno.writeTextFile(
      join(repo, "app.js"),
      (await Deno.readTextFile(join(repo, "app.js"))) + "// 3\n",
    );
    const asked = rig.mock.requests.length;
    rig.mock.enqueue({ reply: { kind: "message", text: "Still reviewing." }, delaySeconds: 60 });
    const third = await started();
    await rig.mock.waitForRequests(asked + 1);
    result(await rig.cli(["end", "--session", third, "--json"]));
    const told = await stop("6a7e0c1d-0000-4000-8000-00000000a703");
    assert.notEqual(told?.decision, "block", JSON.stringify(told));
    assert.match(String(told?.systemMessage), new RegExp(`${third} ended .* before its review was done`));
  } finally {
    await rig.close();
  }
});
