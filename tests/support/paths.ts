/**
 * Paths of the repository and its git-ignored caches, for tests and scripts.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT: string = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** The git-ignored cache for test peers (pinned Codex and Claude Code builds). */
export const CACHE_DIR: string = Deno.env.get("CODEXCTL_TEST_CACHE") ?? join(REPO_ROOT, ".cache");

/** The committed fixtures. */
export const FIXTURES_DIR: string = join(REPO_ROOT, "tests", "fixtures");

/** The codexctl entry point run by tests (`deno run -q -P src/main.ts`, as the task does). */
export const MAIN_TS: string = join(REPO_ROOT, "src", "main.ts");
