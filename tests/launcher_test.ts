/**
 * The plugin launcher `bin/codexctl`: compiled binary next to the plugin, then on PATH (never itself
 * nor a script), then the source with deno, then nothing — silent for hooks, one install line for a
 * person. Fake "compiled binaries" are files that do not start with `#!` (bash runs them itself).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "./support/paths.ts";
import { denoDir } from "./support/deno_dir.ts";

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

Deno.test("launcher: with nothing to run, a hook exits 0 silently; a person gets one install line and exit 3", async () => {
  const dir = await bareplugin();
  try {
    const self = join(dir, "bin", "codexctl");
    const env = { PATH: SYSTEM_PATH, HOME: dir };
    const hook = await run(self, ["hook", "post-tool-use"], env, '{"session_id":"x"}');
    assert.equal(hook.code, 0);
    assert.equal(hook.stdout, "");
    assert.equal(hook.stderr, "");
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
