/**
 * The standing fault suite: the adversarial cases that broke codexctl (issue 15), one row each —
 * an input or a fault, and the envelope or behaviour it must get. Every row runs codexctl as users
 * do (`deno run -P src/main.ts`, a subprocess) against real files, real FIFOs, real permissions, a
 * real read-only mount and a real full tmpfs (made per call in a namespace of its own; a row that
 * cannot make its fault on this machine says so and is skipped). Rows that need a real Codex, tmux
 * or Claude Code live next to the code they guard; their test names are listed in the README's
 * "Security model" and issue 15's report.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type CliResult, denoDir, runCli } from "./support/cli.ts";
import { MAIN_TS, REPO_ROOT } from "./support/paths.ts";
import { homeFromFixtures } from "./support/fixtures.ts";
import { fullDisk, readOnly, skipped, unprivileged } from "./support/faults.ts";
import { stateWriteError } from "../src/store/fault.ts";
import { TmuxSubstrate } from "../src/substrate/tmux.ts";
import { HOOK_NAMES } from "../src/hook/run.ts";
import { writeSession } from "./support/session_record.ts";

/** What a row expects of the one envelope codexctl printed. */
interface Expect {
  code: number;
  /** `error.class` and `error.code` of a failure. */
  error?: [string, string];
  /** Matched against `error.message` (or the whole stdout of a success). */
  message?: RegExp;
  /** Any further check of the envelope. */
  check?: (r: CliResult) => void | Promise<void>;
}

/** One row: how to set the fault up (null: it cannot be made here, with the reason) and what it must get. */
interface Row {
  item: string;
  name: string;
  run: () => Promise<CliResult | { skip: string }>;
  expect: Expect;
}

const THREAD_RUN = { version: "0.169.0", scenario: "marker", kind: "exec" as const };

async function stateDir(mode = 0o700): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-fault-state-" });
  await Deno.chmod(dir, mode);
  return dir;
}

/** A Codex home whose one thread's rollout is replaced by a FIFO (no writer: opening it blocking would hang). */
async function fifoHome(): Promise<{ home: string; id: string; path: string }> {
  const { home, threads } = await homeFromFixtures([THREAD_RUN]);
  await Deno.remove(threads[0].path);
  const made = await new Deno.Command("mkfifo", { args: [threads[0].path] }).output();
  assert.ok(made.success, "mkfifo");
  return { home, id: threads[0].id, path: threads[0].path };
}

/** Writes `state_5.sqlite` with one row mapping `id` to `path`. */
async function indexRow(home: string, id: string, path: string): Promise<void> {
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(join(home, "state_5.sqlite"));
  db.exec(
    "CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, cwd TEXT, archived INTEGER, updated_at INTEGER)",
  );
  db.prepare("INSERT INTO threads VALUES (?, ?, ?, 0, 1)").run(id, path, "/x");
  db.close();
}

const err = (r: CliResult) => r.json?.error as Record<string, unknown>;
const res = (r: CliResult) => r.json?.result as Record<string, unknown>;
const UUID = "0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee";

