/**
 * Modules codexctl loads on demand. They are imported through a computed specifier on purpose: for
 * an analyzable `import("./x.ts")`, `deno run` builds x's whole module graph at start-up even when
 * the branch never runs — about 8 ms of CPU on the hook's hot path. A computed specifier avoids
 * that, but `deno compile` cannot see it, so scripts/compile.ts passes each module listed here as
 * `--include` (and a test keeps every computed import in src/ on this list).
 *
 * @module
 */

/** Every lazily loaded module, as a path under `src/`. */
export const LAZY_MODULES = ["cli/run.ts", "hook/run.ts", "hook/deliver.ts", "hook/stop_rules.ts"] as const;

/** A lazily loaded module. */
export type LazyModule = (typeof LAZY_MODULES)[number];

/** Imports a module of {@linkcode LAZY_MODULES}; `T` is its type, e.g. `typeof import("./cli/run.ts")`. */
export function lazyImport<T>(path: LazyModule): Promise<T> {
  return import(new URL(`./${path}`, import.meta.url).href);
}
