/**
 * The doctor check that says what runs codexctl: a compiled binary or the source under a Deno, and
 * — when the plugin launcher `bin/codexctl` started it — which of its routes it took (it exports
 * `CODEXCTL_LAUNCHED_AS="<route> <executable>"`). Also where the project's checkout is, which the
 * codex check uses to point at the project's cached Codex builds.
 *
 * @module
 */
import type { Env } from "../env.ts";
import type { DoctorCheck } from "./check.ts";

/** The launcher's routes (bin/codexctl), in the order it tries them, as a person reads them. */
export const LAUNCH_ROUTES: Readonly<Record<string, string>> = {
  env: "$CODEXCTL_BIN",
  dist: "the compiled binary next to the plugin (dist/)",
  path: "a compiled codexctl on PATH",
  "deno-project": "the project's own Deno (.tools/deno, installed by scripts/dev)",
  "deno-path": "deno on PATH",
  "deno-home": "deno in $DENO_INSTALL/bin or ~/.deno/bin",
};

/** What the launcher said it ran, when that is what runs now (a stale inherited value is ignored). */
export interface LaunchedAs {
  route: string;
  executable: string;
}

function realPath(path: string): string | null {
  try {
    return Deno.realPathSync(path);
  } catch {
    return null;
  }
}

/** Parses `CODEXCTL_LAUNCHED_AS`; null when unset, malformed, or naming another executable. */
export function launchedAs(env: Pick<Env, "get">, execPath: string = Deno.execPath()): LaunchedAs | null {
  const raw = env.get("CODEXCTL_LAUNCHED_AS") ?? "";
  const m = raw.match(/^([a-z-]+) (\/.*)$/);
  if (!m || !(m[1] in LAUNCH_ROUTES)) return null;
  const named = realPath(m[2]);
  if (!named || named !== (realPath(execPath) ?? execPath)) return null;
  return { route: m[1], executable: m[2] };
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The codexctl checkout this runs from (the directory holding `scripts/dev`), or null: the source's
 * own location when run from source, else the plugin root of a compiled binary in `<root>/dist/`.
 */
export function projectRoot(execPath: string = Deno.execPath()): string | null {
  const candidates: string[] = [];
  const here = new URL("../..", import.meta.url);
  if (here.protocol === "file:" && !Deno.build.standalone) candidates.push(decodeURIComponent(here.pathname));
  const dist = execPath.match(/^(.*)\/dist\/[^/]+$/);
  if (dist) candidates.push(dist[1] || "/");
  for (const c of candidates) {
    const root = c.replace(/(.)\/$/, "$1");
    if (isFile(`${root}/scripts/dev`) && isFile(`${root}/deno.json`)) return root;
  }
  return null;
}

/** What runs codexctl. */
export const runtimeCheck: DoctorCheck = {
  name: "runtime",
  description: "what runs codexctl: a compiled binary or the source with Deno, and the launcher's route",
  run(ctx) {
    const exe = Deno.execPath();
    const standalone = Deno.build.standalone;
    const via = launchedAs(ctx.env, exe);
    const what = standalone
      ? `the compiled codexctl binary ${exe}`
      : `the source with Deno ${Deno.version.deno} (${exe})`;
    const how = via ? `, started by bin/codexctl from ${LAUNCH_ROUTES[via.route]}` : "";
    const root = projectRoot(exe);
    return Promise.resolve({
      status: "ok",
      summary: `${what}${how}`,
      details: {
        compiled: standalone,
        executable: exe,
        deno: Deno.version.deno,
        launched_as: via?.route ?? null,
        project_root: root,
      },
      suggestion: null,
    });
  },
};