const ROWS: Row[] = [
  // ── item 4: a FIFO where a rollout should be never hangs a verb ──────────────────────────────
  {
    item: "4",
    name: "status --thread whose rollout is a FIFO → environment/NOT_A_FILE naming it, at once",
    run: async () => {
      const { home, id } = await fifoHome();
      return await runCli(["status", "--thread", id], { env: { CODEX_HOME: home }, timeoutMs: 20_000 });
    },
    expect: { code: 3, error: ["environment", "NOT_A_FILE"], message: /rollout-.*\.jsonl is a FIFO/ },
  },
  {
    item: "4",
    name: "status --thread whose index row (state_5.sqlite) names a FIFO → environment/NOT_A_FILE",
    run: async () => {
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      const fifo = join(home, "elsewhere.jsonl");
      await new Deno.Command("mkfifo", { args: [fifo] }).output();
      await Deno.remove(threads[0].path);
      await indexRow(home, threads[0].id, fifo);
      return await runCli(["status", "--thread", threads[0].id], {
        env: { CODEX_HOME: home },
        timeoutMs: 20_000,
      });
    },
    expect: { code: 3, error: ["environment", "NOT_A_FILE"], message: /elsewhere\.jsonl is a FIFO/ },
  },
  {
    item: "4",
    name: "threads with a FIFO among the rollouts → environment/NOT_A_FILE naming it, at once",
    run: async () => {
      const { home } = await fifoHome();
      return await runCli(["threads"], { env: { CODEX_HOME: home }, timeoutMs: 20_000 });
    },
    expect: { code: 3, error: ["environment", "NOT_A_FILE"], message: /rollout-.*\.jsonl/ },
  },
  {
    item: "4",
    name: "threads whose index names a FIFO → environment/NOT_A_FILE, at once",
    run: async () => {
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      const fifo = join(home, "elsewhere.jsonl");
      await new Deno.Command("mkfifo", { args: [fifo] }).output();
      await indexRow(home, "0199aaaa-0000-7000-8000-000000000001", fifo);
      assert.ok(threads.length);
      return await runCli(["threads"], { env: { CODEX_HOME: home }, timeoutMs: 20_000 });
    },
    expect: { code: 3, error: ["environment", "NOT_A_FILE"], message: /elsewhere\.jsonl is a FIFO/ },
  },
  // ── item 13: a rollout that is not the thread's says why, never a plain "no rollout" ─────────
  {
    item: "13",
    name:
      "status --thread whose only file is named for it but its session_meta names another thread → not_found/NO_THREAD saying so",
    run: async () => {
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      const other = threads[0].path.replace(threads[0].id, UUID);
      await Deno.rename(threads[0].path, other);
      return await runCli(["status", "--thread", UUID], { env: { CODEX_HOME: home } });
    },
    expect: {
      code: 4,
      error: ["not_found", "NO_THREAD"],
      message: new RegExp(
        `is listed for thread ${UUID}, but its session_meta says it is thread [0-9a-f-]{36}`,
      ),
    },
  },
  {
    item: "13",
    name:
      "status --thread whose index row (state_5.sqlite) names another thread's rollout → NO_THREAD saying so",
    run: async () => {
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      await indexRow(home, UUID, threads[0].path);
      return await runCli(["status", "--thread", UUID], { env: { CODEX_HOME: home } });
    },
    expect: { code: 4, error: ["not_found", "NO_THREAD"], message: /but its session_meta says it is thread/ },
  },
  {
    item: "13",
    name: "status --thread whose file has no session_meta first line → NO_THREAD saying so",
    run: async () => {
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      const lines = (await Deno.readTextFile(threads[0].path)).split("\n");
      const other = threads[0].path.replace(threads[0].id, UUID);
      await Deno.writeTextFile(other, lines.slice(1).join("\n"));
      await Deno.remove(threads[0].path);
      return await runCli(["status", "--thread", UUID], { env: { CODEX_HOME: home } });
    },
    expect: {
      code: 4,
      error: ["not_found", "NO_THREAD"],
      message: /no rollout for thread .*: .*session_meta/,
    },
  },
  // ── item 5: permission denied is the environment, naming the path — never "not found" ───────
  {
    item: "5",
    name: "status --thread whose rollout may not be read → environment/PERMISSION_DENIED naming it",
    run: async () => {
      const wrap = await unprivileged();
      if (!wrap) return { skip: "root cannot give up its file powers here (no user namespace)" };
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      await Deno.chmod(threads[0].path, 0o000);
      return await runCli(["status", "--thread", threads[0].id], { env: { CODEX_HOME: home }, wrap });
    },
    expect: {
      code: 3,
      error: ["environment", "PERMISSION_DENIED"],
      message: /rollout-.*\.jsonl.*permission denied/,
    },
  },
  {
    item: "5",
    name:
      "status --thread under a sessions folder that may not be listed → environment/PERMISSION_DENIED naming it",
    run: async () => {
      const wrap = await unprivileged();
      if (!wrap) return { skip: "root cannot give up its file powers here (no user namespace)" };
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      await Deno.chmod(join(home, "sessions", "2026"), 0o000);
      return await runCli(["status", "--thread", threads[0].id], { env: { CODEX_HOME: home }, wrap });
    },
    expect: {
      code: 3,
      error: ["environment", "PERMISSION_DENIED"],
      message: /sessions\/2026 \(permission denied\)/,
    },
  },
  {
    item: "5",
    name:
      "threads under a sessions folder that may not be listed → environment/PERMISSION_DENIED, not an empty list",
    run: async () => {
      const wrap = await unprivileged();
      if (!wrap) return { skip: "root cannot give up its file powers here (no user namespace)" };
      const { home } = await homeFromFixtures([THREAD_RUN]);
      await Deno.chmod(join(home, "sessions", "2026", "11"), 0o000);
      return await runCli(["threads"], { env: { CODEX_HOME: home }, wrap });
    },
    expect: { code: 3, error: ["environment", "PERMISSION_DENIED"], message: /sessions\/2026\/11/ },
  },
  {
    item: "5",
    name: "threads with one rollout that may not be read → environment/PERMISSION_DENIED naming it",
    run: async () => {
      const wrap = await unprivileged();
      if (!wrap) return { skip: "root cannot give up its file powers here (no user namespace)" };
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      await Deno.chmod(threads[0].path, 0o000);
      return await runCli(["threads"], { env: { CODEX_HOME: home }, wrap });
    },
    expect: { code: 3, error: ["environment", "PERMISSION_DENIED"], message: /rollout-.*\.jsonl/ },
  },
  // ── item 7: --expect proves something only as a regular file ──────────────────────────────────
  ...["status", "start", "send", "await"].map((verb): Row => ({
    item: "7",
    name: `${verb} --expect "" → usage/BAD_ARGS before anything is done`,
    run: async () => {
      const target = verb === "status" ? ["--thread", UUID] : verb === "start" ? ["--task", "x"] : [
        "--session",
        "cdx-0000",
        ...(verb === "send" ? ["--message", "x"] : []),
      ];
      return await runCli([verb, ...target, "--expect", ""], {
        env: { CODEXCTL_HOME: await stateDir(), CODEX_HOME: await stateDir() },
      });
    },
    expect: { code: 2, error: ["usage", "BAD_ARGS"], message: /--expect/ },
  })),
  {
    item: "7",
    name: "status --expect naming a directory: the directory is not an artifact (not artifacts_present)",
    run: async () => {
      const { home, threads } = await homeFromFixtures([{
        version: "0.169.0",
        scenario: "message",
        kind: "exec",
      }]);
      const dir = await Deno.makeTempDir();
      return await runCli(["status", "--thread", threads[0].id, "--expect", dir], {
        env: { CODEX_HOME: home },
      });
    },
    expect: {
      code: 0,
      check: (r) => {
        assert.notEqual(res(r).reason, "artifacts_present");
        assert.deepEqual((res(r).artifacts as { exists: boolean }[]).map((a) => a.exists), [false]);
      },
    },
  },
  {
    item: "7",
    name: "status --expect naming a regular file: present (the control row)",
    run: async () => {
      const { home, threads } = await homeFromFixtures([{
        version: "0.169.0",
        scenario: "message",
        kind: "exec",
      }]);
      const file = await Deno.makeTempFile();
      await Deno.writeTextFile(file, "x");
      return await runCli(["status", "--thread", threads[0].id, "--expect", file], {
        env: { CODEX_HOME: home },
      });
    },
    expect: {
      code: 0,
      check: (r) => {
        assert.equal(res(r).reason, "artifacts_present");
        assert.deepEqual(
          (res(r).artifacts as { exists: boolean; bytes: number }[]).map((a) => [a.exists, a.bytes]),
          [
            [true, 1],
          ],
        );
      },
    },
  },
  // ── item 8: tail always makes progress ─────────────────────────────────────────────────────
  {
    item: "8",
    name: "tail --max-bytes 0 → usage/BAD_ARGS (a pager would never move)",
    run: async () => {
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      return await runCli(["tail", "--thread", threads[0].id, "--max-bytes", "0"], {
        env: { CODEX_HOME: home },
      });
    },
    expect: { code: 2, error: ["usage", "BAD_ARGS"], message: /--max-bytes: must be at least 1/ },
  },
  {
    item: "8",
    name: "tail --max-bytes 1 pages through the whole rollout, one line per call, every call moving on",
    run: async () => {
      const { home, threads } = await homeFromFixtures([THREAD_RUN]);
      const lines = (await Deno.readTextFile(threads[0].path)).split("\n").filter(Boolean).length;
      let offset = 0;
      let calls = 0;
      let last: CliResult;
      for (;;) {
        last = await runCli(
          ["tail", "--thread", threads[0].id, "--max-bytes", "1", "--since-offset", String(offset)],
          { env: { CODEX_HOME: home } },
        );
        assert.equal(last.code, 0, last.stdout);
        calls++;
        const next = res(last).next_offset as number;
        assert.ok(next > offset || res(last).more === false, `call ${calls} did not move from ${offset}`);
        assert.equal((res(last).events as unknown[]).length, res(last).more || next > offset ? 1 : 0);
        offset = next;
        if (!res(last).more) break;
        assert.ok(calls <= lines, "more calls than lines");
      }
      assert.equal(calls, lines);
      return last;
    },
    expect: { code: 0 },
  },
  // ── item 9: a state write the file system refuses is the environment (exit 3), named ─────────
  {
    item: "9",
    name: "state on a read-only file system (EROFS) → environment/STATE_READ_ONLY naming the path",
    run: async () => {
      const state = await stateDir();
      const wrap = await readOnly(state);
      if (!wrap) return { skip: "no mount namespace here for a read-only bind mount" };
      return await runCli(["follow", "--thread", UUID, "--unfollow", "--owner", "o"], {
        env: { CODEXCTL_HOME: state },
        wrap,
      });
    },
    expect: {
      code: 3,
      error: ["environment", "STATE_READ_ONLY"],
      message: /codexctl-fault-state-[^ ]+\/locks.*read-only/,
    },
  },
  {
    item: "9",
    name: "state directory without write permission (EACCES) → environment/STATE_PERMISSION naming the path",
    run: async () => {
      const wrap = await unprivileged();
      if (!wrap) return { skip: "root cannot give up its file powers here (no user namespace)" };
      const state = await stateDir(0o500);
      return await runCli(["follow", "--thread", UUID, "--unfollow", "--owner", "o"], {
        env: { CODEXCTL_HOME: state },
        wrap,
      });
    },
    expect: {
      code: 3,
      error: ["environment", "STATE_PERMISSION"],
      message: /codexctl-fault-state-[^ ]+\/locks.*permission denied/,
    },
  },
  {
    item: "9",
    name: "state on a full disk (ENOSPC) → environment/STATE_DISK_FULL naming the path, retryable",
    run: async () => {
      const state = await stateDir();
      const wrap = await fullDisk(state);
      if (!wrap) return { skip: "no mount namespace here for a full tmpfs" };
      return await runCli(["follow", "--thread", UUID, "--unfollow", "--owner", "o"], {
        env: { CODEXCTL_HOME: state },
        wrap,
      });
    },
    expect: {
      code: 3,
      error: ["environment", "STATE_DISK_FULL"],
      message: /codexctl-fault-state-[^ ]+\/follows\/.*no space left/,
      check: (r) => assert.equal(err(r).retryable, true),
    },
  },
  // ── item 11: the state root: never chmod what codexctl did not create; refuse one others can write ──
  {
    item: "11",
    name: "CODEXCTL_HOME 1777 owned by the user is used as it is (not chmodded to 0700)",
    run: async () => {
      const state = await stateDir(0o1777);
      const r = await runCli(["follow", "--thread", UUID, "--unfollow", "--owner", "o"], {
        env: { CODEXCTL_HOME: state },
      });
      assert.equal((await Deno.stat(state)).mode! & 0o7777, 0o1777);
      return r;
    },
    expect: { code: 0 },
  },
  {
    item: "11",
    name: "CODEXCTL_HOME 0755 is used as it is (not chmodded); what codexctl creates in it is 0700",
    run: async () => {
      const state = await stateDir(0o755);
      const r = await runCli(["follow", "--thread", UUID, "--unfollow", "--owner", "o"], {
        env: { CODEXCTL_HOME: state },
      });
      assert.equal((await Deno.stat(state)).mode! & 0o7777, 0o755);
      assert.equal((await Deno.stat(join(state, "follows"))).mode! & 0o7777, 0o700);
      return r;
    },
    expect: { code: 0 },
  },
  {
    item: "11",
    name: "CODEXCTL_HOME 0777 (others can write, not sticky) → environment/STATE_ROOT_UNSAFE, left untouched",
    run: async () => {
      const state = await stateDir(0o777);
      const r = await runCli(["follow", "--thread", UUID, "--unfollow", "--owner", "o"], {
        env: { CODEXCTL_HOME: state },
      });
      assert.equal((await Deno.stat(state)).mode! & 0o7777, 0o777);
      assert.deepEqual([...Deno.readDirSync(state)], [], "nothing was written into it");
      return r;
    },
    expect: { code: 3, error: ["environment", "STATE_ROOT_UNSAFE"], message: /mode 0777, not sticky/ },
  },
  {
    item: "11",
    name: "CODEXCTL_HOME 1777 owned by another user → environment/STATE_ROOT_UNSAFE",
    run: async () => {
      if (Deno.uid() !== 0) return { skip: "only root can give a directory to another user" };
      const state = await stateDir(0o1777);
      await Deno.chown(state, 65534, 65534);
      return await runCli(["sessions"], { env: { CODEXCTL_HOME: state } });
    },
    expect: { code: 3, error: ["environment", "STATE_ROOT_UNSAFE"], message: /owned by uid 65534/ },
  },
  {
    item: "11",
    name: "a policy planted in a state root others can write is never read: status refuses the root",
    run: async () => {
      const state = await stateDir(0o777);
      await Deno.writeTextFile(join(state, "config.jsonc"), `{"approvals":{"autoApprove":true}}`);
      return await runCli(["sessions"], { env: { CODEXCTL_HOME: state } });
    },
    expect: { code: 3, error: ["environment", "STATE_ROOT_UNSAFE"] },
  },
];

