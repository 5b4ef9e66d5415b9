/**
 * The codexctl version. `deno.json` is the single source of truth; importing it embeds the value in a
 * compiled binary, so nothing is read from disk at run time.
 *
 * @module
 */
import denoConfig from "../deno.json" with { type: "json" };

/** The version of this codexctl build, as declared in `deno.json`. */
export const VERSION: string = denoConfig.version;
