import { newStats } from "../../src/codex/rollout/events.ts";
import { parseLine } from "../../src/codex/rollout/parse.ts";
import { fold, initialState } from "../../src/codex/rollout/fold.ts";
import { rolloutLines } from "../support/fixtures.ts";

const enc = new TextEncoder();
const lines = rolloutLines("0.169.0", "shell", "exec").map((l) => enc.encode(l));
const events = lines.map((b, i) => parseLine(b, i, newStats())).filter((e) => e !== null);

Deno.bench("parse the lines of one real 0.169 turn", () => {
  const stats = newStats();
  for (const b of lines) parseLine(b, 0, stats);
});

Deno.bench("fold the events of one real 0.169 turn", () => {
  fold(initialState(), events);
});
