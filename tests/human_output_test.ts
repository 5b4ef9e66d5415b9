/**
 * What a person at a terminal reads: a question shown once (not in the summary, a question row and
 * the transcript), empty lists in words, `threads` and `sessions` within 120 columns, and the attach
 * line of a session on codexctl's private tmux server. Real verdicts from recorded rollouts; the
 * verbs themselves run under a pseudo-terminal (script(1)).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { renderHuman } from "../src/output.ts";
import type { Envelope } from "../src/envelope.ts";
import { decide } from "../src/verdict/machine.ts";
import { renderThreads, type ThreadsResult } from "../src/cli/threads.ts";
import { renderSessions } from "../src/cli/sessions.ts";
import { attachCommand, privateSocketPath } from "../src/substrate/tmux.ts";
import { evidenceOf, foldLines, homeFromFixtures, rolloutLines } from "./support/fixtures.ts";
import { denoDir } from "./support/deno_dir.ts";
import { MAIN_TS, REPO_ROOT } from "./support/paths.ts";

function envelope(result: unknown, command = "status"): Envelope {
  return { ok: true, schema_version: "v1", command, session: "cdx-1a2b", result, error: null } as Envelope;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

Deno.test("a question is shown once; a transcript that adds nothing is left out, one that does is shown", () => {
  const question = decide(evidenceOf(foldLines(rolloutLines("0.169.0", "question", "exec"))));
  assert.equal(question.verdict.reason, "free_text_question");
  const q = question.verdict.questions[0];
  const text = renderHuman(envelope(question.verdict), false);
  assert.equal(count(text, q), 1, text);
  assert.doesNotMatch(text, /transcript:/);
  // a long final message: the summary cuts it, so the transcript is shown whole
  const long = "Done. " + "Wrote the cache layer and its tests. ".repeat(12);
  const completed = {
    ...question.verdict,
    state: "completed",
    reason: "turn_complete",
    questions: [],
    summary: `The turn completed: ${long.slice(0, 100)}…`,
    transcript_tail: long,
  };
  const shown = renderHuman(envelope(completed), false);
  assert.match(shown, /transcript:\n {2}Done\. Wrote/);
  // a question longer than the summary's cut is shown in its own row
  const longQ = "Which of these should I use for the cache layer, given the constraints you listed? ".repeat(
    4,
  ).trim();
  const cut = {
    ...question.verdict,
    summary: `Codex asks: ${longQ.slice(0, 120)}…`,
    questions: [longQ],
    transcript_tail: longQ,
  };
  const both = renderHuman(envelope(cut), false);
  assert.equal(count(both, longQ), 1, both);
  assert.match(both, /question {2}Which of these/);
});

Deno.test("empty lists say so in words (generic rendering, threads, sessions)", () => {
  const generic = renderHuman(envelope({ followed: [], owner: "x" }, "follow"), false);
  assert.match(generic, /followed\s+none/);
  assert.doesNotMatch(generic, /\[\]/);
  const threads = renderThreads(
    { codex_home: "/h/.codex", cwd: "/w", archived: false, count: 0, threads: [] },
    false,
    120,
  );
  assert.equal(threads, "No threads in /h/.codex with cwd /w.");
  assert.equal(renderSessions({ live: [], pruned: [], unreadable: [] }, false, 120), "No live sessions.");
  const pruned = renderSessions(
    {
      live: [],
      pruned: [{
        session: "cdx-9",
        label: "codex-db",
        substrate: "tmux",
        state: "exited",
        reason: "pane_gone",
        thread: null,
        cwd: "/w",
        owner: null,
        removed: true,
      }],
      unreadable: ["cdx-bad"],
    },
    false,
    120,
  );
  assert.equal(
    pruned,
    "No live sessions.\nPruned cdx-9 (codex-db): its Codex is gone.\nUnreadable session records (left in place): cdx-bad",
  );
});

Deno.test("threads and sessions fit 120 columns, however long the paths and messages", () => {
  const threads: ThreadsResult = {
    codex_home: "/home/someone/.codex",
    cwd: null,
    archived: false,
    count: 3,
    threads: ["waiting_approval_probable", "completed", "working"].map((status, i) => ({
      id: `01a1fee2-5631-7ac1-80da-2f586c6afc1${i}`,
      status,
      updated: "2026-11-21T16:16:56.886Z",
      turns: 12 * i,
      cwd: "/home/someone/" + "very-long-directory-name/".repeat(8) + "project",
      last_message: "A long final message that goes on and on. ".repeat(10),
    })),
  };
  assert.match(
    renderThreads({ ...threads, count: 1, threads: threads.threads.slice(0, 1) }, false, 120),
    /^1 thread in /,
  );
  const text = renderThreads(threads, false, 120);
  const lines = text.split("\n");
  assert.equal(lines.length, 1 + 1 + 3 * 2, text);
  for (const l of lines) assert.ok(l.length <= 120, `${l.length}: ${l}`);
  assert.match(
    lines[2],
    /^ {2}\d\d-\d\d \d\d:\d\d {2}waiting_approval_probable {6}0 {2}01a1fee2-5631-7ac1-80da-2f586c6afc10 {2}…\S*\/project$/,
  );
  assert.match(lines[3], /^ {15}└ A long final message/);
  // colour does not change what fits (escape codes aside)
  // deno-lint-ignore no-control-regex
  const plain = renderThreads(threads, true, 120).replace(/\x1b\[[0-9;]*m/g, "");
  assert.equal(plain, text);
  const sessions = renderSessions(
    {
      live: [{
        session: "cdx-1a2b",
        label: "codex-" + "x".repeat(40),
        substrate: "tmux",
        state: "awaiting_clarification",
        reason: "free_text_question",
        thread: null,
        cwd: "/w/" + "d/".repeat(80),
        owner: null,
      }],
      pruned: [],
      unreadable: [],
    },
    false,
    120,
  );
  for (const l of sessions.split("\n")) assert.ok(l.length <= 120, `${l.length}: ${l}`);
  assert.match(
    sessions,
    /^1 live session:\n {2}cdx-1a2b {2}awaiting_clarification\/free_text_question {2}codex-x+ {2}tmux {3}\/w\//,
  );
});

Deno.test("threads at a real terminal (script(1)): 120 columns, or the sentence when there are none", async () => {
  const hasScript = await new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
    .output().then((o) => o.success, () => false);
  if (!hasScript) return;
  const { home } = await homeFromFixtures([
    { version: "0.169.0", scenario: "question", kind: "exec" },
    { version: "0.130.0", scenario: "marker", kind: "tui" },
  ]);
  const run = async (args: string) => {
    const out = await new Deno.Command("script", {
      args: [
        "-qec",
        `stty cols 200 2>/dev/null; ${Deno.execPath()} run -q -P --config ${REPO_ROOT}/deno.json ${MAIN_TS} ${args}`,
        "/dev/null",
      ],
      env: { CODEX_HOME: home, NO_COLOR: "1", DENO_DIR: await denoDir(), CODEXCTL_HOME: join(home, "state") },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(out.stdout).replaceAll("\r", "");
  };
  const listed = await run("threads");
  const lines = listed.trimEnd().split("\n");
  assert.match(lines[0], /^2 threads in .*, newest first:$/, listed);
  for (const l of lines) assert.ok(l.length <= 120, `${l.length}: ${l}`);
  assert.equal((await run("threads --cwd /nowhere")).trim(), `No threads in ${home} with cwd /nowhere.`);
  assert.equal((await run("sessions")).trim(), "No live sessions.");
});

Deno.test("a pane on codexctl's private tmux server has an attach command; one on the caller's own server has none", () => {
  const state = "/state dir";
  const sock = privateSocketPath(state);
  assert.equal(sock, "/state dir/tmux/codexctl.sock");
  assert.equal(
    attachCommand({ socket: sock, pane_id: "%7" }, state),
    "tmux -S '/state dir/tmux/codexctl.sock' attach -t %7",
  );
  assert.equal(attachCommand({ socket: "/tmp/tmux-0/default", pane_id: "%7" }, state), null);
  assert.equal(attachCommand({ socket: null, pane_id: "%7" }, state), null);
  assert.equal(attachCommand(null, state), null);
  const rendered = renderHuman(
    envelope({
      ...decide(evidenceOf(foldLines(rolloutLines("0.169.0", "message", "exec")))).verdict,
      pane: { attach: "tmux -S /s attach -t %7" },
    }, "start"),
    false,
  );
  assert.match(rendered, /\n {2}attach +tmux -S \/s attach -t %7/);
});
