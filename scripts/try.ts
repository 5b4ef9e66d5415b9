/**
 * `scripts/dev try`: everything a person needs to drive a real Codex by hand with codexctl, offline.
 * It installs the pinned Codex (into the git-ignored cache, once), starts the bundled mock model on
 * loopback, writes a `CODEX_HOME` that points Codex at it, makes a scratch git repository Codex
 * trusts, and prints the `export` lines (and a first command) to paste into another shell. It keeps
 * the mock running until Ctrl-C, then stops the Codex daemons of that home.
 *
 * Everything it prints on stdout is shell (comments and exports), so `scripts/dev try > try.env`
 * also works; progress goes to stderr.
 *
 *   scripts/dev try [--dir DIR] [--port N] [--codex 0.169.0|0.130.0]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  ALL_CODEX_VERSIONS,
  CODEX_VERSIONS,
  codexInstall,
  type CodexVersion,
} from "../tests/support/codex_bin.ts";
import { mockConfigToml, stopDaemons } from "../tests/support/codex_home.ts";
import { MockModel } from "../tests/support/mock_model.ts";
import { REPO_ROOT } from "../tests/support/paths.ts";

/** Shell-quotes one word for a POSIX shell. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'"'"'`)}'`;
}

/** The files `try` writes under `dir`, and what a shell must export to use them. */
export interface TryLayout {
  codexHome: string;
  state: string;
  scratch: string;
  requests: string;
  /** `export NAME=value` lines, in order. */
  exports: [string, string][];
}

/** Where `try` puts its files, and the exports for a mock at `baseUrl` and a Codex binary. */
export function tryLayout(dir: string, codexBinary: string, codexBinDir: string): TryLayout {
  const codexHome = join(dir, "codex-home");
  const state = join(dir, "codexctl-state");
  return {
    codexHome,
    state,
    scratch: join(dir, "scratch"),
    requests: join(dir, "mock-requests.jsonl"),
    exports: [
      ["CODEX_HOME", codexHome],
      ["CODEXCTL_HOME", state],
      ["CODEXCTL_CODEX", codexBinary],
      ["PATH", `${join(REPO_ROOT, "bin")}:${codexBinDir}:$PATH`],
    ],
  };
}

/** The text `try` prints on stdout: comments and export lines, valid shell throughout. */
export function tryScript(layout: TryLayout, baseUrl: string, version: string): string {
  const exports = layout.exports.map(([name, value]) =>
    // PATH keeps $PATH expandable; every other value is one quoted word
    name === "PATH"
      ? `export PATH=${shellWord(value.replace(/:\$PATH$/, ""))}:"$PATH"`
      : `export ${name}=${shellWord(value)}`
  );
  return [
    `# codexctl try: Codex ${version} against the mock model at ${baseUrl} (loopback, offline).`,
    "# Paste these lines into another shell (this one keeps the mock running until Ctrl-C):",
    ...exports,
    `cd ${shellWord(layout.scratch)}`,
    "# Then drive Codex. The mock follows {{directives}} in the task, e.g.:",
    `#   codexctl start --task "{{shell echo hi > hi.txt}} {{done Created hi.txt.}} Create hi.txt"`,
    `#   codexctl start --task "{{question}} Which database?" --no-wait   # then: codexctl reply --session cdx-… --text "SQLite"`,
    "#   codexctl sessions; codexctl threads --cwd .; codexctl doctor",
    "# Directives: say, done, question, shell, escalate, ask, plan, goal, checklist, patch, fail, slow, pause",
    "# (README, The real-Codex test rig). What Codex sent the mock: " + layout.requests,
    "",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { dir: { type: "string" }, port: { type: "string" }, codex: { type: "string" } },
  });
  const version = (values.codex ?? CODEX_VERSIONS.current) as CodexVersion;
  if (!ALL_CODEX_VERSIONS.includes(version)) {
    console.error(`try: --codex must be one of ${ALL_CODEX_VERSIONS.join(", ")}, not ${values.codex}`);
    return 2;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`try: --port must be a port number (0 picks a free one), not ${values.port}`);
    return 2;
  }
  const dir = values.dir ?? join(REPO_ROOT, ".cache", "try");
  console.error(`try: getting Codex ${version} (installed from npm into the cache on first use)…`);
  const install = await codexInstall(version);
  const layout = tryLayout(dir, install.binary, install.binDir);
  for (const d of [layout.codexHome, layout.state, layout.scratch]) await Deno.mkdir(d, { recursive: true });
  await Deno.chmod(layout.state, 0o700);
  if (!(await exists(join(layout.scratch, ".git")))) {
    await new Deno.Command("git", { args: ["init", "-q", layout.scratch], stdout: "null", stderr: "null" })
      .output();
  }
  const mock = await MockModel.start({ port, logFile: layout.requests });
  await Deno.writeTextFile(
    join(layout.codexHome, "config.toml"),
    mockConfigToml(mock.baseUrl, [await Deno.realPath(layout.scratch)]),
  );
  console.log(tryScript(layout, mock.baseUrl, version));
  console.error("try: the mock model is running; Ctrl-C stops it (and the Codex daemons of this CODEX_HOME)");
  const { promise, resolve } = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGINT", resolve);
  Deno.addSignalListener("SIGTERM", resolve);
  await promise;
  await stopDaemons(layout.codexHome);
  await mock.close();
  console.error("try: stopped");
  return 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
