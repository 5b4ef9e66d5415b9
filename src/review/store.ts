/**
 * What the review gate remembers, under the state root:
 * - `reviews/<repo>.json`: the reviews `codexctl review --uncommitted` ran in one repository, each
 *   tied to the working tree's content hash it reviewed (`tree.ts`) — running, done (with a short
 *   list of its findings) or failed (with the error). The newest 20 are kept.
 * - `reviews/gate-<owner>.json`: the blocks and notices the Stop hook already gave one Claude Code
 *   session, per repository and tree state, so none is given twice. The newest 200 are kept.
 *
 * Writes are atomic and serialised by a lock per file; a missing or broken file reads as empty.
 *
 * @module
 */
import { atomicWrite } from "../store/atomic.ts";
import { withLock } from "../store/lock.ts";
import { fnv64, joinPath } from "../names.ts";
import { jsonObject } from "../json.ts";

/** Most reviews kept per repository, and findings kept per review. */
const MAX_REVIEWS = 20;
const MAX_FINDINGS = 20;
const MAX_MARKS = 200;

/** A finding, as short as the gate needs it. */
export interface NotedFinding {
  priority: number | null;
  title: string;
  file: string | null;
  line: number | null;
}

/** One review of one tree state. */
export interface TreeReview {
  /** The working tree's content hash when the review started. */
  tree: string;
  at: string;
  status: "running" | "done" | "failed";
  session: string | null;
  thread: string | null;
  error: string | null;
  /** The review's findings (at most 20, P0 first). */
  findings: NotedFinding[];
  /** How many findings the review had in all. */
  total: number;
}

/** A block or notice the Stop hook gave for one tree state. */
export type MarkKind = "review" | "findings" | "failure";

/** One given block or notice. */
export interface GateMark {
  root: string;
  tree: string;
  kind: MarkKind;
  at: string;
}

/** The file of one repository's reviews. */
export function reviewsPath(stateRoot: string, root: string): string {
  return joinPath(stateRoot, "reviews", `${fnv64(root)}.json`);
}

/** The file of one Claude Code session's gate marks. */
export function marksPath(stateRoot: string, owner: string): string {
  return joinPath(stateRoot, "reviews", `gate-${fnv64(owner)}.json`);
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  const text = await Deno.readTextFile(path).catch(() => null);
  return text === null ? null : jsonObject(text);
}

function isReview(x: unknown): x is TreeReview {
  const r = x as TreeReview;
  return !!r && typeof r === "object" && typeof r.tree === "string" &&
    (r.status === "running" || r.status === "done" || r.status === "failed") && Array.isArray(r.findings);
}

/** The reviews recorded for the repository at `root`, oldest first. */
export async function readReviews(stateRoot: string, root: string): Promise<TreeReview[]> {
  const data = await readJson(reviewsPath(stateRoot, root));
  if (!data || data.root !== root || !Array.isArray(data.reviews)) return [];
  return data.reviews.filter(isReview);
}

/** The latest review of exactly this tree state, or null. */
export async function reviewOfTree(
  stateRoot: string,
  root: string,
  tree: string,
): Promise<TreeReview | null> {
  return (await readReviews(stateRoot, root)).filter((r) => r.tree === tree).at(-1) ?? null;
}

/**
 * Records a review, or updates the one of the same session and tree (running → done/failed).
 * Keeps the newest {@linkcode MAX_REVIEWS}.
 */
export async function recordReview(stateRoot: string, root: string, review: TreeReview): Promise<void> {
  const path = reviewsPath(stateRoot, root);
  await withLock(`${path}.lock`, async () => {
    const all = await readReviews(stateRoot, root);
    const same = all.findIndex((r) =>
      r.tree === review.tree && r.session !== null && r.session === review.session
    );
    const entry = { ...review, findings: review.findings.slice(0, MAX_FINDINGS) };
    if (same >= 0) all.splice(same, 1);
    all.push(entry);
    await atomicWrite(path, JSON.stringify({ v: 1, root, reviews: all.slice(-MAX_REVIEWS) }) + "\n");
  });
}

/** The marks given to one owner. */
export async function readMarks(stateRoot: string, owner: string): Promise<GateMark[]> {
  const data = await readJson(marksPath(stateRoot, owner));
  if (!data || !Array.isArray(data.marks)) return [];
  return data.marks.filter((m): m is GateMark =>
    !!m && typeof m.root === "string" && typeof m.tree === "string" &&
    (m.kind === "review" || m.kind === "findings" || m.kind === "failure")
  );
}

/** The kinds already given for one tree state of one repository. */
export function marksFor(marks: GateMark[], root: string, tree: string): Set<MarkKind> {
  return new Set(marks.filter((m) => m.root === root && m.tree === tree).map((m) => m.kind));
}

/** Adds a mark (once). Keeps the newest {@linkcode MAX_MARKS}. */
export async function addMark(stateRoot: string, owner: string, mark: GateMark): Promise<void> {
  const path = marksPath(stateRoot, owner);
  await withLock(`${path}.lock`, async () => {
    const marks = await readMarks(stateRoot, owner);
    if (marks.some((m) => m.root === mark.root && m.tree === mark.tree && m.kind === mark.kind)) return;
    marks.push(mark);
    await atomicWrite(path, JSON.stringify({ v: 1, marks: marks.slice(-MAX_MARKS) }) + "\n");
  });
}
