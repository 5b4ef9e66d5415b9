/**
 * The import layering of `src/` holds (`deno task layers`, scripts/layers.ts): no import circle, no
 * import from a lower room to a higher one, every module in a room, the verdict machine called from
 * `src/observe/` only — read from deno's own module graph, so it stays true as the code changes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { findings, type Graph, importGraph, KNOWN_VIOLATIONS, roomOf, ROOMS } from "../scripts/layers.ts";
import { REPO_ROOT } from "./support/paths.ts";

const graphOf = (edges: Record<string, string[]>): Graph =>
  new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

/** The known edges, so a synthetic graph does not report them as stale. */
const known = Object.fromEntries(
  KNOWN_VIOLATIONS.map((e) => e.split(" -> ")).reduce((m, [a, b]) => {
    (m.get(a) ?? m.set(a, []).get(a)!).push(b);
    return m;
  }, new Map<string, string[]>()),
);

Deno.test("src/ has no import circle, no upward import, no module without a room", async () => {
  const graph = await importGraph(REPO_ROOT);
  assert.ok(graph.size > 100, `the graph holds every module (${graph.size})`);
  assert.ok(graph.has("hook/deliver.ts") && graph.has("cli/run.ts"), "modules loaded on demand are in it");
  assert.deepEqual(findings(graph), []);
});

Deno.test("the check finds a circle, an upward import, a module without a room, decide outside observe/", () => {
  const found = findings(graphOf({
    ...known,
    "hook/a.ts": ["hook/b.ts"],
    "hook/b.ts": ["hook/a.ts"],
    "verdict/rule.ts": ["observe/observe.ts"],
    "gadgets/x.ts": ["errors.ts"],
    "watch/w.ts": ["verdict/machine.ts"],
    "observe/observe.ts": ["verdict/machine.ts"],
  }));
  assert.deepEqual(found, [
    "circle: hook/a.ts <-> hook/b.ts",
    "no room: src/gadgets/x.ts (give its folder a place in ROOMS, scripts/layers.ts)",
    "upward: verdict/rule.ts -> observe/observe.ts (verdict must not import observe)",
    "verdict machine called outside src/observe/: watch/w.ts -> verdict/machine.ts",
  ]);
});

Deno.test("a known violation that is gone must be removed from the list", () => {
  if (!KNOWN_VIOLATIONS.length) return;
  const found = findings(graphOf({ "errors.ts": [] }));
  assert.deepEqual(
    found,
    KNOWN_VIOLATIONS.map((e) => `stale KNOWN_VIOLATIONS entry (the edge is gone; remove it): ${e}`),
  );
});

Deno.test("rooms: one table, every folder of src/ in exactly one room, README names them in the same order", async () => {
  for (const entry of Deno.readDirSync(join(REPO_ROOT, "src"))) {
    const path = entry.isDirectory ? `${entry.name}/x.ts` : entry.name;
    if (!entry.name.endsWith(".ts") && !entry.isDirectory) continue;
    assert.notEqual(roomOf(path), -1, `src/${entry.name} has a room`);
    const holders = ROOMS.filter((r) =>
      r.paths.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p))
    );
    assert.equal(holders.length, 1, `src/${entry.name} is in one room`);
  }
  const readme = await Deno.readTextFile(join(REPO_ROOT, "README.md"));
  const section = readme.slice(readme.indexOf("## Architecture"));
  const listed = [...section.slice(0, section.indexOf("\n## ", 3)).matchAll(/^\d+\. \*\*([a-z]+)\*\*/gm)].map(
    (m) => m[1],
  );
  assert.deepEqual(
    listed,
    ROOMS.map((r) => r.name),
    "README's Architecture lists the rooms of scripts/layers.ts",
  );
  const tasks = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json"))).tasks;
  assert.match(JSON.stringify(tasks.layers), /scripts\/layers\.ts/);
});
