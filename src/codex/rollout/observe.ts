/**
 * Observing a thread: locate its rollout, read and fold it, check expected files, and hand the
 * evidence to the verdict machine. All the IO of `status --thread` lives here.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { notFoundError } from "../../errors.ts";
import type { Verdict } from "../../envelope.ts";
import type { ArtifactCheck, Evidence } from "../../verdict/evidence.ts";
import { decide } from "../../verdict/machine.ts";
import { type Compatibility, compatibility } from "./compat.ts";
import { codexHome, type Located, locateThread, parseThreadRef } from "./locate.ts";
import { readThread, type ThreadProgress } from "./reader.ts";
import { type DaemonReading, readDaemonEvidence } from "../daemon/evidence.ts";
import { controlSocketPath } from "../daemon/socket_path.ts";

/**
 * What the Codex daemon says about a thread, when its control socket exists under `codexHome`
 * (null when there is no daemon: nothing to ask). Never throws.
 */
export async function daemonReading(
  codexHome: string,
  threadId: string,
  timeoutMs = 3000,
): Promise<DaemonReading | null> {
  const socket = controlSocketPath(codexHome);
  try {
    await Deno.lstat(socket);
  } catch {
    return null;
  }
  return await readDaemonEvidence(codexHome, threadId, { timeoutMs });
}

/** Everything one observation produced. */
export interface Observation {
  located: Located;
  progress: ThreadProgress;
  compatibility: Compatibility;
  evidence: Evidence;
  verdict: Verdict;
  rule: string;
  /** The daemon's reading (null: no daemon socket, or not asked). */
  daemon: DaemonReading | null;
}

/** Options of {@linkcode observeThread}. */
export interface ObserveOptions {
  expect?: string[];
  marker?: string | null;
  session?: string | null;
  now?: number;
  /** Ask the Codex daemon too (status does; watch and the hooks do not). */
  daemon?: boolean;
}

/** Locates a thread by reference or throws `not_found/NO_THREAD` (exit 4). */
export async function locateOrThrow(
  env: { get(k: string): string | undefined },
  ref: string,
): Promise<Located> {
  const id = parseThreadRef(ref);
  const home = codexHome(env);
  const located = await locateThread(home, id);
  if (!located) {
    throw notFoundError(
      "NO_THREAD",
      `no rollout for thread ${id} under ${home} (sessions, archived_sessions or state_5.sqlite)`,
      "check CODEX_HOME points at the Codex home that ran this thread; list known threads with: codexctl threads",
    );
  }
  return located;
}

/** Stats every expected file; relative paths are taken from `cwd` (the thread's working directory). */
export async function checkArtifacts(paths: string[], cwd: string | null): Promise<ArtifactCheck[]> {
  const out: ArtifactCheck[] = [];
  for (const path of paths) {
    const full = isAbsolute(path) || !cwd ? path : join(cwd, path);
    const info = await Deno.stat(full).catch(() => null);
    out.push({ path, exists: info !== null, bytes: info?.isFile ? info.size : 0 });
  }
  return out;
}

/** Builds the evidence of a folded thread. */
export async function threadEvidence(
  located: Located,
  progress: ThreadProgress,
  options: ObserveOptions,
): Promise<{ evidence: Evidence; compatibility: Compatibility }> {
  const compat = compatibility(progress.stats, progress.state);
  const evidence: Evidence = {
    target: { session: options.session ?? null, thread: located.id },
    now: options.now ?? Date.now(),
    thread: {
      state: progress.state,
      rollout_path: located.path,
      confidence: compat.confidence,
      warnings: compat.warnings,
    },
    pane: null,
    process: null,
    marker: options.marker ?? null,
    artifacts: await checkArtifacts(options.expect ?? [], progress.state.cwd),
  };
  return { evidence, compatibility: compat };
}

/** Reads a thread from the start and decides its verdict. */
export async function observeThread(
  env: { get(k: string): string | undefined },
  ref: string,
  options: ObserveOptions = {},
): Promise<Observation> {
  const located = await locateOrThrow(env, ref);
  const read = await readThread(located.path, undefined, { keepEvents: false });
  const { evidence, compatibility: compat } = await threadEvidence(located, read.progress, options);
  const daemon = options.daemon ? await daemonReading(codexHome(env), located.id) : null;
  if (daemon?.available) evidence.daemon = daemon;
  const { verdict, rule } = decide(evidence);
  return { located, progress: read.progress, compatibility: compat, evidence, verdict, rule, daemon };
}
