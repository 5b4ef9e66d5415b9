/**
 * What a person at a terminal reads: a question shown once (not in the summary, a question row and
 * the transcript), empty lists in words, `threads` and `sessions` within 120 columns, and the attach
 * line of a session on codexctl's private tmux server. Real verdicts from recorded rollouts; the
 * verbs themselves run under a pseudo-terminal (script(1)).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ageText, renderHuman } from "../src/output.ts";
import type { Envelope } from "../src/envelope.ts";
import { decide } from "../src/verdict/machine.ts";
import { renderThreads, type ThreadsResult } from "../src/cli/threads.ts";
import { renderSessions, type SessionRow } from "../src/cli/sessions.ts";
import { listedNext } from "../src/verdict/next.ts";
import { attachCommand, privateSocketPath } from "../src/substrate/tmux.ts";
import { evidenceOf, foldLines, homeFromFixtures, rolloutLines } from "./support/fixtures.ts";
import { hasScript, painted, runAtTerminal, runCli, stripColour } from "./support/cli.ts";

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
        slug: "db",
        created: "2026-11-21T16:00:00.000Z",
        substrate: "tmux",
        state: "exited",
        reason: "pane_gone",
        thread: null,
        cwd: "/w",
        owner: null,
        next: "codexctl status --session cdx-9",
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

const NOW = Date.parse("2026-11-21T17:00:00.000Z");

Deno.test("threads and sessions fit 120 columns, however long the paths and messages; age, slug and next command", () => {
  const threads: ThreadsResult = {
    codex_home: "/home/someone/.codex",
    cwd: null,
    archived: false,
    count: 3,
    threads: ["waiting_approval_probable", "completed", "working"].map((status, i) => ({
      id: `01a1fee2-5631-7ac1-80da-2f586c6afc1${i}`,
      status,
      session: i === 1 ? "cdx-1a2b" : null,
      slug: i === 1 ? "cache-layer-with-a-very-long-slug" : null,
      next: i === 1
        ? "codexctl status --session cdx-1a2b"
        : `codexctl status --thread 01a1fee2-5631-7ac1-80da-2f586c6afc1${i}`,
      updated: new Date(NOW - [42_000, 5 * 60_000, 3 * 86_400_000][i]).toISOString(),
      turns: 12 * i,
      cwd: "/home/someone/" + "very-long-directory-name/".repeat(8) + "project",
      last_message: "A long final message that goes on and on. ".repeat(10),
    })),
  };
  assert.match(
    renderThreads({ ...threads, count: 1, threads: threads.threads.slice(0, 1) }, false, 120, NOW),
    /^1 thread in /,
  );
  const text = renderThreads(threads, false, 120, NOW);
  const lines = text.split("\n");
  assert.equal(lines.length, 1 + 1 + 3 * 2, text);
  for (const l of lines) assert.ok(l.length <= 120, `${l.length}: ${l}`);
  assert.match(lines[1], /^ {2}AGE {2}STATUS +TURNS {2}THREAD +SLUG +CWD$/);
  assert.match(
    lines[2],
    /^ {2}42s {2}waiting_approval_probable {6}0 {2}01a1fee2-5631-7ac1-80da-2f586c6afc10 {2}- {17}…\S*\/project$/,
  );
  assert.match(lines[3], /^ {7}└ next: codexctl status --thread 01a1fee2-\S+ · A long final message/);
  // the slug of the bound session, cut to its column; the next command names the session
  assert.match(lines[4], /^ {3}5m {2}completed +12 {2}\S+ {2}cache-layer-wit… {2}…\S*\/project$/);
  assert.match(lines[5], /└ next: codexctl status --session cdx-1a2b · /);
  assert.match(lines[6], /^ {3}3d {2}working /);
  // colour: the status in its state's colour, and nothing else changes (what fits included)
  const coloured = renderThreads(threads, true, 120, NOW);
  assert.ok(coloured.includes("\x1b[32mcompleted"), coloured);
  assert.ok(coloured.includes("\x1b[36mworking"), coloured);
  assert.equal(stripColour(coloured), text);
  assert.equal(stripColour(text), text);

  const row = (over: Partial<SessionRow>): SessionRow => ({
    session: "cdx-1a2b",
    label: "codex-" + "x".repeat(40),
    slug: "cache",
    created: new Date(NOW - 2 * 3_600_000).toISOString(),
    substrate: "tmux",
    state: "awaiting_clarification",
    reason: "free_text_question",
    thread: null,
    cwd: "/w/" + "d/".repeat(80) + "project",
    owner: null,
    next: 'codexctl reply --session cdx-1a2b --text "<answer>"',
    ...over,
  });
  const result = {
    live: [
      row({}),
      row({
        session: "cdx-9f9f",
        slug: null,
        label: null,
        state: "working",
        reason: "turn_active",
        substrate: "exec",
        cwd: "/w",
        next: "codexctl await --session cdx-9f9f",
      }),
    ],
    pruned: [],
    unreadable: [],
  };
  const sessions = renderSessions(result, false, 120, NOW);
  const rows = sessions.split("\n");
  for (const l of rows) assert.ok(l.length <= 120, `${l.length}: ${l}`);
  assert.equal(rows.length, 2 + 2 * 2, sessions);
  assert.equal(rows[0], "2 live sessions:");
  assert.match(rows[1], /^ {2}SESSION {3}STATE +AGE {2}SLUG {3}VIA {5}CWD$/);
  assert.match(
    rows[2],
    /^ {2}cdx-1a2b {2}awaiting_clarification\/free_text_question {3}2h {2}cache {2}tmux {4}…\S*\/project$/,
  );
  assert.equal(rows[3], `${" ".repeat(12)}└ next: codexctl reply --session cdx-1a2b --text "<answer>"`);
  assert.match(rows[4], /^ {2}cdx-9f9f {2}working\/turn_active +2h {2}- {6}exec {4}\/w$/);
  assert.match(rows[5], /└ next: codexctl await --session cdx-9f9f$/);
  const colouredSessions = renderSessions(result, true, 120, NOW);
  assert.ok(colouredSessions.includes(painted(33, "awaiting_clarification/free_text_question")));
  assert.ok(colouredSessions.includes(painted(36, "working/turn_active")));
  assert.equal(stripColour(colouredSessions), sessions);
  // a narrow terminal: still within its width
  for (const l of renderSessions(result, false, 60, NOW).split("\n")) assert.ok(l.length <= 60, l);
});

Deno.test("age: seconds, minutes, hours, days; unknown as -", () => {
  assert.equal(ageText(new Date(NOW - 59_000).toISOString(), NOW), "59s");
  assert.equal(ageText(new Date(NOW - 60_000).toISOString(), NOW), "1m");
  assert.equal(ageText(new Date(NOW - 3_599_000).toISOString(), NOW), "59m");
  assert.equal(ageText(new Date(NOW - 3_600_000).toISOString(), NOW), "1h");
  assert.equal(ageText(new Date(NOW - 86_400_000 * 9).toISOString(), NOW), "9d");
  assert.equal(ageText(new Date(NOW + 5000).toISOString(), NOW), "0s");
  assert.equal(ageText(null, NOW), "-");
  assert.equal(ageText("yesterday", NOW), "-");
});

Deno.test("the next command a listing names: the verdict's, the wait while working, else the status", () => {
  const session = { session: "cdx-1", thread: "t-1" };
  const thread = { session: null, thread: "t-1" };
  assert.equal(
    listedNext(session, "completed", "codexctl end --session cdx-1"),
    "codexctl end --session cdx-1",
  );
  assert.equal(listedNext(session, "working"), "codexctl await --session cdx-1");
  assert.equal(listedNext(thread, "working"), "codexctl watch --thread t-1 --until settled");
  assert.equal(listedNext(thread, "completed"), "codexctl status --thread t-1");
  assert.equal(listedNext(session, "idle"), "codexctl status --session cdx-1");
});

Deno.test("threads and sessions at a real terminal (script(1)): 120 columns, colour unless NO_COLOR, or the sentence when there are none; JSON when piped", async () => {
  if (!(await hasScript())) return;
  const { home, threads } = await homeFromFixtures([
    { version: "0.169.0", scenario: "question", kind: "exec" },
    { version: "0.130.0", scenario: "marker", kind: "tui" },
  ]);
  const env = { CODEX_HOME: home, CODEXCTL_HOME: join(home, "state") };
  const plain = { ...env, NO_COLOR: "1" };
  const listed = await runAtTerminal(["threads"], plain);
  const lines = listed.trimEnd().split("\n");
  assert.match(lines[0], /^2 threads in .*, newest first:$/, listed);
  assert.match(lines[1], /^ {2}AGE {2}STATUS/);
  for (const l of lines) assert.ok(l.length <= 120, `${l.length}: ${l}`);
  assert.equal(stripColour(listed), listed);
  assert.match(lines.join("\n"), new RegExp(`└ next: codexctl status --thread ${threads[0].id}`));
  // the state coloured when NO_COLOR is not set
  const coloured = await runAtTerminal(["threads"], env);
  assert.ok(coloured.includes("\x1b[32mcompleted"), coloured);
  assert.equal(stripColour(coloured), listed);
  // piped: the JSON envelope, with the next command of each thread
  const piped = await runCli(["threads"], { env });
  assert.equal(piped.code, 0, piped.stderr);
  const rows = (piped.json?.result as { threads: { id: string; next: string; slug: null }[] }).threads;
  assert.deepEqual(
    rows.map((t) => t.next).sort(),
    threads.map((t) => `codexctl status --thread ${t.id}`).sort(),
  );
  assert.equal(
    (await runAtTerminal(["threads", "--cwd", "/nowhere"], plain)).trim(),
    `No threads in ${home} with cwd /nowhere.`,
  );
  assert.equal((await runAtTerminal(["sessions"], plain)).trim(), "No live sessions.");
  const none = await runCli(["sessions"], { env });
  assert.deepEqual(none.json?.result, { live: [], pruned: [], unreadable: [] });
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
