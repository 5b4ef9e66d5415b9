/**
 * The hook's hot path stays lean: what `deno run src/main.ts hook …` loads before it knows whether
 * anything changed is a handful of small local modules — no zod, no `node:` module, no verb. Read
 * from deno's own module graph (code edges only; type-only imports are erased at run time). Speed
 * itself is measured by `deno task bench`, never asserted here.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./support/paths.ts";
import { LAZY_MODULES } from "../src/lazy.ts";

interface GraphModule {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier: string } }[];
}

async function codeGraph(entry: string): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `--config=${REPO_ROOT}/deno.json`, entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: GraphModule[];
  };
  const bySpec = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const walk = (spec: string) => {
    if (seen.has(spec)) return;
    seen.add(spec);
    for (const d of bySpec.get(spec)?.dependencies ?? []) if (d.code) walk(d.code.specifier);
  };
  walk(graph.roots[0]);
  return new Set(
    [...seen].map((s) => s.startsWith("file://") ? relative(REPO_ROOT, new URL(s).pathname) : s),
  );
}

Deno.test("the hook hot path loads only small local modules: no zod, no node:, no verbs", async () => {
  const main = await codeGraph(join(REPO_ROOT, "src", "main.ts"));
  assert.deepEqual([...main].sort(), ["src/main.ts"]);
  const hook = await codeGraph(join(REPO_ROOT, "src", "hook", "run.ts"));
  assert.deepEqual([...hook].sort(), [
    "src/fleet/cursor.ts",
    "src/fleet/targets.ts",
    "src/hook/run.ts",
    "src/json.ts",
    "src/names.ts",
  ]);
});

Deno.test("every computed import in src/ is on LAZY_MODULES (deno compile must include it); no other kind exists", async () => {
  for (const m of LAZY_MODULES) assert.ok((await Deno.stat(join(REPO_ROOT, "src", m))).isFile, m);
  const offenders: string[] = [];
  const lazy = new Set<string>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts") && path !== join(REPO_ROOT, "src", "lazy.ts")) {
        const code = (await Deno.readTextFile(path)).replace(/typeof import\(/g, "");
        for (const m of code.matchAll(/\bimport\(([^)]*\)?)/g)) {
          const arg = m[1];
          // a literal specifier is analyzable (compiled in)
          if (/^\s*["'`][^"'`$]*["'`]\s*\)$/.test(arg)) continue;
          const url = arg.match(/^\s*new URL\("(\.{1,2}\/[^"]+)", import\.meta\.url/);
          if (url) lazy.add(relative(join(REPO_ROOT, "src"), join(dir, url[1])));
          else offenders.push(`${relative(REPO_ROOT, path)}: import(${arg}`);
        }
      }
    }
  };
  await walk(join(REPO_ROOT, "src"));
  assert.deepEqual(offenders, [], 'load on demand with import(new URL("./x.ts", import.meta.url).href)');
  assert.deepEqual(
    [...lazy].sort(),
    [...LAZY_MODULES].sort(),
    "src/lazy.ts lists exactly the modules loaded on demand",
  );
  // scripts/compile.ts passes each as --include (tests/compile_test.ts checks the argv per target)
});
