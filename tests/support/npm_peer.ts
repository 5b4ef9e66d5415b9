/**
 * Installs pinned npm packages (real peers such as Codex and Claude Code) into the git-ignored
 * cache on demand, once per version, safely when several test processes ask at the same time.
 *
 * @module
 */
import { join } from "node:path";
import { withLock } from "../../src/store/lock.ts";
import { CACHE_DIR } from "./paths.ts";

/** Installs `pkg@version` under `<cache>/<slot>/` unless already there; returns that prefix. */
export async function installNpmPeer(slot: string, pkg: string, version: string): Promise<string> {
  const prefix = join(CACHE_DIR, slot);
  const stamp = join(prefix, ".installed");
  if (await exists(stamp)) return prefix;
  await Deno.mkdir(prefix, { recursive: true });
  await withLock(join(CACHE_DIR, `${slot}.lock`), async () => {
    if (await exists(stamp)) return;
    const out = await new Deno.Command("npm", {
      args: [
        "install",
        "--prefix",
        prefix,
        "--no-audit",
        "--no-fund",
        "--no-save",
        "--loglevel=error",
        `${pkg}@${version}`,
      ],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    if (!out.success) {
      throw new Error(`npm install ${pkg}@${version} failed:\n${new TextDecoder().decode(out.stderr)}`);
    }
    await Deno.writeTextFile(stamp, `${pkg}@${version}\n`);
  }, { timeoutMs: 600_000 });
  return prefix;
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
