/**
 * Generates big realistic rollouts for benchmarks, from the lines of a real 0.169 turn (fixture
 * `shell`): every turn gets its header lines (task_started, context messages, world_state,
 * turn_context, settings, the user message), then 5–15 tool round-trips the way 0.169 writes
 * them (function_call, encrypted reasoning, token_usage_record, CommandExecution item with its
 * output, function_call_output, token_count), then the final message and task_complete. Sizes of
 * the bulky parts (tool output, reasoning) are drawn around what real sessions write.
 *
 * @module
 */
import { rolloutLines } from "./fixtures.ts";

/** A deterministic pseudo-random generator (so runs are comparable). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Writes a rollout of about `targetBytes` to `path`; returns its thread id, size and turn count. */
export async function generateRollout(
  path: string,
  targetBytes: number,
  seed = 7,
): Promise<{ id: string; bytes: number; turns: number }> {
  const lines = rolloutLines("0.169.0", "shell", "exec").map((l) => JSON.parse(l));
  const kind = (r: Record<string, unknown>) =>
    `${r.type}/${(r.payload as Record<string, unknown>)?.type ?? ""}/${
      ((r.payload as Record<string, unknown>)?.item as Record<string, unknown>)?.type ?? ""
    }`;
  const meta = lines[0];
  const id = meta.payload.id as string;
  const callAt = lines.findIndex((r) => kind(r) === "response_item/function_call/");
  const outputAt = lines.findIndex((r) => kind(r) === "response_item/function_call_output/");
  const header = lines.slice(1, callAt);
  const call = lines.slice(callAt, outputAt + 2); // call … output, token_count
  const footer = lines.slice(outputAt + 2);
  const random = rng(seed);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let bytes = 0;
  let turns = 0;
  const write = async (rec: unknown) => {
    const b = enc.encode(JSON.stringify(rec) + "\n");
    await file.write(b);
    bytes += b.length;
  };
  await write(meta);
  while (bytes < targetBytes) {
    turns++;
    const turnId = `turn-${turns}`;
    const retag = (rec: Record<string, unknown>) => {
      const r = structuredClone(rec) as Record<string, Record<string, unknown>>;
      if (r.payload?.turn_id) r.payload.turn_id = turnId;
      return r;
    };
    for (const rec of header) await write(retag(rec));
    const calls = 5 + Math.floor(random() * 11);
    for (let c = 0; c < calls; c++) {
      const callId = `call-${turns}-${c}`;
      const outputSize = 1024 + Math.floor(random() * 12 * 1024);
      for (const rec of call) {
        const r = retag(rec);
        const p = r.payload as Record<string, unknown>;
        if (p.call_id) p.call_id = callId;
        if (p.type === "function_call_output") p.output = "o".repeat(outputSize);
        if (p.type === "item_completed" && (p.item as Record<string, unknown>)?.type === "CommandExecution") {
          (p.item as Record<string, unknown>).id = callId;
          (p.item as Record<string, unknown>).aggregated_output = "o".repeat(outputSize);
        }
        await write(r);
        if (p.type === "function_call") {
          await write({
            timestamp: r.timestamp,
            type: "response_item",
            payload: {
              type: "reasoning",
              summary: [],
              encrypted_content: "e".repeat(2048 + Math.floor(random() * 6144)),
            },
          });
        }
      }
    }
    for (const rec of footer) await write(retag(rec));
  }
  file.close();
  return { id, bytes, turns };
}
