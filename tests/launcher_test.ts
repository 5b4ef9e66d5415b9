/**
 * The plugin launcher `bin/codexctl`: compiled binary next to the plugin, then on PATH (never itself
 * nor a script), then the source with the project's own Deno (.tools/deno), deno on PATH or in
 * ~/.deno, then nothing — said once to the user (and Claude) by the hooks, one install line for a
 * person. Fake "compiled binaries" are files that do not start with `#!` (bash runs them itself).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "./support/paths.ts";
import { denoDir } from "./support/deno_dir.ts";
import { freshClone } from "./support/fresh_clone.ts";

const LAUNCHER = join(REPO_ROOT, "bin", "codexctl");
const SYSTEM_PATH = "/usr/bin:/bin";

async function run(
  launcher: string,
  args: string[],
  env: Record<string, string>,
  stdin = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(launcher, {
    args,
    env,
    cwd: env.HOME,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  // the launcher may exit without reading stdin (nothing to run): a broken pipe is expected then
  await w.write(new TextEncoder().encode(stdin)).then(() => w.close()).catch(() => {});
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A plugin dir holding only the launcher (no source): the deno route is impossible there. */
async function bareplugin(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-launcher-" });
  await Deno.mkdir(join(dir, "bin"));
  await Deno.copyFile(LAUNCHER, join(dir, "bin", "codexctl"));
  await Deno.chmod(join(dir, "bin", "codexctl"), 0o755);
  return dir;
}

async function fakeBinary(path: string, name: string): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, `: fake compiled codexctl\necho "${name} $*"\n`);
  await Deno.chmod(path, 0o755);
}

function platform(): string {
  const os = Deno.build.os === "darwin" ? "darwin" : "linux";
  const arch = Deno.build.arch === "aarch64" ? "arm64" : "x64";
  return `${os}-${arch}`;
}

