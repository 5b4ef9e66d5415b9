/**
 * `status`, `tail` and `threads` on thread targets, run as the CLI (deno run -P src/main.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./support/cli.ts";
import { homeFromFixtures } from "./support/fixtures.ts";
import { locateThread, parseThreadRef } from "../src/codex/rollout/locate.ts";
import { CodexctlError } from "../src/errors.ts";

const err = (r: { json?: Record<string, unknown> }) => r.json?.error as Record<string, unknown>;
const res = (r: { json?: Record<string, unknown> }) => r.json?.result as Record<string, unknown>;

Deno.test("thread references: a uuid or codex://threads/<uuid>; anything else is usage/BAD_THREAD", () => {
  const id = "01a1fee2-5631-7ac1-80da-2f586c6afc12";
  assert.equal(parseThreadRef(id), id);
  assert.equal(parseThreadRef(`codex://threads/${id}`), id);
  assert.equal(parseThreadRef(`codex://threads/${id.toUpperCase()}/`), id);
  assert.equal(parseThreadRef(` ${id}\n`), id);
  for (
    const bad of [
      "",
      "abc",
      `codex://thread/${id}`,
      `${id}/../x`,
      "../../etc/passwd",
      `codex://threads/${id}x`,
    ]
  ) {
    assert.throws(
      () => parseThreadRef(bad),
      (e) => e instanceof CodexctlError && e.code === "BAD_THREAD" && e.exitCode === 2,
      bad,
    );
  }
});

Deno.test("status --thread by URL reads the rollout to its end and gives the verdict, thread facts and compatibility", async () => {
  const { home, threads } = await homeFromFixtures([{
    version: "0.169.0",
    scenario: "marker",
    kind: "exec",
  }]);
  const r = await runCli(["status", "--thread", `codex://threads/${threads[0].id}`], {
    env: { CODEX_HOME: home },
  });
  assert.equal(r.code, 0, r.stdout);
  const result = res(r);
  assert.equal(result.state, "completed");
  assert.equal(result.reason, "marker_verified");
  assert.equal(result.offset, (await Deno.stat(threads[0].path)).size);
  const thread = result.thread as Record<string, unknown>;
  assert.equal(thread.id, threads[0].id);
  assert.equal(thread.rollout_path, threads[0].path);
  assert.equal(thread.model, "mock-model");
  assert.equal((result.compatibility as Record<string, unknown>).confidence, "high");
  assert.equal((result.rollout as Record<string, unknown>).rule, "thread.completed");
});

Deno.test("status --thread: unknown thread → not_found/NO_THREAD exit 4; bad ref → exit 2; missing flag → exit 2", async () => {
  const { home } = await homeFromFixtures([{ version: "0.169.0", scenario: "message", kind: "exec" }]);
  const missing = await runCli(["status", "--thread", "01a1fee2-0000-7000-8000-000000000000"], {
    env: { CODEX_HOME: home },
  });
  assert.equal(missing.code, 4);
  assert.equal(err(missing).code, "NO_THREAD");
  const bad = await runCli(["status", "--thread", "nope"], { env: { CODEX_HOME: home } });
  assert.equal(bad.code, 2);
  assert.equal(err(bad).code, "BAD_THREAD");
  const none = await runCli(["status"], { env: { CODEX_HOME: home } });
  assert.equal(none.code, 2);
  assert.equal(err(none).code, "BAD_TARGET");
});

Deno.test("locate: archived threads are found in archived_sessions/ and the id is confirmed from session_meta", async () => {
  const { home, threads } = await homeFromFixtures([{ version: "0.130.0", scenario: "shell", kind: "exec" }, {
    version: "0.169.0",
    scenario: "message",
    kind: "exec",
  }]);
  await Deno.mkdir(join(home, "archived_sessions"));
  const archived = join(home, "archived_sessions", threads[0].path.split("/").at(-1)!);
  await Deno.rename(threads[0].path, archived);
  assert.deepEqual(await locateThread(home, threads[0].id), {
    id: threads[0].id,
    path: archived,
    via: "archived",
    archived: true,
  });
  // a file named after a thread whose session_meta says otherwise is not that thread
  const impostor = join(
    home,
    "sessions",
    "2026",
    "11",
    "21",
    `rollout-2026-11-21T17-00-00-${threads[0].id}.jsonl`,
  );
  await Deno.copyFile(threads[1].path, impostor);
  assert.equal((await locateThread(home, threads[0].id))?.path, archived);
  const r = await runCli(["status", "--thread", threads[0].id], { env: { CODEX_HOME: home } });
  assert.equal(res(r).reason, "marker_verified");
});

Deno.test("locate: state_5.sqlite maps ids to paths; a corrupt or locked index falls back to scanning", async () => {
  const { home, threads } = await homeFromFixtures([{ version: "0.169.0", scenario: "shell", kind: "exec" }]);
  const elsewhere = join(home, "elsewhere.jsonl");
  await Deno.rename(threads[0].path, elsewhere);
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(join(home, "state_5.sqlite"));
  db.exec(
    "CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, cwd TEXT, archived INTEGER, updated_at INTEGER)",
  );
  db.prepare("INSERT INTO threads VALUES (?, ?, ?, 0, 1)").run(threads[0].id, elsewhere, "/x");
  db.close();
  assert.equal((await locateThread(home, threads[0].id))?.via, "sqlite");
  // locked: another connection holds an exclusive lock → read-only open fails → scan
  await Deno.rename(elsewhere, threads[0].path);
  const locker = new DatabaseSync(join(home, "state_5.sqlite"));
  locker.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE threads SET cwd = '/y';");
  try {
    assert.equal((await locateThread(home, threads[0].id))?.via, "sessions");
  } finally {
    locker.exec("ROLLBACK");
    locker.close();
  }
  await Deno.writeTextFile(join(home, "state_5.sqlite"), "this is not a database");
  assert.equal((await locateThread(home, threads[0].id))?.via, "sessions");
});

Deno.test("tail: events after an offset, next_offset at a line end, bounded pages, mid-line offsets refused", async () => {
  const { home, threads } = await homeFromFixtures([{ version: "0.169.0", scenario: "shell", kind: "exec" }]);
  const env = { CODEX_HOME: home };
  const size = (await Deno.stat(threads[0].path)).size;
  const lines = (await Deno.readTextFile(threads[0].path)).split("\n").filter(Boolean);
  const all = await runCli(["tail", "--thread", threads[0].id], { env });
  assert.equal(all.code, 0);
  assert.equal((res(all).events as unknown[]).length, lines.length);
  assert.equal(res(all).next_offset, size);
  assert.equal((res(all).events as Record<string, unknown>[])[0].type, "session_meta");
  const none = await runCli(["tail", "--thread", threads[0].id, "--since-offset", String(size)], { env });
  assert.deepEqual(res(none).events, []);
  const page = await runCli(["tail", "--thread", threads[0].id, "--max-bytes", "1000"], { env });
  assert.equal(res(page).more, true);
  const next = res(page).next_offset as number;
  const rest = await runCli(["tail", "--thread", threads[0].id, "--since-offset", String(next)], { env });
  assert.equal((res(page).events as unknown[]).length + (res(rest).events as unknown[]).length, lines.length);
  const mid = await runCli(["tail", "--thread", threads[0].id, "--since-offset", String(next + 3)], { env });
  assert.equal(mid.code, 2);
  assert.equal(err(mid).code, "BAD_OFFSET");
});

Deno.test("threads: newest first with folded state; --cwd, --limit and --archived", async () => {
  const { home, threads } = await homeFromFixtures([
    { version: "0.169.0", scenario: "failure", kind: "exec" },
    { version: "0.130.0", scenario: "interrupt", kind: "exec" },
    { version: "0.169.0", scenario: "marker", kind: "tui" },
  ]);
  const env = { CODEX_HOME: home };
  const list = await runCli(["threads"], { env });
  const got = res(list).threads as Record<string, unknown>[];
  assert.deepEqual(got.map((t) => t.id), [threads[2].id, threads[1].id, threads[0].id]);
  assert.deepEqual(got.map((t) => t.status), ["completed", "aborted", "failed"]);
  assert.equal((res(await runCli(["threads", "--limit", "1"], { env })).threads as unknown[]).length, 1);
  const byCwd = await runCli(["threads", "--cwd", "/tmp/codexctl-fixtures/0.130.0/interrupt"], { env });
  assert.deepEqual((res(byCwd).threads as Record<string, unknown>[]).map((t) => t.id), [threads[1].id]);
  await Deno.mkdir(join(home, "archived_sessions"));
  await Deno.rename(threads[0].path, join(home, "archived_sessions", threads[0].path.split("/").at(-1)!));
  const archived = await runCli(["threads", "--archived"], { env });
  assert.deepEqual((res(archived).threads as Record<string, unknown>[]).map((t) => t.id), [threads[0].id]);
  assert.equal((await runCli(["threads", "--limit", "x"], { env })).code, 2);
});

Deno.test("garbage: invalid JSON, a 20 MB line and binary junk inside a rollout are reported, never fatal", async () => {
  const { home, threads } = await homeFromFixtures([{
    version: "0.169.0",
    scenario: "marker",
    kind: "exec",
  }]);
  const junk = new Uint8Array(64 * 1024);
  for (let i = 0; i < junk.length; i += 65536) crypto.getRandomValues(junk.subarray(i, i + 65536));
  const original = await Deno.readFile(threads[0].path);
  const cut = original.indexOf(10) + 1;
  const enc = new TextEncoder();
  const bad = [
    original.subarray(0, cut),
    enc.encode('{not json at all\n[1,2,3]\n"a string"\n'),
    enc.encode(
      `{"type":"event_msg","payload":{"type":"agent_message","message":"${"z".repeat(20 * 1024 * 1024)}"}}\n`,
    ),
    junk.map((b) => (b === 10 ? 32 : b)),
    enc.encode("\n"),
    original.subarray(cut),
  ];
  const f = await Deno.open(threads[0].path, { write: true, truncate: true });
  for (const part of bad) await f.write(part);
  f.close();
  const r = await runCli(["status", "--thread", threads[0].id], { env: { CODEX_HOME: home } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const compat = res(r).compatibility as Record<string, unknown>;
  assert.equal(compat.oversized_lines, 1, "the 20 MB line was skipped");
  assert.ok((compat.invalid_lines as number) >= 4, `invalid lines: ${compat.invalid_lines}`);
  assert.equal(compat.confidence, "high", "the real events still outnumber the garbage");
  assert.ok((compat.warnings as string[]).some((w) => /over-long/.test(w)));
  assert.equal(res(r).reason, "marker_verified", "the verdict survives the garbage");
});