for (const row of ROWS) {
  Deno.test(`fault matrix [item ${row.item}]: ${row.name}`, async () => {
    const r = await row.run();
    if ("skip" in r) {
      skipped(row.name, r.skip);
      return;
    }
    const e = row.expect;
    assert.equal(
      r.code,
      e.code,
      `exit code; stdout: ${r.stdout.slice(0, 600)} stderr: ${r.stderr.slice(0, 300)}`,
    );
    assert.ok(r.json, `one JSON envelope on stdout, got: ${r.stdout.slice(0, 300)}`);
    assert.equal(r.json.ok, e.code === 0);
    if (e.error) {
      assert.deepEqual([err(r).class, err(r).code], e.error, JSON.stringify(err(r)));
      assert.ok(String(err(r).suggestion ?? "").length > 0, "a failure says what to do");
    }
    if (e.message) assert.match(String(e.error ? err(r).message : r.stdout), e.message);
    await e.check?.(r);
  });
}

Deno.test("fault matrix [item 9]: EDQUOT, which no test machine can make, maps like ENOSPC (the errno only)", () => {
  const quota = Object.assign(new Error("Disk quota exceeded (os error 122)"), { code: "EDQUOT" });
  const mapped = stateWriteError(quota, "/state/sessions/cdx-1.json");
  assert.equal(mapped?.errorClass, "environment");
  assert.equal(mapped?.code, "STATE_QUOTA");
  assert.match(mapped!.message, /\/state\/sessions\/cdx-1\.json/);
  assert.equal(stateWriteError(new Error("other"), "/x"), null, "anything else is passed on");
});

