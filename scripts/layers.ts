/**
 * `deno task layers`: the import-layer check. Reads the import graph of `src/` from the code
 * (`deno info --json`, type-only imports included) and reports, one line each:
 * - an import circle (files that import each other, directly or around a loop);
 * - an import from a lower room to a higher one (the order is {@linkcode ROOMS}, the one table);
 * - a module of `src/` that no room holds (a new folder must be given its place here);
 * - a call of the verdict machine outside `src/observe/` (evidence is gathered in one place).
 * Exit 1 when anything is found. `tests/layers_test.ts` runs the same check, so it stays true.
 *
 * @module
 */
import { join, relative } from "node:path";

/** One room: the folders and top-level files of `src/` it holds, and what lives there. */
export interface Room {
  name: string;
  /** Paths under `src/`: a folder ends with `/`, anything else is a file. */
  paths: readonly string[];
  what: string;
}

/**
 * The rooms of `src/`, lowest first. A module may import from its own room and from rooms below
 * it, never from a room above. (README "Architecture" describes the same order.)
 */
export const ROOMS: readonly Room[] = [
  {
    name: "base",
    paths: [
      "errors.ts",
      "env.ts",
      "names.ts",
      "text.ts",
      "version.ts",
      "envelope.ts",
      "output.ts",
      "lazy.ts",
      "tool.ts",
      "json.ts",
    ],
    what:
      "error classes and exit codes, the env seam, lean names (state root, paths, a stable hash), clipping text, the v1 envelope schemas and their rendering, running one outside tool, a text as a JSON object",
  },
  { name: "store", paths: ["store/"], what: "the state root, atomic writes, locks, id checks" },
  { name: "session", paths: ["session/"], what: "the session record and its owner" },
  { name: "herdr", paths: ["herdr/"], what: "the herdr socket client and version adapter" },
  {
    name: "codex",
    paths: ["codex/"],
    what: "readers of Codex: prompt wording, the rollout (locate, tail, parse, fold), the daemon client",
  },
  {
    name: "verdict",
    paths: ["verdict/"],
    what: "the pure verdict machine: every state rule, what a change is",
  },
  {
    name: "substrate",
    paths: ["substrate/"],
    what:
      "the seam: every way Codex runs (tmux, herdr, a daemon thread, a detached codex exec run) behind one interface — start, read evidence, deliver input, stop",
  },
  {
    name: "observe",
    paths: ["observe/"],
    what: "gathers evidence from every source and decides (only caller)",
  },
  {
    name: "fleet",
    paths: ["fleet/"],
    what:
      "an owner's Codex targets (sessions, follows), the cursor index of what Claude was told, the synced pass that claims a change once",
  },
  { name: "policy", paths: ["policy/"], what: "the approval policy, its decisions and the audit log" },
  { name: "driver", paths: ["driver/"], what: "driving a session: start, verified send, settle, reply, end" },
  { name: "watch", paths: ["watch/"], what: "watch lines, rate limiting, thread and session watchers" },
  {
    name: "review",
    paths: ["review/"],
    what:
      "Codex reviews: the working tree's content hash, the reviews recorded per tree, the review gate's marks",
  },
  {
    name: "hook",
    paths: ["hook/"],
    what: "the Claude Code hooks: lean no-change check, delivery pass, texts",
  },
  { name: "doctor", paths: ["doctor/"], what: "doctor checks" },
  {
    name: "gate",
    paths: ["gate/"],
    what:
      "the compute gate: probes of GPU, containers, processes, memory and disk, and the pure free/busy decision",
  },
  { name: "cli", paths: ["cli/"], what: "one module per verb, the registry, parsing, help" },
  { name: "entry", paths: ["main.ts"], what: "the entry: loads the CLI or a hook on demand" },
];

/**
 * Edges that break the order today and are being moved. Each entry must still exist — remove it in
 * the change that removes the edge. (Empty: every known edge is gone.)
 */
