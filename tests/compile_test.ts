/**
 * `deno task compile`: where the denort runtime cannot be downloaded, one line naming DENORT_BIN
 * and exit 1 — never a stack trace. (Where it can, the binary must run.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "./support/paths.ts";

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
