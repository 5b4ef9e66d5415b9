/**
 * `deno task compile`: the argv it hands `deno compile` (every lazily loaded module included, for
 * every target), and where the denort runtime cannot be downloaded, one line naming DENORT_BIN and
 * exit 1 — never a stack trace. (Where it can, the binary must run.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  binaryName,
  compileArgs,
  executableKind,
  hostTarget,
  refuseRuntime,
  smokeTest,
  TARGETS,
} from "../scripts/compile.ts";
import { VERSION } from "../src/version.ts";
import { LAZY_MODULES } from "../src/lazy.ts";
import { REPO_ROOT } from "./support/paths.ts";

/** The specifiers written in src/lazy.ts's LAZY_MODULES array, read from its text. */
function lazySpecifiers(): string[] {
  const text = Deno.readTextFileSync(join(REPO_ROOT, "src", "lazy.ts"));
  const body = text.match(/export const LAZY_MODULES = \[([^\]]*)\]/);
  assert.ok(body, "src/lazy.ts declares `export const LAZY_MODULES = [...]`");
  return [...body[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

Deno.test("compile: every specifier of src/lazy.ts is passed as --include, for every target", () => {
  const specifiers = lazySpecifiers();
  assert.ok(specifiers.length >= 2, `read ${specifiers.length} specifiers from src/lazy.ts`);
  assert.deepEqual(specifiers, [...LAZY_MODULES], "the text and the exported list agree");
  assert.deepEqual(Object.keys(TARGETS), ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"]);
  for (const [target, triple] of Object.entries(TARGETS)) {
    const output = join("/tmp/out", binaryName(target));
    const argv = compileArgs(target, output, REPO_ROOT);
    assert.equal(argv[0], "compile");
    assert.equal(argv[argv.indexOf("--target") + 1], triple);
    assert.equal(argv[argv.indexOf("--output") + 1], output);
    assert.equal(argv[argv.indexOf("--config") + 1], join(REPO_ROOT, "deno.json"));
    assert.ok(argv.includes("-P"), "the permissions declared in deno.json");
    assert.equal(argv.at(-1), join(REPO_ROOT, "src", "main.ts"), "the entry comes last");
    const included = argv.flatMap((a, i) => (argv[i - 1] === "--include" ? [a] : []));
    for (const spec of specifiers) {
      const path = join(REPO_ROOT, "src", spec);
      assert.ok(included.includes(path), `${target}: --include ${path}`);
      assert.ok(Deno.statSync(path).isFile, `${path} exists`);
    }
    assert.equal(included.length, specifiers.length, "nothing else is included");
  }
  assert.throws(() => compileArgs("windows-x64", "/tmp/x"), /unknown target windows-x64/);
});

Deno.test("compile without a reachable denort: one line naming DENORT_BIN, exit 1 (or a working binary)", async () => {
  const out = await Deno.makeTempDir({ prefix: "codexctl-compile-" });
  const res = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO_ROOT, "scripts", "compile.ts"), "--target", "linux-x64", "--out", out],
    // a dead proxy makes the download impossible even on a connected machine
    env: {
      HTTPS_PROXY: "http://127.0.0.1:9",
      HTTP_PROXY: "http://127.0.0.1:9",
      NO_PROXY: "",
      DENORT_BIN: "",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(res.stderr).trim();
  if (res.code === 0) {
    // denort was already cached: the binary must work
    const version = await new Deno.Command(join(out, "codexctl-linux-x64"), {
      args: ["--version", "--json"],
      stdout: "piped",
    }).output();
    assert.equal(JSON.parse(new TextDecoder().decode(version.stdout)).ok, true);
    return;
  }
  assert.equal(res.code, 1);
  const lines = stderr.split("\n").filter((l) => l.trim());
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  assert.match(lines[0], /^compile: .*DENORT_BIN/);
  assert.doesNotMatch(stderr, /at .*\.ts:\d+|Stack backtrace|Caused by/);
});

Deno.test("compile refuses DENORT_BIN pointing at plain deno: one line, exit 1, nothing built", async () => {
  const out = await Deno.makeTempDir({ prefix: "codexctl-compile-" });
  try {
    // the deno running the script, and a copy of it under another name
    const copy = join(out, "denort");
    await Deno.copyFile(Deno.execPath(), copy);
    await Deno.chmod(copy, 0o755);
    for (const denort of [Deno.execPath(), copy]) {
      const res = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(REPO_ROOT, "scripts", "compile.ts"),
          "--target",
          "linux-x64",
          "--out",
          join(out, "dist"),
        ],
        env: { DENORT_BIN: denort },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(res.stderr).trim();
      assert.equal(res.code, 1, stderr);
      assert.equal(stderr.split("\n").length, 1, stderr);
      assert.match(stderr, new RegExp(`^compile: DENORT_BIN=${denort} is deno itself, not denort`));
      assert.equal(new TextDecoder().decode(res.stdout), "", "nothing reported built");
      assert.equal(
        await Deno.stat(join(out, "dist", "codexctl-linux-x64")).then(() => true, () => false),
        false,
      );
    }
    assert.match(String(await refuseRuntime(join(out, "missing"))), /does not exist/);
    assert.equal(await refuseRuntime(undefined), null);
    assert.equal(await refuseRuntime(""), null);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("compile's smoke test: a plain deno binary, a binary for another machine, and a codexctl that answers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-smoke-" });
  try {
    const host = hostTarget();
    assert.ok(host, "this machine is one of the targets");
    // what `deno compile` makes from a plain deno runtime: deno itself
    const deno = join(dir, `codexctl-${host}`);
    await Deno.copyFile(Deno.execPath(), deno);
    await Deno.chmod(deno, 0o755);
    const plain = await smokeTest(deno, host!);
    assert.equal(plain.ran, true);
    assert.match(String(plain.problem), /is plain deno, not codexctl/);
    // the same file claimed for the other architecture: the header says otherwise (not run)
    const other = host!.endsWith("x64") ? host!.replace("x64", "arm64") : host!.replace("arm64", "x64");
    const foreign = await smokeTest(deno, other);
    assert.equal(foreign.ran, false);
    assert.match(String(foreign.problem), new RegExp(`is a ${Deno.build.os} \\w+ executable, not ${other}`));
    const script = join(dir, "script");
    await Deno.writeTextFile(script, "#!/bin/sh\necho hi\n");
    assert.match(String((await smokeTest(script, host!)).problem), /not an executable this script knows/);
    // headers: ELF x86-64 / aarch64, Mach-O x86-64 / arm64
    const elf = (machine: number) => {
      const b = new Uint8Array(64);
      b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
      new DataView(b.buffer).setUint16(18, machine, true);
      return b;
    };
    const macho = (cpu: number) => {
      const b = new Uint8Array(64);
      new DataView(b.buffer).setUint32(0, 0xfeedfacf, true);
      new DataView(b.buffer).setUint32(4, cpu, true);
      return b;
    };
    assert.deepEqual(executableKind(elf(62)), { os: "linux", arch: "x64" });
    assert.deepEqual(executableKind(elf(183)), { os: "linux", arch: "arm64" });
    assert.deepEqual(executableKind(macho(0x01000007)), { os: "darwin", arch: "x64" });
    assert.deepEqual(executableKind(macho(0x0100000c)), { os: "darwin", arch: "arm64" });
    assert.equal(executableKind(new TextEncoder().encode("#!/bin/sh\n")), null);
    // a native program that answers like codexctl passes; one that answers another version does not
    const cc = await new Deno.Command("cc", { args: ["--version"], stdout: "null", stderr: "null" }).output()
      .then((o) => o.success, () => false);
    if (!cc) return; // no C compiler here: the positive case runs where one is
    for (const [version, ok] of [[VERSION, true], ["0.0.0-other", false]] as const) {
      const envelope = JSON.stringify({ ok: true, command: "codexctl", result: { version } });
      const src = join(dir, "answer.c");
      await Deno.writeTextFile(
        src,
        `#include <stdio.h>\nint main(void){puts(${JSON.stringify(envelope)});return 0;}\n`,
      );
      const bin = join(dir, `answer-${ok}`);
      const built = await new Deno.Command("cc", { args: ["-o", bin, src], stderr: "piped" }).output();
      assert.ok(built.success, new TextDecoder().decode(built.stderr));
      const res = await smokeTest(bin, host!);
      assert.equal(res.ran, true);
      if (ok) assert.equal(res.problem, null);
      else assert.match(String(res.problem), /did not answer codexctl/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