export const KNOWN_VIOLATIONS: readonly string[] = [];

/** The only modules that may import the verdict machine (`decide`). */
const MACHINE = "verdict/machine.ts";
const MACHINE_CALLERS = ["observe/observe.ts"];

/** The import graph of `src/`: module path (relative to `src/`) → the `src/` modules it imports. */
export type Graph = Map<string, Set<string>>;

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

/** Every `.ts` file under `src/` (relative to it). */
async function sourceFiles(src: string, dir = src, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) await sourceFiles(src, path, out);
    else if (e.name.endsWith(".ts")) out.push(relative(src, path));
  }
  return out;
}

/** Reads the import graph of `src/` under `root` from `deno info --json` (every module, type-only imports too). */
export async function importGraph(root: string): Promise<Graph> {
  const src = join(root, "src");
  const prefix = new URL(`file://${src}/`).href;
  const graph: Graph = new Map();
  const files = await sourceFiles(src);
  const add = async (entry: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", `--config=${join(root, "deno.json")}`, join(src, entry)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`deno info ${entry} failed: ${new TextDecoder().decode(out.stderr)}`);
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
    for (const m of info.modules) {
      if (!m.specifier.startsWith(prefix)) continue;
      const from = decodeURIComponent(m.specifier.slice(prefix.length));
      const deps = graph.get(from) ?? new Set<string>();
      for (const d of m.dependencies ?? []) {
        for (const s of [d.code?.specifier, d.type?.specifier]) {
          if (s?.startsWith(prefix)) deps.add(decodeURIComponent(s.slice(prefix.length)));
        }
      }
      graph.set(from, deps);
    }
  };
  await add("main.ts");
  // modules nothing reaches from main.ts (loaded on demand by path, or not wired yet) count too
  for (const f of files.sort()) if (!graph.has(f)) await add(f);
  return graph;
}

/** The room index of a module (−1: no room holds it). */
export function roomOf(path: string): number {
  return ROOMS.findIndex((r) => r.paths.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p)));
}

/** Import circles: the strongly connected components with more than one module (Tarjan). */
export function circles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** Every finding of the check, one line each (empty: the layering holds). */
export function findings(graph: Graph): string[] {
  const out: string[] = [];
  for (const c of circles(graph)) out.push(`circle: ${c.join(" <-> ")}`);
  const seen = new Set<string>();
  for (const [from, deps] of [...graph].sort(([a], [b]) => a.localeCompare(b))) {
    const a = roomOf(from);
    if (a === -1) out.push(`no room: src/${from} (give its folder a place in ROOMS, scripts/layers.ts)`);
    for (const to of [...deps].sort()) {
      const b = roomOf(to);
      const edge = `${from} -> ${to}`;
      if (a !== -1 && b > a) {
        seen.add(edge);
        if (!KNOWN_VIOLATIONS.includes(edge)) {
          out.push(`upward: ${edge} (${ROOMS[a].name} must not import ${ROOMS[b].name})`);
        }
      }
      if (to === MACHINE && !MACHINE_CALLERS.includes(from) && !from.startsWith("verdict/")) {
        out.push(`verdict machine called outside src/observe/: ${edge}`);
      }
    }
  }
  for (const known of KNOWN_VIOLATIONS) {
    if (!seen.has(known)) out.push(`stale KNOWN_VIOLATIONS entry (the edge is gone; remove it): ${known}`);
  }
  return out;
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname;
  const graph = await importGraph(root);
  const found = findings(graph);
  for (const f of found) console.log(f);
  const edges = [...graph.values()].reduce((n, d) => n + d.size, 0);
  console.log(
    `layers: ${found.length} finding(s) in ${graph.size} modules and ${edges} imports; ${ROOMS.length} rooms, ` +
      `${KNOWN_VIOLATIONS.length} known edge(s) being moved`,
  );
  Deno.exit(found.length ? 1 : 0);
}
