/**
 * The verb registry: every verb codexctl knows, in the order `--help` lists them.
 *
 * @module
 */
import type { Verb } from "./verb.ts";
import { schemaVerb } from "./schema.ts";
import { statusVerb } from "./status.ts";
import { tailVerb } from "./tail.ts";
import { threadsVerb } from "./threads.ts";
import { watchVerb } from "./watch.ts";
import { followVerb } from "./follow.ts";
import { hookVerb } from "./hook.ts";

/** All verbs. */
export const VERBS: readonly Verb[] = [
  statusVerb,
  watchVerb,
  tailVerb,
  threadsVerb,
  followVerb,
  schemaVerb,
  hookVerb,
];

/** Looks a verb up by name. */
export function findVerb(name: string): Verb | undefined {
  return VERBS.find((v) => v.name === name);
}

/** The closest verb name to a mistyped one, if any is close enough to suggest. */
export function suggestVerb(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const verb of VERBS) {
    const d = editDistance(name, verb.name);
    if (!best || d < best.distance) best = { name: verb.name, distance: d };
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
