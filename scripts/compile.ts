/**
 * `deno task compile`: builds the codexctl binary for linux-x64, linux-arm64, darwin-x64 and
 * darwin-arm64 into dist/, with the permission set declared once in deno.json (`-P`). This file is
 * the one place that knows the `deno compile` flags ({@linkcode compileArgs}); the release workflow
 * (.github/workflows/release.yml) runs this script, never `deno compile` itself.
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

/** The targets codexctl is built for: our name (used in the binary's file name) → Rust target triple. */
export const TARGETS: Readonly<Record<string, string>> = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "darwin-x64": "x86_64-apple-darwin",
  "darwin-arm64": "aarch64-apple-darwin",
};

/** The repository root (this file lives in scripts/). */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/** The binary's file name for a target, e.g. `codexctl-linux-x64`. */
export function binaryName(target: string): string {
  return `codexctl-${target}`;
}

/**
 * The arguments after `deno` that compile codexctl for one target (a name of {@linkcode TARGETS})
 * into `output`: the permissions of deno.json, and `--include` for every module main.ts loads
 * through a computed specifier (src/lazy.ts), which `deno compile` cannot see on its own.
 */
export function compileArgs(target: string, output: string, root: string = ROOT): string[] {
  const triple = TARGETS[target];
  if (!triple) throw new Error(`unknown target ${target}; choose from ${Object.keys(TARGETS).join(", ")}`);
  return [
    "compile",
    "-q",
    "-P",
    "--config",
    join(root, "deno.json"),
    "--target",
    triple,
    "--output",
    output,
    ...LAZY_MODULES.flatMap((m) => ["--include", join(root, "src", m)]),
    join(root, "src", "main.ts"),
  ];
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { target: { type: "string", multiple: true }, out: { type: "string" } },
  });
  const wanted = values.target ?? Object.keys(TARGETS);
  const unknown = wanted.filter((t) => !(t in TARGETS));
  if (unknown.length) {
    console.error(
      `compile: unknown target ${unknown.join(", ")}; choose from ${Object.keys(TARGETS).join(", ")}`,
    );
    return 2;
  }
  const outDir = values.out ?? join(ROOT, "dist");
  await Deno.mkdir(outDir, { recursive: true });

  for (const name of wanted) {
    const output = join(outDir, binaryName(name));
    const res = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(name, output),
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
      return 1;
    }
    console.log(`compile: ${output}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