/** Runs `codexctl hook <event>` with a stdin that is held open (never closed) after `written`. */
async function hookWithOpenStdin(
  event: string,
  written: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; ms: number }> {
  const t0 = Date.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", "-P", `--config=${REPO_ROOT}/deno.json`, MAIN_TS, "hook", event],
    env: { NO_COLOR: "1", DENO_DIR: denoDir(), ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  if (written) await writer.write(new TextEncoder().encode(written));
  // a hung hook is killed after 20 s (then the exit code is not 0 and the test fails)
  const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const out = await child.output();
  clearTimeout(guard);
  await writer.close().catch(() => {});
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), ms: Date.now() - t0 };
}

const HOOK_STDINS: [string, string][] = [
  ["writes nothing", ""],
  ["writes half a JSON object", '{"session_id": "o", "hook_event_'],
  ["writes a whole hook input", JSON.stringify({ session_id: "o", hook_event_name: "PostToolUse" })],
];

// every hook codexctl answers (the wake-up too) and a name it does not know: stdin is read first
for (const name of [...HOOK_NAMES, "no-such-hook"]) {
  for (const [what, written] of name === "post-tool-use" ? HOOK_STDINS : [HOOK_STDINS[1]]) {
    Deno.test(`fault matrix [item 6]: hook ${name} whose stdin ${what} and never closes exits 0, silent, within its budget`, async () => {
      const state = await stateDir();
      const r = await hookWithOpenStdin(name, written, {
        CODEXCTL_HOME: state,
        CODEXCTL_HOOK_BUDGET_MS: "1500",
      });
      assert.equal(r.code, 0);
      assert.equal(r.stdout, "", "no output at all");
      assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
      const log = (await Deno.readTextFile(join(state, "logs", "hooks.jsonl"))).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      assert.match(String(log.at(-1)?.error), /stdin did not close within the hook's time budget/);
    });
  }
}

Deno.test("fault matrix [item 6]: a hook input that arrives slowly but within the budget is still answered", async () => {
  const { readInput } = await import("../src/hook/run.ts");
  const parts = ['{"session_id":', ' "o"}'];
  let i = 0;
  const source = {
    isTerminal: () => false,
    read: async (buffer: Uint8Array) => {
      await new Promise((r) => setTimeout(r, 100));
      if (i >= parts.length) return null;
      const bytes = new TextEncoder().encode(parts[i++]);
      buffer.set(bytes);
      return bytes.length;
    },
  };
  assert.equal(await readInput(source, Date.now() + 2000), '{"session_id": "o"}');
  i = 0;
  assert.equal(await readInput(source, Date.now() + 150), "late", "past the deadline it gives up");
  assert.equal(await readInput({ ...source, isTerminal: () => true }, Date.now() + 2000), null);
  await new Promise((r) => setTimeout(r, 200)); // the read the late call left behind ends
  i = 0;
  assert.equal(await readInput(source, Date.now() + 2000, 4), "too_big");
});

// ── item 12: --slug is bounded; labels are unique, also when sessions start at the same time ──
for (
  const [what, slug] of [
    ["41 characters", "a".repeat(41)],
    ["10 KB", "a".repeat(10 * 1024)],
    ["three words of 20", "aaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbbbbbb-cccccccccccccccccccc"],
  ]
) {
  Deno.test(`fault matrix [item 12]: start --slug of ${what} → usage/BAD_SLUG, nothing started`, async () => {
    const state = await stateDir();
    const r = await runCli(["start", "--task", "x", "--slug", slug, "--via", "tmux"], {
      env: { CODEXCTL_HOME: state, CODEXCTL_CODEX: "false", TMUX: "" },
    });
    assert.equal(r.code, 2, r.stdout);
    assert.deepEqual([err(r).class, err(r).code], ["usage", "BAD_SLUG"]);
    assert.match(String(err(r).message), /at most 40 are allowed/);
    assert.ok(String(err(r).message).length < 200, "the message quotes a bounded part of the slug");
    assert.deepEqual([...Deno.readDirSync(state)].map((e) => e.name).filter((n) => n === "sessions"), []);
  });
}

Deno.test("fault matrix [item 12]: a slug made from the task is bounded too (a 10 KB first word, three long words)", async () => {
  const { slugFromTask, checkSlug, MAX_SLUG } = await import("../src/driver/names.ts");
  for (
    const task of [
      "x".repeat(10 * 1024),
      `${"a".repeat(30)} ${"b".repeat(30)} ${"c".repeat(30)}`,
      "Fix the login page please",
    ]
  ) {
    const slug = slugFromTask(task);
    assert.ok(slug.length <= MAX_SLUG, `${slug.length} characters`);
    assert.equal(checkSlug(slug), slug, "a slug codexctl makes is one it accepts");
  }
  assert.equal(slugFromTask("Fix the login page please"), "fix-the-login");
});

Deno.test("fault matrix [item 12]: ten concurrent starts with the same task (real tmux) get ten different labels and ids", async () => {
  const state = await stateDir();
  const cwd = await Deno.makeTempDir();
  const env = { CODEXCTL_HOME: state, CODEXCTL_CODEX: "true", TMUX: "", TMUX_PANE: "" };
  try {
    const runs = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          runCli(
            ["start", "--task", "Fix the login page please", "--via", "tmux", "--no-wait", "--cwd", cwd],
            {
              env,
              timeoutMs: 120_000,
            },
          ),
      ),
    );
    for (const r of runs) assert.equal(r.code, 0, r.stdout + r.stderr);
    const records = [...Deno.readDirSync(join(state, "sessions"))].filter((e) => e.name.endsWith(".json"))
      .map((
        e,
      ) =>
        JSON.parse(Deno.readTextFileSync(join(state, "sessions", e.name))) as {
          session: string;
          label: string;
        }
      );
    assert.equal(records.length, 10);
    assert.equal(new Set(records.map((r) => r.session)).size, 10, "ids are unique");
    assert.deepEqual(
      records.map((r) => r.label).sort(),
      ["codex-fix-the-login", ...Array.from({ length: 9 }, (_, i) => `codex-fix-the-login-${i + 2}`)]
        .sort(),
      "labels are unique",
    );
    for (const rec of records) {
      // Codex here is `true`: its pane is gone at once and, the last pane closed, the private server
      // too; for a moment its process may linger unreaped, and end then rightly keeps the session
      let ended = await runCli(["end", "--session", rec.session], { env });
      for (let i = 0; i < 50 && ended.code === 3 && ended.stdout.includes("TMUX_UNREACHABLE"); i++) {
        await new Promise((r) => setTimeout(r, 200));
        ended = await runCli(["end", "--session", rec.session], { env });
      }
      assert.equal(ended.code, 0, ended.stdout);
    }
  } finally {
    await new Deno.Command("tmux", { args: ["-S", join(state, "tmux", "codexctl.sock"), "kill-server"] })
      .output()
      .catch(() => {});
    await Deno.remove(cwd, { recursive: true });
  }
});

