/**
 * The verb registry: every verb codexctl knows, in the order `--help` lists them.
 *
 * @module
 */
import type { Verb } from "./verb.ts";

/**
 * Every verb, in the order `--help` lists them, each loaded only when used: a call loads the one
 * module it runs, so start-up stays small as verbs are added. The specifiers are computed on
 * purpose: for an analyzable `import("./x.ts")`, `deno run` builds every verb's module graph at
 * start-up — tens of MB that a long-running `watch --all` would hold for nothing (`lazy.ts` lists
 * the modules, so `deno compile` includes them).
 */
const LOADERS: Readonly<Record<string, () => Promise<Verb>>> = {
  start: async () =>
    ((await import(new URL("./start.ts", import.meta.url).href)) as typeof import("./start.ts")).startVerb,
  send: async () =>
    ((await import(new URL("./send.ts", import.meta.url).href)) as typeof import("./send.ts")).sendVerb,
  reply: async () =>
    ((await import(new URL("./reply.ts", import.meta.url).href)) as typeof import("./reply.ts")).replyVerb,
  await: async () =>
    ((await import(new URL("./await.ts", import.meta.url).href)) as typeof import("./await.ts")).awaitVerb,
  status: async () =>
    ((await import(new URL("./status.ts", import.meta.url).href)) as typeof import("./status.ts")).statusVerb,
  watch: async () =>
    ((await import(new URL("./watch.ts", import.meta.url).href)) as typeof import("./watch.ts")).watchVerb,
  end: async () =>
    ((await import(new URL("./end.ts", import.meta.url).href)) as typeof import("./end.ts")).endVerb,
  review: async () =>
    ((await import(new URL("./review.ts", import.meta.url).href)) as typeof import("./review.ts")).reviewVerb,
  sessions: async () =>
    ((await import(new URL("./sessions.ts", import.meta.url).href)) as typeof import("./sessions.ts"))
      .sessionsVerb,
  threads: async () =>
    ((await import(new URL("./threads.ts", import.meta.url).href)) as typeof import("./threads.ts"))
      .threadsVerb,
  tail: async () =>
    ((await import(new URL("./tail.ts", import.meta.url).href)) as typeof import("./tail.ts")).tailVerb,
  follow: async () =>
    ((await import(new URL("./follow.ts", import.meta.url).href)) as typeof import("./follow.ts")).followVerb,
  gate: async () =>
    ((await import(new URL("./gate.ts", import.meta.url).href)) as typeof import("./gate.ts")).gateVerb,
  doctor: async () =>
    ((await import(new URL("./doctor.ts", import.meta.url).href)) as typeof import("./doctor.ts")).doctorVerb,
  schema: async () =>
    ((await import(new URL("./schema.ts", import.meta.url).href)) as typeof import("./schema.ts")).schemaVerb,
  hook: async () =>
    ((await import(new URL("./hook.ts", import.meta.url).href)) as typeof import("./hook.ts")).hookVerb,
};

/** The names of all verbs, in help order. */
export const VERB_NAMES: readonly string[] = Object.keys(LOADERS);

/** Loads a verb by name (undefined when there is none). */
export async function findVerb(name: string): Promise<Verb | undefined> {
  return Object.hasOwn(LOADERS, name) ? await LOADERS[name]() : undefined;
}

/** Loads every verb (for the full help). */
export function loadVerbs(): Promise<Verb[]> {
  return Promise.all(VERB_NAMES.map((n) => LOADERS[n]()));
}

/** The closest verb name to a mistyped one, if any is close enough to suggest. */
export function suggestVerb(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const verb of VERB_NAMES) {
    const d = editDistance(name, verb);
    if (!best || d < best.distance) best = { name: verb, distance: d };
  }
  return best && best.distance <= Math.max(1, Math.floor(name.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
