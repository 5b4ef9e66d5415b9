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
 * Nothing is reported built that does not work: a `DENORT_BIN` that is a plain `deno` (a binary
 * built on it ignores the embedded program and behaves as deno) is refused before compiling, and
 * every binary is checked after: its executable header must be the target's (ELF or Mach-O, x86-64
 * or arm64), and a binary this machine can run must answer `--version --json` with codexctl's own
 * envelope and version. A binary that fails is deleted (bin/codexctl would otherwise run it) and the
 * script exits 1.
 *
 *   deno task compile                      # all four targets
 *   deno task compile --target linux-x64   # one target
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { LAZY_MODULES } from "../src/lazy.ts";
import { VERSION } from "../src/version.ts";
import { runTool } from "../src/tool.ts";

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

/** The target this machine runs (a name of {@linkcode TARGETS}), or null. */
export function hostTarget(): string | null {
  const os = Deno.build.os === "linux" ? "linux" : Deno.build.os === "darwin" ? "darwin" : null;
  const arch = Deno.build.arch === "x86_64" ? "x64" : Deno.build.arch === "aarch64" ? "arm64" : null;
  return os && arch ? `${os}-${arch}` : null;
}

/** What an executable's header says it is, or null when it is neither ELF nor 64-bit Mach-O. */
export function executableKind(
  head: Uint8Array,
): { os: "linux" | "darwin"; arch: "x64" | "arm64" | "other" } | null {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length >= 20 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    const machine = view.getUint16(18, head[5] !== 2); // EI_DATA 2 = big endian
    return { os: "linux", arch: machine === 62 ? "x64" : machine === 183 ? "arm64" : "other" };
  }
  if (head.length >= 8 && view.getUint32(0, true) === 0xfeedfacf) {
    const cpu = view.getUint32(4, true);
    return { os: "darwin", arch: cpu === 0x01000007 ? "x64" : cpu === 0x0100000c ? "arm64" : "other" };
  }
  return null;
}

/**
 * Why `DENORT_BIN` cannot be the runtime, or null when it may be: a plain deno (the one running this
 * script, or any executable whose `--version` prints deno's banner) is not denort. A denort for
 * another machine cannot be asked and is left to the check after compiling.
 */
export async function refuseRuntime(denortBin: string | undefined): Promise<string | null> {
  if (!denortBin) return null;
  let real: string;
  try {
    real = await Deno.realPath(denortBin);
  } catch {
    return `DENORT_BIN=${denortBin} does not exist; point it at a denort build or unset it`;
  }
  const self = await Deno.realPath(Deno.execPath()).catch(() => Deno.execPath());
  let banner = "";
  if (real !== self) {
    const out = await runTool([real, "--version"], 15_000);
    // not runnable here (another platform's denort): left to the check after compiling
    if (out.kind !== "exited") return null;
    if (out.code === 0) banner = out.stdout.split("\n")[0];
  }
  if (real === self || /^deno \d+\.\d+\.\d+/.test(banner)) {
    return `DENORT_BIN=${denortBin} is deno itself, not denort: a binary built on it would be plain deno, ` +
      "ignoring the embedded codexctl; point DENORT_BIN at the denort build for the target (denort-<triple>.zip " +
      "from dl.deno.land) or unset it";
  }
  return null;
}

/**
 * Checks one built binary: the header is the target's, and — on the machine it is for — it answers
 * `--version --json` with codexctl's envelope and this version. Returns why it is broken, or null;
 * `ran` tells whether it was run.
 */
export async function smokeTest(
  binary: string,
  target: string,
): Promise<{ problem: string | null; ran: boolean }> {
  const [os, arch] = target.split("-");
  const file = await Deno.open(binary);
  const head = new Uint8Array(64);
  const n = await file.read(head).finally(() => file.close());
  const kind = executableKind(head.subarray(0, n ?? 0));
  if (!kind || kind.os !== os || kind.arch !== arch) {
    const what = kind ? `a ${kind.os} ${kind.arch} executable` : "not an executable this script knows";
    return { problem: `${binary} is ${what}, not ${target}`, ran: false };
  }
  if (target !== hostTarget()) return { problem: null, ran: false };
  const out = await runTool([binary, "--version", "--json"], 30_000);
  if (out.kind !== "exited") {
    const why = out.kind === "failed"
      ? out.message
      : out.kind === "timeout"
      ? "no answer within 30 s"
      : "not found";
    return { problem: `${binary} does not start: ${why}`, ran: true };
  }
  let envelope: { ok?: unknown; command?: unknown; result?: { version?: unknown } } | null = null;
  try {
    envelope = JSON.parse(out.stdout);
  } catch { /* not JSON */ }
  if (envelope?.ok === true && envelope.command === "codexctl" && envelope.result?.version === VERSION) {
    return { problem: null, ran: true };
  }
  // deno-lint-ignore no-control-regex -- strips the ANSI colour codes deno prints
  const said = (out.stdout + out.stderr).replace(/\x1b\[[0-9;]*m/g, "").trim().split("\n")[0] ?? "";
  const deno = /^deno \d|unexpected argument '--json'|Usage: deno/.test(out.stdout + out.stderr);
  return {
    problem: deno
      ? `${binary} is plain deno, not codexctl (\`--version --json\` said: ${said}); the runtime was not denort`
      : `${binary} --version --json did not answer codexctl ${VERSION} (exit ${out.code}: ${
        said || "no output"
      })`,
    ran: true,
  };
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
  const refused = await refuseRuntime(Deno.env.get("DENORT_BIN"));
  if (refused) {
    console.error(`compile: ${refused}`);
    return 1;
  }
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
    const smoke = await smokeTest(output, name);
    if (smoke.problem) {
      await Deno.remove(output).catch(() => {});
      console.error(`compile: ${smoke.problem}; removed it`);
      return 1;
    }
    console.log(
      `compile: ${output} (${
        smoke.ran ? `ran: codexctl ${VERSION}` : "header checked; this machine cannot run it"
      })`,
    );
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
