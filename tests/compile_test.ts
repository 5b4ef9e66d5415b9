/**
 * `deno task compile`: the argv it hands `deno compile` (every lazily loaded module included, for
 * every target), and where the denort runtime cannot be downloaded, one line naming DENORT_BIN and
 * exit 1 — never a stack trace. (Where it can, the binary must run.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { binaryName, compileArgs, TARGETS } from "../scripts/compile.ts";
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