// ── item 10: end on a corrupt record does its best from what can be read, removes it, says what it could not clean ──

/** A session record (valid) for a live pane that codexctl's own tmux substrate opened, running `argv`. */
async function liveTmuxSession(state: string, id: string, argv: string[]) {
  const cwd = await Deno.makeTempDir();
  const tmux = new TmuxSubstrate({ env: { get: () => undefined }, stateDir: state });
  const pane = await tmux.start({
    argv,
    cwd,
    env: { PATH: Deno.env.get("PATH") ?? "" },
    label: "corrupt",
    mode: "space",
  });
  const alive = async () => (await tmux.read(pane)).alive;
  await Deno.mkdir(join(state, "sessions"), { recursive: true, mode: 0o700 });
  const record = await writeSession(state, {
    session: id,
    owner: null,
    rollout_path: null,
    substrate: "tmux",
    pane,
    mode: "space",
    slug: "corrupt",
    label: "codex-corrupt",
    cwd,
    marker: "CDX_DONE_ABCDEF",
    pid: (await tmux.read(pane)).pid,
  });
  const path = join(state, "sessions", `${id}.json`);
  const kill = () =>
    new Deno.Command("tmux", { args: ["-S", join(state, "tmux", "codexctl.sock"), "kill-server"] }).output();
  return { record, path, alive, kill, cwd };
}

