/**
 * Generates big realistic rollouts for benchmarks and memory tests, in either format era, from the
 * lines of a real turn of that era (fixture `shell` of Codex 0.130.0 for `legacy`, 0.169.0 for
 * `paginated`):
 *
 * - every turn gets its header lines (task_started, context messages, turn_context, and in the
 *   paginated era world_state and thread_settings_applied, the user message), then 5–15 tool
 *   round-trips the way that era writes them (function_call, encrypted reasoning, token counts, the
 *   paginated era's token_usage_record and CommandExecution item with its output, function_call_output),
 *   now and then a commentary message, then the final message and task_complete;
 * - tool outputs are mostly small (1–12 KB), some big (16–256 KB), and every 397th call is huge
 *   (`hugeBytes`, 4–12 MB by default: under the 16 MiB line cap, so it must be read, not skipped);
 * - every 12th turn proposes a plan (`item_completed` Plan, which both eras write), every 25th turn
 *   starts with a long pasted user message, every 40th turn is compacted (a `compacted` line with its
 *   replacement history, plus `context_compacted` / a ContextCompaction item);
 * - timestamps grow, paginated lines carry consecutive ordinals, turn and call ids are unique.
 *
 * The last turn ends with the fixture's final message (which carries the completion marker), so a
 * generated thread reads `completed`. Deterministic for a seed.
 *
 * @module
 */
import { rolloutLines } from "./fixtures.ts";

/** Which format era to write. */
export type RolloutEra = "legacy" | "paginated";

/** Options of {@linkcode generateRollout}. */
export interface GenerateOptions {
  /** The format era (default `paginated`). */
  era?: RolloutEra;
  /** Seed of the pseudo-random sizes (default 7). */
  seed?: number;
  /** Smallest and largest size of a huge tool output (default 4 MiB and 12 MiB). */
  hugeBytes?: [number, number];
  /** Every how many tool calls one is huge (default 397). */
  hugeEvery?: number;
}

/** What was written. */
export interface GeneratedRollout {
  /** The thread id (the fixture's). */
  id: string;
  bytes: number;
  turns: number;
  /** Tool calls written (each has its output). */
  calls: number;
  /** Huge tool outputs written. */
  huge: number;
  /** The last plan proposed (whole), or null when no turn proposed one. */
  plan: string | null;
  /** Lines written. */
  lines: number;
}

/** A deterministic pseudo-random generator (so runs are comparable). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = (
  "error warning src test module import export const function return async await deno codex rollout " +
  "thread turn state verdict fold parse line offset cursor bytes memory stream buffer token usage " +
  'passed failed ok running compiling linking 東京 naïve ’quoted’ "escaped" back\\slash\ttab'
).split(" ");

/** A pool of log-like text (paths, line numbers, words, escapes, multi-byte characters). */
function textPool(random: () => number, size: number): string {
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const words = Array.from(
      { length: 4 + Math.floor(random() * 12) },
      () => WORDS[Math.floor(random() * WORDS.length)],
    );
    const line = `src/${words[0]}/${words[1]}_${Math.floor(random() * 99)}.ts:${Math.floor(random() * 900)}:${
      Math.floor(random() * 80)
    } ${words.join(" ")}\n`;
    parts.push(line);
    n += line.length;
  }
  return parts.join("");
}

