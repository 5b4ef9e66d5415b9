/**
 * `deno task compile`: builds the codexctl binary for linux-x64, linux-arm64, darwin-x64 and
 * darwin-arm64 into dist/, with the permission set declared once in deno.json (`-P`).
 *
 * `deno compile` needs the `denort` runtime of each target; it downloads it from Deno's servers
 * unless `DENORT_BIN` points at a local denort build. When neither works this prints one line
 * naming `DENORT_BIN` and exits 1 — never a stack trace.
 *
 *   deno task compile                      # all four targets
 *   deno task compile --target linux-x64   # one target
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { LAZY_MODULES } from "../src/lazy.ts";

const TARGETS: Record<string, string> = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "darwin-x64": "x86_64-apple-darwin",
  "darwin-arm64": "aarch64-apple-darwin",
};

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  args: Deno.args,
  options: { target: { type: "string", multiple: true }, out: { type: "string" } },
});
const wanted = values.target ?? Object.keys(TARGETS);
const unknown = wanted.filter((t) => !(t in TARGETS));
if (unknown.length) {
  console.error(
    `compile: unknown target ${unknown.join(", ")}; choose from ${Object.keys(TARGETS).join(", ")}`,
  );
  Deno.exit(2);
}
const outDir = values.out ?? join(root, "dist");
await Deno.mkdir(outDir, { recursive: true });

for (const name of wanted) {
  const output = join(outDir, `codexctl-${name}`);
  const res = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "-q",
      "-P",
      "--config",
      join(root, "deno.json"),
      "--target",
      TARGETS[name],
      "--output",
      output,
      // modules main.ts loads through computed specifiers (src/lazy.ts)
      ...LAZY_MODULES.flatMap((m) => ["--include", join(root, "src", m)]),
      join(root, "src", "main.ts"),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!res.success) {
    const err = new TextDecoder().decode(res.stderr);
    const download = /denort|dl\.deno\.land|error sending request|dns error|Setting up base binary/i.test(
      err,
    );
    // deno-lint-ignore no-control-regex
    const ansi = /\x1b\[[0-9;]*m/g;
    const why = download
      ? `cannot get the denort runtime for ${
        TARGETS[name]
      } (download failed); set DENORT_BIN to a local denort for that target, or compile where dl.deno.land is reachable`
      : `deno compile failed for ${TARGETS[name]}: ${
        err.split("\n").find((l) => l.trim() && !/^\s*\d+:/.test(l))?.replace(ansi, "").trim() ??
          "unknown error"
      } (DENORT_BIN=${Deno.env.get("DENORT_BIN") ?? "unset"})`;
    console.error(`compile: ${why}`);
    Deno.exit(1);
  }
  console.log(`compile: ${output}`);
}
