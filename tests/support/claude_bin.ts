/**
 * The pinned real Claude Code build from npm (`@anthropic-ai/claude-code`), installed on demand
 * into the git-ignored test cache. The npm package is a thin wrapper around a native executable
 * shipped as an optional dependency; the wrapper's postinstall step is not needed to run it.
 *
 * @module
 */
import { join } from "node:path";
import { installNpmPeer } from "./npm_peer.ts";

/** The Claude Code version the plugin tests pin (behaviour changes between minor versions). */
export const CLAUDE_CODE_VERSION = "2.1.329";

const PLATFORM_PACKAGES: Record<string, string> = {
  "x86_64-linux": "claude-code-linux-x64",
  "aarch64-linux": "claude-code-linux-arm64",
  "x86_64-darwin": "claude-code-darwin-x64",
  "aarch64-darwin": "claude-code-darwin-arm64",
};

/** The installed Claude Code. */
export interface ClaudeInstall {
  version: string;
  /** The executable to run (the native binary when found, else the npm wrapper). */
  binary: string;
}

/** Installs (once) and returns the pinned Claude Code. */
export async function claudeInstall(version: string = CLAUDE_CODE_VERSION): Promise<ClaudeInstall> {
  const prefix = await installNpmPeer(`claude-code-${version}`, "@anthropic-ai/claude-code", version);
  const platform = PLATFORM_PACKAGES[`${Deno.build.arch}-${Deno.build.os}`];
  const candidates = [
    ...(platform ? [join(prefix, "node_modules", "@anthropic-ai", platform, "claude")] : []),
    join(prefix, "node_modules", ".bin", "claude"),
  ];
  for (const candidate of candidates) {
    if (await isExecutable(candidate)) return { version, binary: candidate };
  }
  throw new Error(
    `Claude Code ${version} is installed under ${prefix} but no executable was found (looked at ${
      candidates.join(", ")
    }); delete that directory to reinstall`,
  );
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && info.mode !== null && (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
