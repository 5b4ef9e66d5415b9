/**
 * Finding the Codex CLI codexctl starts, in order: `$CODEXCTL_CODEX` (a path, or a name looked up
 * on PATH); `codex` on PATH; the binary the Codex IDE extension bundles — the newest version of
 * `openai.chatgpt-<version>[-<platform>]` under `~/.vscode/extensions`, `~/.vscode-server/extensions`
 * or `~/.cursor/extensions`, at `bin/<os>-<arch>/codex` (e.g. `bin/linux-x86_64/codex`). The version
 * folder changes on every extension update, so it is looked up each time, never remembered.
 *
 * @module
 */
import { runTool } from "../tool.ts";

/** Where the Codex binary was found. */
export type CodexSource = "env" | "path" | "vscode" | "vscode-server" | "cursor";

/** A Codex binary codexctl can run. */
export interface FoundCodex {
  path: string;
  via: CodexSource;
  /** For an IDE extension's binary: the extension folder's version. */
  extension_version: string | null;
}

/** The IDE extension folders searched, in order. */
export const IDE_EXTENSION_DIRS: readonly { via: CodexSource; dir: string }[] = [
  { via: "vscode", dir: ".vscode/extensions" },
  { via: "vscode-server", dir: ".vscode-server/extensions" },
  { via: "cursor", dir: ".cursor/extensions" },
];

function executable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && (info.mode === null || (info.mode & 0o111) !== 0);
  } catch {
    return false;
  }
}

function names(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isDirectory || e.isSymlink).map((e) => e.name);
  } catch {
    return [];
  }
}

/** `name` looked up on `PATH` (null when no directory holds an executable of that name). */
export function onPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? "").split(":")) {
    if (!dir.startsWith("/")) continue;
    const candidate = `${dir.replace(/\/+$/, "")}/${name}`;
    if (executable(candidate)) return candidate;
  }
  return null;
}

/** Compares dotted versions numerically (`26.506.21252` > `0.4.19`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Words a platform folder of this machine contains (`linux-x86_64`, `macos-aarch64` …). */
function platformWords(): { os: RegExp; arch: RegExp } {
  const os = Deno.build.os === "darwin" ? /darwin|mac/i : new RegExp(Deno.build.os, "i");
  const arch = Deno.build.arch === "aarch64" ? /aarch64|arm64/i : /x86_64|x64|amd64/i;
  return { os, arch };
}

/**
 * The bundled Codex of the newest Codex IDE extension under `extensionsDir` (null when none):
 * `bin/<platform>/codex` for this machine's platform, else `bin/codex`.
 */
export function extensionCodex(extensionsDir: string): { path: string; version: string } | null {
  const found: { name: string; version: string }[] = [];
  for (const name of names(extensionsDir)) {
    const m = name.match(/^openai\.chatgpt-(\d+(?:\.\d+)*)(?:-.+)?$/);
    if (m) found.push({ name, version: m[1] });
  }
  found.sort((a, b) => compareVersions(b.version, a.version) || b.name.localeCompare(a.name));
  const { os, arch } = platformWords();
  for (const ext of found) {
    const bin = `${extensionsDir}/${ext.name}/bin`;
    for (const p of names(bin).sort()) {
      if (os.test(p) && arch.test(p) && executable(`${bin}/${p}/codex`)) {
        return { path: `${bin}/${p}/codex`, version: ext.version };
      }
    }
    if (executable(`${bin}/codex`)) return { path: `${bin}/codex`, version: ext.version };
  }
  return null;
}

/** Finds the Codex binary to run (null when there is none anywhere). */
export function findCodex(env: { get(key: string): string | undefined }): FoundCodex | null {
  const own = env.get("CODEXCTL_CODEX")?.trim();
  if (own) {
    const path = own.includes("/") ? (executable(own) ? own : null) : onPath(own, env.get("PATH"));
    // a CODEXCTL_CODEX that does not run is still what the user asked for: say so, do not search on
    return { path: path ?? own, via: "env", extension_version: null };
  }
  const path = onPath("codex", env.get("PATH"));
  if (path) return { path, via: "path", extension_version: null };
  const home = env.get("HOME");
  if (!home?.startsWith("/")) return null;
  for (const { via, dir } of IDE_EXTENSION_DIRS) {
    const hit = extensionCodex(`${home.replace(/\/+$/, "")}/${dir}`);
    if (hit) return { path: hit.path, via, extension_version: hit.version };
  }
  return null;
}

/** `codex --version`'s version (`0.169.0`), or null when it does not run in `timeoutMs`. */
export async function codexVersion(path: string, timeoutMs = 10_000): Promise<string | null> {
  const run = await runTool([path, "--version"], timeoutMs);
  if (run.kind !== "exited" || run.code !== 0) return null;
  return run.stdout.match(/(\d+\.\d+\.\d+(?:[-.][0-9A-Za-z.-]+)?)/)?.[1] ?? null;
}