const CORRUPTIONS: [string, (text: string) => string][] = [
  ["cut off mid-file (not JSON any more)", (text) => text.slice(0, text.indexOf('"slug"') + 10)],
  [
    "valid JSON that breaks the schema",
    (text) => text.replace('"v": 1', '"v": "one"').replace('"label"', '"label": 7, "x"'),
  ],
];

for (const [what, corrupt] of CORRUPTIONS) {
  Deno.test(`fault matrix [item 10]: end on a session record ${what} closes its pane (real tmux), removes the record`, async () => {
    const state = await stateDir();
    const s = await liveTmuxSession(state, "cdx-c0de", ["sleep", "300"]);
    try {
      await Deno.writeTextFile(s.path, corrupt(JSON.stringify(s.record, null, 2)));
      assert.ok(await s.alive());
      const status = await runCli(["status", "--session", "cdx-c0de"], { env: { CODEXCTL_HOME: state } });
      assert.equal(err(status).code, "STATE_CORRUPT", "the record really is corrupt");
      const r = await runCli(["end", "--session", "cdx-c0de"], { env: { CODEXCTL_HOME: state } });
      assert.equal(r.code, 0, r.stdout);
      assert.equal(res(r).salvaged, true);
      assert.equal(res(r).pane_state, "closed");
      assert.deepEqual(res(r).not_cleaned, []);
      assert.equal(await s.alive(), false, "the pane is closed");
      assert.equal(await Deno.stat(s.path).then(() => true, () => false), false, "the record is removed");
      const again = await runCli(["end", "--session", "cdx-c0de"], { env: { CODEXCTL_HOME: state } });
      assert.match(String(res(again).summary), /already ended/);
    } finally {
      await s.kill();
    }
  });
}

