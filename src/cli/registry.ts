/**
 * The verb registry: every verb codexctl knows, in the order `--help` lists them.
 *
 * @module
 */
import type { Verb } from "./verb.ts";
import { schemaVerb } from "./schema.ts";
import { startVerb } from "./start.ts";
import { sendVerb } from "./send.ts";
import { replyVerb } from "./reply.ts";
import { awaitVerb } from "./await.ts";
import { endVerb } from "./end.ts";
import { sessionsVerb } from "./sessions.ts";
import { statusVerb } from "./status.ts";
import { tailVerb } from "./tail.ts";
import { threadsVerb } from "./threads.ts";
import { watchVerb } from "./watch.ts";
import { doctorVerb } from "./doctor.ts";

/** All verbs. */
export const VERBS: readonly Verb[] = [
  startVerb,
  sendVerb,
  replyVerb,
  awaitVerb,
  statusVerb,
  watchVerb,
  endVerb,
  sessionsVerb,
  threadsVerb,
  tailVerb,
  doctorVerb,
  schemaVerb,
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
