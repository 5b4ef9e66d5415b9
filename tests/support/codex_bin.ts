/**
 * Pinned real Codex binaries from npm: 0.169.0 (current, paginated rollouts) and 0.130.0 (legacy
 * rollouts), installed on demand into the git-ignored cache.
 *
 * @module
 */
import { join } from "node:path";
import { installNpmPeer } from "./npm_peer.ts";

/** The Codex versions the rig pins. */
export const CODEX_VERSIONS = { current: "0.169.0", legacy: "0.130.0" } as const;

/** One of the pinned versions. */
export type CodexVersion = (typeof CODEX_VERSIONS)[keyof typeof CODEX_VERSIONS];

/** Every pinned version, current first. */
export const ALL_CODEX_VERSIONS: readonly CodexVersion[] = [CODEX_VERSIONS.current, CODEX_VERSIONS.legacy];

const TRIPLES: Record<string, string> = {
  "x86_64-linux": "x86_64-unknown-linux-musl",
  "aarch64-linux": "aarch64-unknown-linux-musl",
  "x86_64-darwin": "x86_64-apple-darwin",
  "aarch64-darwin": "aarch64-apple-darwin",
};

const PLATFORM_PACKAGES: Record<string, string> = {
  "x86_64-unknown-linux-musl": "codex-linux-x64",
  "aarch64-unknown-linux-musl": "codex-linux-arm64",
  "x86_64-apple-darwin": "codex-darwin-x64",
  "aarch64-apple-darwin": "codex-darwin-arm64",
};

/** The installed Codex build of one version. */
export interface CodexInstall {
  version: CodexVersion;
  /** The native binary (what the npm wrapper would exec). */
  binary: string;
  /** A directory holding only `codex` → the native binary, to put first on PATH. */
  binDir: string;
}

/** Installs (once) and returns the pinned Codex `version`. */
export async function codexInstall(version: CodexVersion): Promise<CodexInstall> {
  const prefix = await installNpmPeer(`codex-${version}`, "@openai/codex", version);
  const triple = TRIPLES[`${Deno.build.arch}-${Deno.build.os}`];
  if (!triple) throw new Error(`no Codex build for ${Deno.build.arch}-${Deno.build.os}`);
  const vendor = join(prefix, "node_modules", "@openai", PLATFORM_PACKAGES[triple], "vendor", triple);
  let binary = "";
  for (const candidate of [join(vendor, "bin", "codex"), join(vendor, "codex", "codex")]) {
    if (await isFile(candidate)) {
      binary = candidate;
      break;
    }
  }
  if (!binary) throw new Error(`Codex ${version}: native binary not found under ${vendor}`);
  const binDir = join(prefix, "bin");
  await Deno.mkdir(binDir, { recursive: true });
  const link = join(binDir, "codex");
  if (!(await isFile(link))) {
    await Deno.remove(link).catch(() => {});
    await Deno.symlink(binary, link).catch((err) => {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    });
  }
  return { version, binary, binDir };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