/** Writes a rollout of about `targetBytes` to `path` (see the module comment). */
export async function generateRollout(
  path: string,
  targetBytes: number,
  options: GenerateOptions = {},
): Promise<GeneratedRollout> {
  const era = options.era ?? "paginated";
  const [hugeMin, hugeMax] = options.hugeBytes ?? [4 * 1024 * 1024, 12 * 1024 * 1024];
  const hugeEvery = options.hugeEvery ?? 397;
  const random = rng(options.seed ?? 7);
  const pool = textPool(random, 256 * 1024);
  /** `size` characters of pool text, from a random place. */
  const text = (size: number) => {
    const parts: string[] = [];
    let left = size;
    let at = Math.floor(random() * pool.length);
    while (left > 0) {
      const piece = pool.slice(at, at + left);
      parts.push(piece);
      left -= piece.length;
      at = 0;
    }
    return parts.join("");
  };
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));

  const version = era === "legacy" ? "0.130.0" : "0.169.0";
  const fixture = rolloutLines(version, "shell", "exec");
  const planLine = rolloutLines(version, "plan", "tui").find((l) => l.includes('"type":"Plan"'));
  if (!planLine) throw new Error(`no Plan line in the ${version} plan fixture`);
  const recs = fixture.map((l) => JSON.parse(l));
  const kind = (r: Record<string, unknown>) => {
    const p = (r.payload ?? {}) as Record<string, unknown>;
    return `${r.type}/${p.type ?? ""}/${(p.item as Record<string, unknown>)?.type ?? ""}`;
  };
  const meta = recs[0];
  const id = meta.payload.id as string;
  const fixtureTurn = recs.find((r) => kind(r) === "event_msg/task_complete/")?.payload.turn_id as string;
  const fixtureCall = recs.find((r) => kind(r) === "response_item/function_call/")?.payload.call_id as string;
  const callAt = recs.findIndex((r) => kind(r) === "response_item/function_call/");
  const outputAt = recs.findIndex((r) => kind(r) === "response_item/function_call_output/");
  const header = fixture.slice(1, callAt);
  const call = fixture.slice(callAt, outputAt + 2); // call … output, token_count
  const footer = fixture.slice(outputAt + 2); // final message … task_complete
  const paginated = era === "paginated";
  const planRec = JSON.parse(planLine);
  const planTurn = planRec.payload.turn_id as string;

  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let bytes = 0;
  let lines = 0;
  let turns = 0;
  let calls = 0;
  let huge = 0;
  let plan: string | null = null;
  let clock = Date.parse(meta.timestamp);
  let ordinal = 0;
  const write = async (rec: Record<string, unknown>) => {
    clock += between(1, 400);
    // Codex writes timestamp, then (paginated) ordinal, then type and payload
    const { timestamp: _t, ordinal: _o, ...rest } = rec;
    const out = paginated
      ? { timestamp: new Date(clock).toISOString(), ordinal: ordinal++, ...rest }
      : { timestamp: new Date(clock).toISOString(), ...rest };
    const b = enc.encode(JSON.stringify(out) + "\n");
    await file.write(b);
    bytes += b.length;
    lines++;
  };
  /** A fixture line with this turn's and call's ids. */
  const line = (raw: string, turnId: string, callId = "") =>
    JSON.parse(
      callId ? raw.replaceAll(fixtureTurn, turnId).replaceAll(fixtureCall, callId) : raw
        .replaceAll(fixtureTurn, turnId),
    );
  /** A paginated `item_completed` line. */
  const item = (turnId: string, it: Record<string, unknown>) => ({
    type: "event_msg",
    payload: { type: "item_completed", thread_id: id, turn_id: turnId, item: it },
  });
  const message = (turnId: string, words: string) =>
    paginated
      ? item(turnId, {
        type: "AgentMessage",
        id: `msg_${turnId}_${lines}`,
        content: [{ type: "Text", text: words }],
      })
      : { type: "event_msg", payload: { type: "agent_message", message: words, phase: null } };

  await write(meta);
  while (bytes < targetBytes) {
    turns++;
    const turnId = `01a1fee6-0000-7000-8000-${String(turns).padStart(12, "0")}`;
    for (const raw of header) {
      const rec = line(raw, turnId);
      const p = rec.payload;
      if (
        turns % 25 === 0 && (kind(rec) === "event_msg/user_message/" || kind(rec).endsWith("/UserMessage"))
      ) {
        // a long pasted message; the request (and the marker wording) stays at its end
        const paste = text(between(20 * 1024, 200 * 1024));
        if (paginated) p.item.content[0].text = paste + p.item.content[0].text;
        else p.message = paste + p.message;
      }
      await write(rec);
    }
    if (turns % 40 === 0) {
      const history = Array.from({ length: between(20, 120) }, () => ({
        type: "message",
        role: "user",
        content: [{ type: "input_text", text: text(between(1024, 8192)) }],
      }));
      await write({
        type: "compacted",
        payload: {
          message: text(between(2048, 8192)),
          replacement_history: history,
          window_number: turns / 40,
        },
      });
      await write(
        paginated
          ? item(turnId, { type: "ContextCompaction", id: `compaction-${turns}` })
          : { type: "event_msg", payload: { type: "context_compacted" } },
      );
    }
    const n = 5 + Math.floor(random() * 11);
    for (let c = 0; c < n; c++) {
      calls++;
      const callId = `call_${turns}_${c}`;
      const roll = random();
      const outputSize = calls % hugeEvery === Math.floor(hugeEvery / 2)
        ? between(hugeMin, hugeMax)
        : roll < 0.07
        ? between(16 * 1024, 256 * 1024)
        : between(1024, 12 * 1024);
      if (outputSize >= hugeMin) huge++;
      if (random() < 0.3) await write(message(turnId, text(between(100, 2048))));
      for (const raw of call) {
        const rec = line(raw, turnId, callId);
        const p = rec.payload;
        if (p.type === "function_call_output") p.output = text(outputSize);
        if (p.type === "item_completed" && p.item?.type === "CommandExecution") {
          p.item.aggregated_output = text(outputSize);
        }
        await write(rec);
        if (p.type === "function_call") {
          await write({
            type: "response_item",
            payload: { type: "reasoning", summary: [], encrypted_content: "e".repeat(between(2048, 8192)) },
          });
        }
      }
    }
    if (turns % 12 === 0) {
      const rec = JSON.parse(planLine.replaceAll(planTurn, turnId));
      rec.payload.item.text = `# Plan of turn ${turns}\n\n${text(between(2048, 30 * 1024))}`;
      plan = rec.payload.item.text;
      await write(rec);
    }
    for (const raw of footer) await write(line(raw, turnId));
  }
  file.close();
  return { id, bytes, turns, calls, huge, plan, lines };
}