Deno.test("launcher: the binary next to the plugin wins, then a real binary on PATH (never itself, never a script)", async () => {
  const dir = await bareplugin();
  try {
    const self = join(dir, "bin", "codexctl");
    const pathDir = join(dir, "path");
    await Deno.mkdir(pathDir);
    // on PATH first: a link to the launcher itself and a script wrapper — both must be skipped
    const selfLink = join(dir, "selflink");
    await Deno.mkdir(selfLink);
    await Deno.symlink(self, join(selfLink, "codexctl"));
    const wrapper = join(dir, "wrapper");
    await Deno.mkdir(wrapper);
    await Deno.writeTextFile(join(wrapper, "codexctl"), "#!/bin/sh\necho wrapper-script\n");
    await Deno.chmod(join(wrapper, "codexctl"), 0o755);
    await fakeBinary(join(pathDir, "codexctl"), "path-binary");
    const env = { PATH: `${selfLink}:${wrapper}:${pathDir}:${SYSTEM_PATH}`, HOME: dir };
    const viaPath = await run(self, ["status", "--json"], env);
    assert.equal(viaPath.stdout.trim(), "path-binary status --json", viaPath.stderr);
    await fakeBinary(join(dir, "dist", "codexctl"), "dist-generic");
    assert.equal((await run(self, ["x"], env)).stdout.trim(), "dist-generic x");
    await fakeBinary(join(dir, "dist", `codexctl-${platform()}`), "dist-platform");
    assert.equal((await run(self, ["hook", "stop"], env)).stdout.trim(), "dist-platform hook stop");
    await fakeBinary(join(dir, "override"), "override");
    assert.equal(
      (await run(self, ["y"], { ...env, CODEXCTL_BIN: join(dir, "override") })).stdout.trim(),
      "override y",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("launcher: without a binary it runs the plugin's source with deno (from any cwd)", async () => {
  const deno = Deno.execPath();
  const env = {
    PATH: `${join(deno, "..")}:${SYSTEM_PATH}`,
    HOME: await Deno.makeTempDir(),
    DENO_DIR: await denoDir(),
    NO_COLOR: "1",
  };
  const out = await run(LAUNCHER, ["--version", "--json"], env);
  assert.equal(out.code, 0, out.stderr);
  const json = JSON.parse(out.stdout);
  assert.equal(json.result.version, JSON.parse(Deno.readTextFileSync(join(REPO_ROOT, "deno.json"))).version);
  // a hook through the launcher: garbage stdin, silent success
  const hook = await run(LAUNCHER, ["hook", "post-tool-use"], { ...env, CODEXCTL_HOME: env.HOME }, "garbage");
  assert.equal(hook.code, 0);
  assert.equal(hook.stdout, "");
});

Deno.test("launcher: with nothing to run, a hook exits 0 and says so once; a person gets one install line and exit 3", async () => {
  const dir = await bareplugin();
  try {
    const self = join(dir, "bin", "codexctl");
    const env = { PATH: SYSTEM_PATH, HOME: dir };
    const hook = await run(self, ["hook", "post-tool-use"], env, '{"session_id":"x"}');
    assert.equal(hook.code, 0);
    assert.match(
      JSON.parse(hook.stdout).systemMessage,
      /^codexctl cannot run, so its hooks report nothing: no compiled codexctl .*no source next to the launcher/,
    );
    assert.equal(hook.stderr, "");
    const again = await run(self, ["hook", "post-tool-use"], env, '{"session_id":"x"}');
    assert.deepEqual([again.code, again.stdout, again.stderr], [0, "", ""]);
    const person = await run(self, ["status", "--thread", "x"], env);
    assert.equal(person.code, 3);
    const lines = person.stderr.trim().split("\n");
    assert.equal(lines.length, 1);
    assert.match(
      lines[0],
      /^codexctl: codexctl is not installed: .*install Deno 2 \(curl -fsSL https:\/\/deno\.land\/install\.sh \| sh\)/,
    );
    const envelope = JSON.parse(person.stdout);
    assert.equal(envelope.ok, false);
    assert.equal(envelope.error.class, "environment");
    assert.equal(envelope.error.code, "NOT_INSTALLED");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Puts a Deno where scripts/dev's ensure_deno installs it (`rel` under .tools/deno/node_modules). */
async function projectDeno(clone: string, rel: string): Promise<string> {
  const path = join(clone, ".tools", "deno", "node_modules", rel);
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.symlink(Deno.execPath(), path);
  return path;
}

const DENO_PLATFORM = `${Deno.build.os}-${Deno.build.arch === "aarch64" ? "arm64" : "x64"}${
  Deno.build.os === "linux" ? "-glibc" : ""
}`;

Deno.test("launcher on a fresh clone: runs the source with the project's own Deno (.tools/deno) when none is on PATH; doctor names the route; a link in ~/.local/bin works", async () => {
  const clone = await freshClone();
  try {
    const home = join(clone, "home");
    await Deno.mkdir(home);
    const env = { PATH: SYSTEM_PATH, HOME: home, DENO_DIR: await denoDir(), NO_COLOR: "1" };
    const launcher = join(clone, "bin", "codexctl");
    // before scripts/dev ran: nothing to run
    assert.equal((await run(launcher, ["--version", "--json"], env)).code, 3);
    for (const rel of ["deno/deno", `@deno/${DENO_PLATFORM}/deno`]) {
      const deno = await projectDeno(clone, rel);
      const version = await run(launcher, ["--version", "--json"], env);
      assert.equal(version.code, 0, `${rel}: ${version.stderr}`);
      assert.equal(
        JSON.parse(version.stdout).result.version,
        JSON.parse(Deno.readTextFileSync(join(clone, "deno.json"))).version,
      );
      const doctor = await run(launcher, ["doctor", "--check", "runtime", "--json"], env);
      const check = JSON.parse(doctor.stdout).result.checks[0];
      assert.equal(check.details.launched_as, "deno-project", doctor.stdout);
      assert.equal(check.details.compiled, false);
      assert.equal(check.details.project_root, await Deno.realPath(clone));
      assert.match(
        check.summary,
        /^the source with Deno .*, started by bin\/codexctl from the project's own Deno/,
      );
      await Deno.remove(deno);
    }
    // the README's path for a person: bin/codexctl linked into ~/.local/bin, run from anywhere
    await projectDeno(clone, "deno/deno");
    await Deno.mkdir(join(home, ".local", "bin"), { recursive: true });
    await Deno.symlink(launcher, join(home, ".local", "bin", "codexctl"));
    const viaLink = await run("codexctl", ["--version", "--json"], {
      ...env,
      PATH: `${join(home, ".local", "bin")}:${SYSTEM_PATH}`,
    });
    assert.equal(viaLink.code, 0, viaLink.stderr);
    assert.equal(JSON.parse(viaLink.stdout).ok, true);
    // a hook through the project's Deno: garbage in, silence out
    const hook = await run(launcher, ["hook", "post-tool-use"], { ...env, CODEXCTL_HOME: home }, "garbage");
    assert.deepEqual([hook.code, hook.stdout], [0, ""]);
  } finally {
    await Deno.remove(clone, { recursive: true });
  }
});

Deno.test("launcher: a compiled binary wins over the project's Deno and learns the route (CODEXCTL_LAUNCHED_AS)", async () => {
  const clone = await freshClone();
  try {
    await projectDeno(clone, "deno/deno");
    const bin = join(clone, "dist", `codexctl-${platform()}`);
    await Deno.mkdir(join(bin, ".."), { recursive: true });
    await Deno.writeTextFile(bin, `: fake compiled codexctl\necho "dist $CODEXCTL_LAUNCHED_AS $*"\n`);
    await Deno.chmod(bin, 0o755);
    const out = await run(join(clone, "bin", "codexctl"), ["status"], { PATH: SYSTEM_PATH, HOME: clone });
    assert.equal(out.stdout.trim(), `dist dist ${bin} status`);
  } finally {
    await Deno.remove(clone, { recursive: true });
  }
});

Deno.test("launcher that cannot run: SessionStart tells Claude, the first other hook of a session tells the user (once per session and reason), always exit 0; a person is pointed at scripts/dev", async () => {
  const clone = await freshClone();
  try {
    const state = join(clone, "state");
    const launcher = join(clone, "bin", "codexctl");
    const env = (sid: string) => ({
      PATH: SYSTEM_PATH,
      HOME: clone,
      CODEXCTL_HOME: state,
      CLAUDE_CODE_SESSION_ID: sid,
    });
    for (let i = 0; i < 2; i++) {
      const start = await run(launcher, ["hook", "session-start"], env("s1"), '{"source":"startup"}');
      assert.equal(start.code, 0);
      const out = JSON.parse(start.stdout);
      assert.deepEqual(Object.keys(out), ["hookSpecificOutput"]);
      assert.equal(out.hookSpecificOutput.hookEventName, "SessionStart");
      assert.match(
        out.hookSpecificOutput.additionalContext,
        /^codexctl \(the Codex delegation plugin\) cannot run here, so its commands fail .*no compiled codexctl .*scripts\/dev once/,
      );
    }
    // the first other hook of the session tells the user; then it has been said
    const prompt = await run(launcher, ["hook", "user-prompt-submit"], env("s1"), "{}");
    assert.equal(prompt.code, 0);
    assert.deepEqual(Object.keys(JSON.parse(prompt.stdout)), ["systemMessage"]);
    assert.match(
      JSON.parse(prompt.stdout).systemMessage,
      /^codexctl cannot run, so its hooks report nothing: /,
    );
    for (const event of ["post-tool-use", "stop", "user-prompt-submit"]) {
      const quiet = await run(launcher, ["hook", event], env("s1"), "{}");
      assert.deepEqual([quiet.code, quiet.stdout], [0, ""], event);
    }
    // a new Claude Code session hears it once, from whichever hook comes first (a big input drained)
    const first = await run(launcher, ["hook", "post-tool-use"], env("s2"), "x".repeat(200_000));
    assert.equal(first.code, 0);
    assert.deepEqual(Object.keys(JSON.parse(first.stdout)), ["systemMessage"]);
    assert.equal((await run(launcher, ["hook", "post-tool-use"], env("s2"), "{}")).stdout, "");
    // hostile text in the path stays valid JSON
    const odd = join(clone, 'we"ird\\dir');
    await Deno.mkdir(join(odd, "bin"), { recursive: true });
    await Deno.copyFile(launcher, join(odd, "bin", "codexctl"));
    await Deno.chmod(join(odd, "bin", "codexctl"), 0o755);
    const weird = await run(join(odd, "bin", "codexctl"), ["hook", "stop"], env("s3"), "{}");
    assert.match(JSON.parse(weird.stdout).systemMessage, /we"ird\\dir/);
    // a person
    const person = await run(launcher, ["sessions"], env("s1"));
    assert.equal(person.code, 3);
    assert.match(person.stderr, new RegExp(`run ${clone}/scripts/dev once`));
    assert.equal(JSON.parse(person.stdout).error.code, "NOT_INSTALLED");
  } finally {
    await Deno.remove(clone, { recursive: true });
  }
});

Deno.test("launcher: a runtime that fails (exit ≠ 0) under a hook — exit 0, said once; a person sees the failure itself", async () => {
  const clone = await freshClone();
  try {
    const state = join(clone, "state");
    const broken = join(clone, ".tools", "deno", "node_modules", "deno", "deno");
    await Deno.mkdir(join(broken, ".."), { recursive: true });
    await Deno.writeTextFile(broken, "#!/bin/sh\necho 'error: this deno is broken' >&2\nexit 7\n");
    await Deno.chmod(broken, 0o755);
    const env = { PATH: SYSTEM_PATH, HOME: clone, CODEXCTL_HOME: state, CLAUDE_CODE_SESSION_ID: "s1" };
    const launcher = join(clone, "bin", "codexctl");
    const first = await run(launcher, ["hook", "stop"], env, "{}");
    assert.equal(first.code, 0);
    assert.match(JSON.parse(first.stdout).systemMessage, new RegExp(`${broken} exited with status 7`));
    const again = await run(launcher, ["hook", "stop"], env, "{}");
    assert.deepEqual([again.code, again.stdout], [0, ""]);
    const person = await run(launcher, ["status"], env);
    assert.equal(person.code, 7);
    assert.match(person.stderr, /this deno is broken/);
  } finally {
    await Deno.remove(clone, { recursive: true });
  }
});

Deno.test("launcher: a 1 MB V8 semi-space for the verbs that fold rollouts and start nothing, never for a verb that starts Codex, never over the caller's flags", async () => {
  const dir = await bareplugin();
  try {
    const self = join(dir, "bin", "codexctl");
    const bin = join(dir, "dist", "codexctl");
    await Deno.mkdir(join(bin, ".."), { recursive: true });
    await Deno.writeTextFile(bin, `: fake compiled codexctl\necho "flags=\${DENO_V8_FLAGS:-none} $*"\n`);
    await Deno.chmod(bin, 0o755);
    const env = { PATH: SYSTEM_PATH, HOME: dir };
    const flags = async (args: string[], extra: Record<string, string> = {}) =>
      (await run(self, args, { ...env, ...extra })).stdout.trim().split(" ")[0];
    for (const verb of ["watch", "status", "threads", "sessions", "tail"]) {
      assert.equal(await flags([verb, "--json"]), "flags=--max-semi-space-size=1", verb);
      // options before the verb are skipped over
      assert.equal(await flags(["--json", verb]), "flags=--max-semi-space-size=1", `--json ${verb}`);
      assert.equal(
        await flags([verb], { DENO_V8_FLAGS: "--max-old-space-size=64" }),
        "flags=--max-old-space-size=64",
      );
    }
    // verbs that start or drive Codex pass the flag on to its tasks: the caller's environment as it is
    for (const verb of ["start", "send", "reply", "review", "end", "hook", "doctor"]) {
      assert.equal(await flags([verb, "status"]), "flags=none", verb);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
