/**
 * `codexctl doctor`, run as users run it (`deno run -P src/main.ts`): every check's report has the
 * documented shape, doctor exits 0 with an ok envelope whatever it finds, and the herdr check
 * reports reachability, version, protocol and the socket used — against the fake herdr, a dead
 * socket, and a herdr killed mid-request.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { CheckResultSchema } from "../src/doctor/check.ts";
import { renderDoctor } from "../src/doctor/run.ts";
import { HerdrClient } from "../src/herdr/client.ts";
import { runCli } from "./support/cli.ts";
import { REPO_ROOT } from "./support/paths.ts";
import { withFakeHerdr } from "./support/fake_herdr.ts";

/** Deno's own cache directory, kept when HOME moves (else the CLI would re-fetch its npm packages). */
async function denoDir(): Promise<string> {
  const fromEnv = Deno.env.get("DENO_DIR");
  if (fromEnv) return fromEnv;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

/** Runs `fn` with an environment that has no herdr anywhere but where the test puts it. */
async function withIsolatedEnv(
  extra: Record<string, string>,
  fn: (env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "codexctl-doctor-home-" });
  try {
    await fn({
      HOME: home,
      DENO_DIR: await denoDir(),
      XDG_CONFIG_HOME: "",
      XDG_RUNTIME_DIR: "",
      HERDR_SOCKET_PATH: "",
      HERDR_SESSION: "",
      HERDR_ENV: "",
      HERDR_PANE_ID: "",
      ...extra,
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

type Check = {
  name: string;
  status: string;
  summary: string;
  details: Record<string, unknown>;
  suggestion: unknown;
};

async function doctor(env: Record<string, string>, ...flags: string[]) {
  const res = await runCli(["doctor", "--json", ...flags], { env });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.equal(res.json?.ok, true);
  assert.equal(res.json?.command, "doctor");
  const result = res.json!.result as { healthy: boolean; counts: Record<string, number>; checks: Check[] };
  for (const check of result.checks) CheckResultSchema.parse(check);
  const herdr = result.checks.find((c) => c.name === "herdr");
  assert.ok(herdr, "the herdr check ran");
  return { result, herdr: herdr! };
}

Deno.test("doctor without herdr: herdr is absent (not a failure), every probed socket path is listed, exit 0", async () => {
  await withIsolatedEnv({}, async (env) => {
    const { result, herdr } = await doctor(env, "--check", "herdr");
    if ((await Deno.stat("/tmp/herdr.sock").catch(() => null)) !== null) return; // a herdr runs on this machine
    assert.equal(herdr.status, "absent");
    assert.equal(result.healthy, true, "herdr being absent is not a failure");
    const candidates = herdr.details.candidates as { path: string; source: string }[];
    assert.deepEqual(candidates.map((c) => c.source), ["HOME", "TMP"]);
    assert.equal(herdr.details.socket, join(env.HOME, ".config", "herdr", "herdr.sock"));
    assert.match(String(herdr.suggestion), /HERDR_SOCKET_PATH/);
  });
});

for (
  const [flavor, status, protocol] of [["0.8", "ok", 20], ["0.9", "ok", 22], ["0.6", "warn", 10]] as const
) {
  Deno.test(`doctor with a fake herdr ${flavor}: reachable, version, protocol, flavor and the socket used (${status})`, async () => {
    await withFakeHerdr({ flavor }, async (fake) => {
      await withIsolatedEnv(fake.env(), async (env) => {
        const { result, herdr } = await doctor(env, "--check", "herdr");
        assert.equal(herdr.status, status, herdr.summary);
        assert.equal(herdr.details.reachable, true);
        assert.equal(herdr.details.protocol, protocol);
        assert.equal(herdr.details.flavor, flavor === "0.6" ? "legacy" : "current");
        assert.equal(herdr.details.socket, fake.socketPath);
        assert.equal(herdr.details.socket_source, "HERDR_SOCKET_PATH");
        assert.match(herdr.summary, new RegExp(`protocol ${protocol}`));
        assert.equal(result.healthy, true);
      });
    });
  });
}

Deno.test("doctor inside a herdr pane: a live HERDR_PANE_ID is ok, a stale one is a warning", async () => {
  await withFakeHerdr({}, async (fake) => {
    const ws = await new HerdrClient({ socketPath: fake.socketPath }).workspaceCreate({});
    const inside = { ...fake.env(), HERDR_ENV: "1", HERDR_PANE_ID: ws.root_pane.pane_id };
    await withIsolatedEnv(inside, async (env) => {
      const ok = await doctor(env);
      assert.equal(ok.herdr.status, "ok");
      assert.equal(ok.herdr.details.caller_pane, ws.root_pane.pane_id);
      const stale = await doctor({ ...env, HERDR_PANE_ID: "w9:p9" });
      assert.equal(stale.herdr.status, "warn");
      assert.match(stale.herdr.summary, /HERDR_PANE_ID=w9:p9 is not a live pane/);
    });
  });
});

Deno.test("doctor with a dead herdr socket: the herdr check fails with HERDR_DOWN, doctor still exits 0", async () => {
  await withFakeHerdr({}, async (fake) => {
    await fake.crash(); // the socket file stays, nothing listens
    await withIsolatedEnv(fake.env(), async (env) => {
      const { result, herdr } = await doctor(env);
      assert.equal(herdr.status, "fail");
      assert.equal((herdr.details.error as { code: string }).code, "HERDR_DOWN");
      assert.equal(result.healthy, false);
    });
  });
});

Deno.test("doctor when herdr dies mid-request: HERDR_DOWN right away, not after the timeout", async () => {
  await withFakeHerdr({}, async (fake) => {
    await withIsolatedEnv(fake.env(), async (env) => {
      fake.hang("ping");
      const arrived = fake.waitForRequest("ping", 60_000);
      const running = doctor(env, "--timeout", "60");
      await arrived;
      const killedAt = Date.now();
      await fake.crash();
      const { herdr } = await running;
      assert.ok(Date.now() - killedAt < 30_000, `doctor took ${Date.now() - killedAt} ms after the crash`);
      assert.equal(herdr.status, "fail");
      const error = herdr.details.error as { class: string; code: string; message: string };
      assert.deepEqual([error.class, error.code], ["environment", "HERDR_DOWN"]);
      assert.match(error.message, /closed the connection without answering/);
    });
  });
});

Deno.test("doctor's own bad flags are usage errors (exit 2)", async () => {
  const unknown = await runCli(["doctor", "--check", "nope"]);
  assert.equal(unknown.code, 2);
  assert.equal((unknown.json?.error as { code: string }).code, "BAD_ARGS");
  assert.match(
    String((unknown.json?.error as { message: string }).message),
    /unknown check "nope"; choose from: runtime, codex, codex_daemon, herdr, tmux, state/,
  );
  const zero = await runCli(["doctor", "--timeout", "0"]);
  assert.equal(zero.code, 2);
});

Deno.test("doctor's human report: one line per check with its mark, summary and suggestion", () => {
  const text = renderDoctor({
    healthy: false,
    counts: { ok: 1, warn: 0, fail: 1, absent: 0 },
    checks: [
      {
        name: "herdr",
        status: "fail",
        summary: "herdr does not answer",
        details: {},
        suggestion: "start herdr",
      },
      { name: "tmux", status: "ok", summary: "tmux 3.3a", details: {}, suggestion: null },
    ],
  }, false);
  assert.equal(
    text,
    [
      "codexctl doctor",
      "  ✗ herdr  fail    herdr does not answer",
      "                   → start herdr",
      "  ✓ tmux   ok      tmux 3.3a",
      "1 ok, 0 warning(s), 1 failure(s), 0 absent",
    ].join("\n"),
  );
});

Deno.test("doctor runs every check: the runtime, codex, the Codex daemon, herdr, tmux and the state directory", async () => {
  const state = await Deno.makeTempDir({ prefix: "codexctl-doctor-state-" });
  const res = await runCli(["doctor", "--json"], {
    env: { CODEXCTL_HOME: state, CODEX_HOME: state + "/codex", CODEXCTL_CODEX: "/nonexistent/codex" },
  });
  const checks = (res.json!.result as { checks: Check[] }).checks;
  assert.deepEqual(checks.map((c) => c.name), ["runtime", "codex", "codex_daemon", "herdr", "tmux", "state"]);
  const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
  assert.equal(byName.codex.status, "fail", "a codex that does not run is a failure");
  assert.match(String(byName.codex.suggestion), /npm install -g @openai\/codex/);
  assert.equal(byName.codex_daemon.status, "absent", "no daemon socket: absent, not broken");
  assert.equal(byName.tmux.status, "ok");
  assert.equal(byName.state.status, "ok");
  assert.equal((res.json!.result as { healthy: boolean }).healthy, false);
});

Deno.test("doctor's runtime check: source or binary, the launcher's route only when it names what runs", async () => {
  const res = await runCli(["doctor", "--check", "runtime", "--json"], {
    env: { CODEXCTL_LAUNCHED_AS: `deno-path ${Deno.execPath()}` },
  });
  const [check] = (res.json!.result as { checks: Check[] }).checks;
  assert.equal(check.status, "ok");
  assert.equal(check.details.compiled, false);
  assert.equal(check.details.executable, Deno.execPath());
  assert.equal(check.details.launched_as, "deno-path");
  assert.equal(check.details.project_root, REPO_ROOT);
  assert.equal(
    check.summary,
    `the source with Deno ${Deno.version.deno} (${Deno.execPath()}), started by bin/codexctl from deno on PATH`,
  );
  // inherited from a parent run by something else (a Codex pane gets codexctl's environment): ignored
  for (const stale of ["dist /usr/bin/env", "bogus-route " + Deno.execPath(), "garbage"]) {
    const other = await runCli(["doctor", "--check", "runtime", "--json"], {
      env: { CODEXCTL_LAUNCHED_AS: stale },
    });
    const [c] = (other.json!.result as { checks: Check[] }).checks;
    assert.equal(c.details.launched_as, null, stale);
    assert.doesNotMatch(c.summary, /started by bin\/codexctl/);
  }
});

Deno.test("doctor points at the project's cached Codex when codex does not run", async () => {
  const cache = await Deno.makeTempDir({ prefix: "codexctl-doctor-cache-" });
  try {
    for (const v of ["0.130.0", "0.169.0", "0.99.1"]) {
      await Deno.mkdir(join(cache, `codex-${v}`, "bin"), { recursive: true });
      await Deno.writeTextFile(join(cache, `codex-${v}`, "bin", "codex"), "");
    }
    await Deno.mkdir(join(cache, "codex-0.200.0")); // no binary: not a build
    const res = await runCli(["doctor", "--check", "codex", "--json"], {
      env: { CODEXCTL_CODEX: "/nonexistent/codex", CODEXCTL_TEST_CACHE: cache },
    });
    const [check] = (res.json!.result as { checks: Check[] }).checks;
    assert.equal(check.status, "fail");
    const newest = join(cache, "codex-0.169.0", "bin", "codex");
    // newest first, also across the checkout's own .cache when it has one (CI's clean clone does)
    const found = check.details.project_codex as string[];
    assert.deepEqual(found.filter((p) => p.startsWith(cache + "/")), [
      newest,
      join(cache, "codex-0.130.0", "bin", "codex"),
      join(cache, "codex-0.99.1", "bin", "codex"),
    ]);
    for (const p of found.filter((p) => !p.startsWith(cache + "/"))) {
      assert.ok(p.startsWith(join(REPO_ROOT, ".cache") + "/"), p);
    }
    assert.match(
      String(check.suggestion),
      new RegExp(`^use the project's cached Codex: export CODEXCTL_CODEX=${newest}`),
    );
    // no cache anywhere: scripts/dev try installs one
    const bare = await runCli(["doctor", "--check", "codex", "--json"], {
      env: { CODEXCTL_CODEX: "/nonexistent/codex", CODEXCTL_TEST_CACHE: join(cache, "none") },
    });
    const [none] = (bare.json!.result as { checks: Check[] }).checks;
    const cached = await Deno.stat(join(REPO_ROOT, ".cache")).then(() => true, () => false);
    if (!cached) assert.match(String(none.suggestion), new RegExp(`${REPO_ROOT}/scripts/dev try`));
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("doctor's codex check says which Codex runs and where it was found: CODEXCTL_CODEX, PATH, else the IDE extension's", async () => {
  const home = await Deno.makeTempDir({ prefix: "codexctl-doctor-ide-" });
  try {
    const fake = async (path: string, version: string) => {
      await Deno.mkdir(dirname(path), { recursive: true });
      await Deno.writeTextFile(path, `#!/bin/sh\necho 'codex-cli ${version}'\n`);
      await Deno.chmod(path, 0o755);
    };
    const os = Deno.build.os === "darwin" ? "macos" : "linux";
    const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
    const plat = Deno.build.os === "darwin" ? "darwin" : "linux";
    const ext = join(home, ".vscode", "extensions");
    const ide = join(ext, `openai.chatgpt-26.506.21252-${plat}-x64`, "bin", `${os}-${arch}`, "codex");
    await fake(join(ext, `openai.chatgpt-0.4.19-${plat}-x64`, "bin", `${os}-${arch}`, "codex"), "0.1.0");
    await fake(ide, "9.9.9");
    const bin = join(home, "bin");
    await fake(join(bin, "codex"), "8.8.8");
    const codexCheck = async (env: Record<string, string>) => {
      const res = await runCli(["doctor", "--check", "codex", "--json"], {
        env: { HOME: home, CODEXCTL_CODEX: "", ...env },
      });
      assert.equal(res.code, 0, res.stdout + res.stderr);
      const [check] = (res.json!.result as { checks: Check[] }).checks;
      CheckResultSchema.parse(check);
      return check;
    };
    // nothing on PATH: the newest IDE extension's bundled codex
    const fromIde = await codexCheck({ PATH: join(home, "empty") });
    assert.equal(fromIde.status, "ok", fromIde.summary);
    assert.equal(fromIde.details.binary, ide);
    assert.equal(fromIde.details.found_via, "vscode");
    assert.equal(fromIde.details.extension_version, "26.506.21252");
    assert.equal(fromIde.details.version, "9.9.9");
    assert.match(fromIde.summary, /the VS Code extension's bundled codex/);
    // PATH wins over the extension
    const fromPath = await codexCheck({ PATH: bin });
    assert.deepEqual([fromPath.details.found_via, fromPath.details.version], ["path", "8.8.8"]);
    assert.match(fromPath.summary, /codex on PATH/);
    // CODEXCTL_CODEX wins over both; one that does not run fails, naming where it came from
    const fromEnv = await codexCheck({ PATH: bin, CODEXCTL_CODEX: ide });
    assert.deepEqual([fromEnv.details.found_via, fromEnv.details.binary], ["env", ide]);
    const broken = await codexCheck({ PATH: bin, CODEXCTL_CODEX: join(home, "nonexistent", "codex") });
    assert.equal(broken.status, "fail");
    assert.match(broken.summary, /\(CODEXCTL_CODEX\) does not run/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