Deno.test("fault matrix [item 10]: end on a record whose pane is unreadable stops the Codex process by pid, and says the pane was not cleaned", async () => {
  const state = await stateDir();
  const bin = await Deno.makeTempDir();
  // a process whose command line names codex (a copy of sleep called codex)
  await Deno.copyFile("/bin/sleep", join(bin, "codex"));
  await Deno.chmod(join(bin, "codex"), 0o755);
  const codex = new Deno.Command(join(bin, "codex"), { args: ["300"], stdout: "null", stderr: "null" })
    .spawn();
  const other = new Deno.Command("sleep", { args: ["300"], stdout: "null", stderr: "null" }).spawn();
  try {
    await Deno.mkdir(join(state, "sessions"), { recursive: true });
    await Deno.writeTextFile(
      join(state, "sessions", "cdx-d00d.json"),
      `{"v":1,"session":"cdx-d00d","substrate":"tmux","pane":"garbled","pid":${codex.pid},"worktree":{"repo":`,
    );
    await Deno.writeTextFile(
      join(state, "sessions", "cdx-beef.json"),
      `{"v":1,"session":"cdx-beef","substrate":"tmux","pid":${other.pid}`,
    );
    const r = await runCli(["end", "--session", "cdx-d00d"], { env: { CODEXCTL_HOME: state } });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(res(r).stopped_pid, codex.pid);
    const notCleaned = res(r).not_cleaned as string[];
    assert.ok(
      notCleaned.some((n) => /the pane: the record does not say which one/.test(n)),
      notCleaned.join("; "),
    );
    assert.ok(notCleaned.some((n) => /the worktree: the record names one but it cannot be read/.test(n)));
    assert.equal((await codex.status).signal, "SIGTERM", "the Codex process was stopped");
    // a pid that is not Codex is never killed
    const spared = await runCli(["end", "--session", "cdx-beef"], { env: { CODEXCTL_HOME: state } });
    assert.equal(res(spared).stopped_pid, null);
    assert.ok((res(spared).not_cleaned as string[]).some((n) => /is not Codex .* left alone/.test(n)));
    assert.deepEqual(
      [...Deno.readDirSync(join(state, "sessions"))].filter((e) => !e.name.startsWith(".")),
      [],
    );
  } finally {
    try {
      other.kill("SIGKILL");
    } catch { /* gone */ }
    try {
      codex.kill("SIGKILL");
    } catch { /* gone */ }
    await other.status;
    await codex.status;
  }
});

// ── item 2: the caller's environment reaches the pane, and no value is on any command line ──

