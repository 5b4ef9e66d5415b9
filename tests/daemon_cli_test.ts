/**
 * `reply` and `send` as a user runs them (`deno run -q -P src/main.ts`): flags validated before
 * anything else, every outcome one valid v1 envelope with the right exit code, daemon trouble a
 * clear environment error — plus the doctor check against the same stand-ins.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { daemonDoctorCheck } from "../src/doctor/daemon_check.ts";
import { runCli } from "./support/cli.ts";
import {
  approvalDaemon,
  FAKE_THREAD,
  fakeCodexHome,
  initializeOnly,
  makeRefusedSocket,
  startFakeDaemon,
} from "./support/fake_daemon.ts";

const validate = await (async () => {
  const schema = await runCli(["schema"]);
  return new Ajv2020({ strict: false, allErrors: true }).compile(schema.json!);
})();

function envFor(codexHome: string, state?: string): Record<string, string> {
  return { CODEX_HOME: codexHome, CODEXCTL_HOME: state ?? join(codexHome, "state"), HOME: "/nonexistent" };
}

function errorOf(res: { json?: Record<string, unknown> }): Record<string, unknown> {
  assert.ok(validate(res.json), JSON.stringify(validate.errors));
  assert.equal(res.json?.ok, false);
  return res.json?.error as Record<string, unknown>;
}

Deno.test("reply: exactly one answer is checked before anything else (usage/BAD_REPLY, exit 2)", async () => {
  // no CODEX_HOME, no thread: the answer mode is still what is reported
  for (
    const [args, pattern] of [
      [[], /needs exactly one answer/],
      [["--approve", "--reject"], /--approve and --reject/],
      [["--thread", "nope", "--choice", "1", "--text", "x"], /--choice and --text/],
      [["--choice", "two"], /option number/],
      [["--choice", "0"], /option number/],
      [["--text", "  "], /must not be empty/],
    ] as [string[], RegExp][]
  ) {
    const res = await runCli(["reply", ...args], { env: { HOME: "/nonexistent" } });
    assert.equal(res.code, 2, `${args.join(" ")}: ${res.stdout}`);
    const error = errorOf(res);
    assert.equal(error.code, "BAD_REPLY", args.join(" "));
    assert.match(String(error.message), pattern);
    assert.equal(res.stderr, "");
  }
});

Deno.test("reply/send: the target is exactly one of --session cdx-… or --thread <uuid|codex://threads/uuid>", async () => {
  const noTarget = await runCli(["reply", "--approve"], { env: { HOME: "/nonexistent" } });
  assert.equal(noTarget.code, 2);
  assert.equal(errorOf(noTarget).code, "NO_TARGET");
  const badId = await runCli(["reply", "--thread", "cdx-1a2b", "--approve"], {
    env: { HOME: "/nonexistent" },
  });
  assert.equal(badId.code, 2);
  assert.equal(errorOf(badId).code, "BAD_THREAD");
  const session = await runCli(["reply", "--session", "cdx-1a2b", "--approve"], {
    env: { HOME: "/nonexistent" },
  });
  assert.equal(session.code, 4, "an unknown session is not found, never faked");
  assert.equal(errorOf(session).code, "NO_SESSION");
  const both = await runCli(["reply", "--session", "cdx-1a2b", "--thread", FAKE_THREAD, "--approve"], {
    env: { HOME: "/nonexistent" },
  });
  assert.equal(both.code, 2);
  assert.equal(errorOf(both).code, "NO_TARGET");
  const noMessage = await runCli(["send", "--thread", FAKE_THREAD], { env: { HOME: "/nonexistent" } });
  assert.equal(noMessage.code, 2);
  assert.equal(errorOf(noMessage).code, "NO_MESSAGE");
  const empty = await runCli(["send", "--thread", FAKE_THREAD, "--message", " "], {
    env: { HOME: "/nonexistent" },
  });
  assert.equal(empty.code, 2);
  assert.equal(errorOf(empty).code, "BAD_ARGS");
  const help = await runCli(["--help"]);
  const verbs = (help.json?.result as { verbs: { name: string }[] }).verbs.map((v) => v.name);
  assert.ok(verbs.includes("reply") && verbs.includes("send"));
  const replyHelp = await runCli(["reply", "--help"]);
  assert.equal(replyHelp.code, 0);
});

Deno.test("daemon absent, refused or garbled: reply and send print a clear environment envelope, exit 3", async () => {
  const absent = await fakeCodexHome(null);
  const refused = await fakeCodexHome(await makeRefusedSocket());
  const garbage = await startFakeDaemon((m, peer) =>
    m.method === "initialize" && peer.send("<html>garbage</html>")
  );
  try {
    const garbled = await fakeCodexHome(garbage.path);
    for (
      const [home, code] of [[absent, "DAEMON_DOWN"], [refused, "DAEMON_REFUSED"], [
        garbled,
        "DAEMON_PROTOCOL",
      ]]
    ) {
      for (
        const args of [
          ["reply", "--thread", FAKE_THREAD, "--approve"],
          ["send", "--thread", FAKE_THREAD, "--message", "hi"],
        ]
      ) {
        const res = await runCli(args, { env: envFor(home), timeoutMs: 60_000 });
        assert.equal(res.code, 3, `${args[0]} ${code}: ${res.stdout}${res.stderr}`);
        const error = errorOf(res);
        assert.equal(error.class, "environment");
        assert.equal(error.code, code);
        assert.ok(error.suggestion);
        assert.doesNotMatch(res.stdout + res.stderr, /at .*\.ts:\d+/);
      }
    }
  } finally {
    await garbage.close();
  }
});

Deno.test("reply through a daemon: answers, reports the request, audits; a thread not loaded is not_found", async () => {
  const fake = await startFakeDaemon(approvalDaemon());
  try {
    const home = await fakeCodexHome(fake.path);
    const state = join(home, "state");
    const res = await runCli(["reply", "--thread", FAKE_THREAD, "--choice", "1", "--item", "call_1"], {
      env: envFor(home, state),
      timeoutMs: 60_000,
    });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.ok(validate(res.json));
    const result = res.json?.result as Record<string, unknown>;
    assert.deepEqual(result.answer, { decision: "accept" });
    assert.equal(result.confirmed, true);
    assert.equal((result.request as { command_text: string }).command_text, "touch x.txt");
    const audit = (await Deno.readTextFile(join(state, "logs", "audit.jsonl"))).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0].rule, "reply --choice 1");

    const other = "01a1feeb-0000-7e61-bb70-b597135eab2b";
    const missing = await runCli(["reply", "--thread", other, "--approve"], {
      env: envFor(home),
      timeoutMs: 60_000,
    });
    assert.equal(missing.code, 4);
    assert.equal(errorOf(missing).code, "THREAD_NOT_LOADED");
    const notLoadedSend = await runCli(["send", "--thread", other, "--message", "hi"], {
      env: envFor(home),
      timeoutMs: 60_000,
    });
    assert.equal(notLoadedSend.code, 4);
    assert.equal(errorOf(notLoadedSend).code, "THREAD_NOT_LOADED");

    // a stale --item is refused even though something else is pending
    const stale = await runCli(["reply", "--thread", FAKE_THREAD, "--approve", "--item", "call_9"], {
      env: envFor(home),
      timeoutMs: 60_000,
    });
    assert.equal(stale.code, 4);
    const error = errorOf(stale);
    assert.equal(error.code, "STALE_REQUEST");
    assert.match(String(error.message), /now waits on call_1/);
  } finally {
    await fake.close();
  }
});

Deno.test("send to a thread waiting on an approval: THREAD_BUSY naming the command, nothing sent", async () => {
  const fake = await startFakeDaemon(approvalDaemon());
  try {
    const res = await runCli(["send", "--thread", FAKE_THREAD, "--message", "hello"], {
      env: envFor(await fakeCodexHome(fake.path)),
      timeoutMs: 60_000,
    });
    assert.equal(res.code, 3, res.stdout);
    const error = errorOf(res);
    assert.equal(error.code, "THREAD_BUSY");
    assert.equal(error.retryable, false);
    assert.match(String(error.message), /approval to run `touch x\.txt`/);
    assert.match(String(error.suggestion), /codexctl reply --thread/);
    assert.equal(fake.received.some((m) => m.method === "turn/start"), false);
  } finally {
    await fake.close();
  }
});

Deno.test("reply: a broken config.jsonc stops an approval with usage/BAD_CONFIG before anything is sent", async () => {
  const fake = await startFakeDaemon(approvalDaemon());
  try {
    const home = await fakeCodexHome(fake.path);
    const state = join(home, "state");
    await Deno.mkdir(state, { recursive: true });
    await Deno.writeTextFile(
      join(state, "config.jsonc"),
      `{ "approvals": { "rules": [ { "action": "allow" } ] } }`,
    );
    const res = await runCli(["reply", "--thread", FAKE_THREAD, "--approve"], {
      env: envFor(home, state),
      timeoutMs: 60_000,
    });
    assert.equal(res.code, 2, res.stdout);
    assert.equal(errorOf(res).code, "BAD_CONFIG");
    assert.equal(fake.received.some((m) => m.id === 0 && "result" in m), false, "nothing was sent");
  } finally {
    await fake.close();
  }
});

Deno.test("doctor check: ok with the version, warn when absent or refused, fail for garbage", async () => {
  const ok = await startFakeDaemon(initializeOnly("codex-tui/0.169.0 (fake)"));
  const garbage = await startFakeDaemon((m, peer) => m.method === "initialize" && peer.send("nope"));
  try {
    const check = async (home: string) =>
      await daemonDoctorCheck({ get: (k) => (k === "CODEX_HOME" ? home : undefined) });
    const good = await check(await fakeCodexHome(ok.path));
    assert.equal(good.status, "ok");
    assert.equal(good.version, "0.169.0");
    assert.equal(good.reachable, true);
    assert.equal(good.socket_target, ok.path);
    const absent = await check(await fakeCodexHome(null));
    assert.equal(absent.status, "warn");
    assert.equal(absent.error?.code, "DAEMON_DOWN");
    assert.equal(absent.socket_exists, false);
    const refused = await check(await fakeCodexHome(await makeRefusedSocket()));
    assert.equal(refused.status, "warn");
    assert.equal(refused.error?.code, "DAEMON_REFUSED");
    const bad = await check(await fakeCodexHome(garbage.path));
    assert.equal(bad.status, "fail");
    assert.equal(bad.error?.code, "DAEMON_PROTOCOL");
    const noHome = await daemonDoctorCheck({ get: () => undefined });
    assert.equal(noHome.status, "fail");
    assert.equal(noHome.error?.code, "NO_CODEX_HOME");
  } finally {
    await ok.close();
    await garbage.close();
  }
});
