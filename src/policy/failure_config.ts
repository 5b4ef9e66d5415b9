/**
 * The failure rule's patterns in force (`failures` in `config.jsonc`, else the defaults), loaded
 * cheaply: the config file's text is read, and only when it names a `failures` section is the
 * config parser (`config.ts`: jsonc-parser and zod) loaded. `watch --all` and the hooks, which run
 * for a long time or on every tool call, stay small when the defaults apply.
 *
 * @module
 */
import { compileFailurePatterns, type FailurePatterns } from "../verdict/tool_failure.ts";
import { findStateRoot, joinPath } from "../names.ts";

/**
 * The failure patterns of the state root `root` (or the environment's). Throws `usage/BAD_CONFIG` for
 * a broken file or a bad pattern (callers that must not fail — the hooks — fall back to the defaults).
 */
export async function failurePatterns(
  env: { get(key: string): string | undefined },
  root: string | null = null,
): Promise<FailurePatterns> {
  const dir = root ?? findStateRoot(env);
  if (dir === null) return compileFailurePatterns();
  const path = joinPath(dir, "config.jsonc");
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return compileFailurePatterns();
    // unreadable: the parser's own loader says so as BAD_CONFIG
    text = '"failures"';
  }
  if (!text.includes('"failures"')) return compileFailurePatterns();
  const config: typeof import("./config.ts") = await import(new URL("./config.ts", import.meta.url).href);
  return await config.loadFailurePatterns(env, dir);
}