/** Reads every `/proc/*\/cmdline` again and again until `stop()`; the pids whose argv held `needle`. */
function cmdlineWatch(needle: string): { stop(): Promise<string[]>; scans(): number } {
  const hits = new Set<string>();
  let running = true;
  let scans = 0;
  const loop = (async () => {
    while (running) {
      for (const entry of Deno.readDirSync("/proc")) {
        if (!/^\d+$/.test(entry.name)) continue;
        const argv = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(() => "");
        if (argv.includes(needle)) hits.add(`${entry.name}: ${argv.replaceAll("\0", " ").slice(0, 200)}`);
      }
      scans++;
      await new Promise((r) => setTimeout(r, 0));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return [...hits];
    },
    scans: () => scans,
  };
}

/** A stand-in for codex: writes the environment it got to $FAKE_ENV_OUT, then exits. */
async function envDumpingCodex(dir: string): Promise<string> {
  const path = join(dir, "codex");
  await Deno.writeTextFile(path, '#!/bin/sh\nenv > "$FAKE_ENV_OUT"\n');
  await Deno.chmod(path, 0o755);
  return path;
}

/** All files under `dir` whose content holds `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...filesHolding(path, needle));
    else if (entry.isFile && Deno.readTextFileSync(path).includes(needle)) out.push(path);
  }
  return out;
}

const TMUX_PLACES: [string, string | null][] = [
  ["outside tmux (codexctl's private tmux server)", null],
  ["inside tmux, --in pane (split-window)", "pane"],
  ["inside tmux, --in tab (new-window)", "tab"],
  ["inside tmux, --in space (new-session)", "space"],
];

for (const [where, mode] of TMUX_PLACES) {
  Deno.test(`fault matrix [item 2]: start --via tmux ${where} — the pane gets the secret, no /proc/*/cmdline shows it`, async () => {
    if (!(await Deno.stat("/proc/self/cmdline").then(() => true, () => false))) {
      return skipped(`item 2 ${where}`, "no /proc on this machine");
    }
    const state = await stateDir();
    const work = await Deno.makeTempDir();
    const secret = `sk-test-${crypto.randomUUID()}`;
    const outer = join(work, "outer.sock");
    const envOut = join(work, "env.txt");
    const env: Record<string, string> = {
      CODEXCTL_HOME: state,
      CODEXCTL_CODEX: await envDumpingCodex(work),
      OPENAI_API_KEY: secret,
      FAKE_ENV_OUT: envOut,
      TMUX: "",
      TMUX_PANE: "",
    };
    if (mode) {
      const made = await new Deno.Command("tmux", {
        args: ["-S", outer, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "sleep", "300"],
      }).output();
      assert.ok(made.success, "the caller's tmux server");
      const pid = new TextDecoder().decode(
        (await new Deno.Command("tmux", { args: ["-S", outer, "display", "-p", "#{pid}"], stdout: "piped" })
          .output()).stdout,
      ).trim();
      env.TMUX = `${outer},${pid},0`;
      env.TMUX_PANE = "%0";
    }
    const watch = cmdlineWatch(secret);
    try {
      const r = await runCli(
        [
          "start",
          "--task",
          "show the environment",
          "--via",
          "tmux",
          "--no-wait",
          "--cwd",
          work,
          ...(mode ? ["--in", mode] : []),
        ],
        { env, timeoutMs: 90_000 },
      );
      assert.ok(r.json?.ok === true || r.json?.result !== undefined, r.stdout + r.stderr);
      // the pane's command ran with the caller's environment, secret included
      for (let i = 0; i < 100 && !(await Deno.stat(envOut).then(() => true, () => false)); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const got = await Deno.readTextFile(envOut);
      assert.ok(got.includes(`OPENAI_API_KEY=${secret}`), "the pane got the variable");
      assert.ok(!/^TMUX=/m.test(got), "the caller's $TMUX is not passed into the pane");
      // the servers still run: their command lines are read once more after the start
      await new Promise((r) => setTimeout(r, 300));
      const hits = await watch.stop();
      assert.ok(watch.scans() > 3, `the command lines were read ${watch.scans()} times`);
      assert.deepEqual(hits, [], "no process ever had the secret in its argv");
      assert.deepEqual(filesHolding(state, secret), [], "no file left in the state directory holds it");
      const session = String(res(r).session ?? (r.json?.result as { session?: string })?.session);
      await runCli(["end", "--session", session], { env });
    } finally {
      await watch.stop();
      for (const sock of [join(state, "tmux", "codexctl.sock"), outer]) {
        await new Deno.Command("tmux", { args: ["-S", sock, "kill-server"], stderr: "null" }).output()
          .catch(() => {});
      }
      await Deno.remove(work, { recursive: true });
    }
  });
}

Deno.test("fault matrix [item 2]: the pane's environment file is a 0600 script in a 0700 folder that runs any value verbatim and deletes itself", async () => {
  const { writeEnvFile } = await import("../src/substrate/env_file.ts");
  const state = await stateDir();
  const tricky = `it's $HOME \`id\` "q" \\ $(echo no)\nsecond line; rm -rf /nope`;
  const file = await writeEnvFile(state, {
    TRICKY: tricky,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    "BAD-NAME": "x",
    SHELLOPTS: "x",
  }, ["/usr/bin/env"]);
  assert.equal(Deno.statSync(file.path).mode! & 0o777, 0o600);
  assert.equal(Deno.statSync(join(state, "pane-env")).mode! & 0o777, 0o700);
  assert.ok(!file.argv.some((a) => a.includes("it's")), "no value in the argv");
  const out = await new Deno.Command(file.argv[0], {
    args: file.argv.slice(1),
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const env = new TextDecoder().decode(out.stdout);
  assert.ok(env.includes(`TRICKY=${tricky}\n`), env);
  assert.ok(!env.includes("BAD-NAME"), "a name sh cannot export is left out, not fatal");
  assert.equal(await Deno.stat(file.path).then(() => true, () => false), false, "the file deleted itself");
});

// ── item 13: sessions and status give one reading of the same record ──

Deno.test("fault matrix [item 13]: sessions and status give the same state for the same record — every real 0.169 screen, in a real tmux pane", async () => {
  const dir = join(REPO_ROOT, "tests", "fixtures", "screens-codex-0.169");
  const screens = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".txt")).sort();
  assert.ok(screens.length >= 12, `${screens.length} screens`);
  const state = await stateDir();
  const ids: string[] = [];
  const s = { kill: async () => {} };
  try {
    for (const [i, name] of screens.entries()) {
      const id = `cdx-5c${i.toString(16).padStart(2, "0")}`;
      const live = await liveTmuxSession(state, id, ["sh", "-c", `cat '${join(dir, name)}'; exec sleep 300`]);
      s.kill = async () => void await live.kill();
      await Deno.writeTextFile(live.path, JSON.stringify({ ...live.record, marker: "ACC_DONE_7f3a91" }));
      ids.push(id);
    }
    await new Promise((r) => setTimeout(r, 500)); // every pane has printed its screen
    const listed = await runCli(["sessions"], { env: { CODEXCTL_HOME: state } });
    assert.equal(listed.code, 0, listed.stdout);
    const rows = new Map(
      (res(listed).live as { session: string; state: string; reason: string }[]).map((r) => [r.session, r]),
    );
    const states = new Set<string>();
    for (const [i, id] of ids.entries()) {
      const status = await runCli(["status", "--session", id], { env: { CODEXCTL_HOME: state } });
      assert.equal(status.code, 0, status.stdout);
      const row = rows.get(id);
      assert.deepEqual(
        [row?.state, row?.reason],
        [res(status).state, res(status).reason],
        `${screens[i]}: sessions and status disagree`,
      );
      states.add(String(res(status).state));
    }
    assert.ok(states.size >= 5, `the screens read as different states (${[...states].join(", ")})`);
  } finally {
    await s.kill();
  }
});
