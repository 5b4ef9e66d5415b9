/**
 * Property: for random chunkings of every fixture, tailing + folding incrementally gives exactly
 * the state of one-shot folding — with partial last lines, UTF-8 split across writes, truncation,
 * replacement and archive moves thrown in, and random read buffer sizes. The corpus also holds a
 * generated rollout of each era long enough to be folded in several segments, with tool outputs
 * long enough to be read for their head only. ≥ 2,000 cases (CODEXCTL_PROPERTY_RUNS overrides).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { freshProgress, readThread, type ThreadProgress } from "../src/codex/rollout/reader.ts";
import { foldWithTransitions, initialState, type Transition } from "../src/codex/rollout/fold.ts";
import { newStats, type RolloutEvent } from "../src/codex/rollout/events.ts";
import { scanHead } from "../src/codex/rollout/head.ts";
import { parseLine, setterKey } from "../src/codex/rollout/parse.ts";
import { ALL_CODEX_VERSIONS } from "./support/codex_bin.ts";
import { hasRollout, rolloutLines, rolloutPath, type RunKind } from "./support/fixtures.ts";
import { generateRollout, type RolloutEra } from "./support/generate_rollout.ts";
import { SCENARIOS } from "./support/scenarios.ts";

const RUNS = Number(Deno.env.get("CODEXCTL_PROPERTY_RUNS") ?? 2000);
const enc = new TextEncoder();

/**
 * Every fixture rollout, plus one rewritten so its messages are full of multi-byte characters, plus
 * a generated one of each era: a few hundred lines (several fold segments), every 7th tool output
 * 70–200 KB (read for its head only when it spans read buffers).
 */
async function corpus(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const v of ALL_CODEX_VERSIONS) {
    for (const s of SCENARIOS) {
      for (const k of ["exec", "tui"] as RunKind[]) {
        if (hasRollout(v, s.name, k)) {
          out.push({ name: `${v}/${s.name}/${k}`, bytes: Deno.readFileSync(rolloutPath(v, s.name, k)) });
        }
      }
    }
  }
  const wide = rolloutLines("0.169.0", "marker", "exec").map((line) => {
    const rec = JSON.parse(line);
    const p = rec.payload ?? {};
    if (p.type === "task_complete") p.last_agent_message = "東京 — naïve ’quotes’ 🎉 done\n\nCDX_DONE_F1X7UR";
    if (p.type === "item_completed" && p.item?.type === "AgentMessage") {
      p.item.content = [{ type: "Text", text: "東京 — naïve ’quotes’ 🎉 done\n\nCDX_DONE_F1X7UR" }];
    }
    return JSON.stringify(rec);
  }).join("\n") + "\n";
  out.push({ name: "synthetic/multibyte", bytes: enc.encode(wide) });
  // long lines whose content the state needs (a pasted prompt, a long answer, a long command):
  // read whole, never by their head
  for (const version of ["0.130.0", "0.169.0"]) {
    const long = rolloutLines(version, "shell", "exec").map((line) => {
      const rec = JSON.parse(line);
      const p = rec.payload ?? {};
      const filler = (n: number) => "東京 naïve — 0123456789 ".repeat(n);
      if (p.type === "user_message") p.message = filler(4000) + p.message;
      if (p.type === "item_completed" && p.item?.type === "UserMessage") {
        p.item.content[0].text = filler(4000) + p.item.content[0].text;
      }
      if (p.type === "agent_message") p.message = filler(3000) + p.message;
      if (p.type === "item_completed" && p.item?.type === "AgentMessage") {
        p.item.content[0].text = filler(3000) + p.item.content[0].text;
      }
      if (p.type === "function_call") p.arguments = JSON.stringify({ cmd: `echo ${filler(3000)}` });
      return JSON.stringify(rec);
    }).join("\n") + "\n";
    out.push({ name: `synthetic/long-texts-${version}`, bytes: enc.encode(long) });
  }
  const dir = await Deno.makeTempDir({ prefix: "codexctl-prop-gen-" });
  for (const era of ["legacy", "paginated"] as RolloutEra[]) {
    const path = join(dir, `${era}.jsonl`);
    await generateRollout(path, 400 * 1024, { era, hugeBytes: [70 * 1024, 200 * 1024], hugeEvery: 7 });
    out.push({ name: `generated/${era}`, bytes: await Deno.readFile(path) });
  }
  await Deno.remove(dir, { recursive: true });
  return out;
}

const FILES = await corpus();

/** Offsets just after each newline (line boundaries). */
function lineEnds(bytes: Uint8Array): number[] {
  const ends: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) ends.push(i + 1);
  return ends;
}

async function oneShot(path: string) {
  const r = await readThread(path, freshProgress(), { keepEvents: false });
  return { state: r.progress.state, transitions: r.transitions, offset: r.progress.cursor.offset };
}

Deno.test(`incremental tail+fold equals one-shot fold on random chunkings (${RUNS} cases)`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-prop-" });
  const archive = join(dir, "archived_sessions");
  await Deno.mkdir(archive);
  const multibyteSplits = { seen: 0 };
  let disruptions = { truncated: 0, replaced: 0, moved: 0 };
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: FILES.length - 1 }),
        fc.array(fc.integer({ min: 1, max: 12000 }), { minLength: 1, maxLength: 60 }),
        fc.constantFrom("none", "none", "truncate", "replace", "move"),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(undefined, 64, 4096, 70 * 1024, 300 * 1024),
        async (fileIndex, sizes, disruption, when, chunkBytes) => {
          const { name, bytes } = FILES[fileIndex];
          let path = join(dir, `case-${crypto.randomUUID()}.jsonl`);
          await Deno.writeFile(path, new Uint8Array());
          let progress: ThreadProgress = freshProgress();
          const transitions: Transition[] = [];
          let written = 0;
          let restarted = false;
          const disruptAt = Math.floor(when * bytes.length);
          let disrupted = disruption === "none";
          let i = 0;
          while (written < bytes.length) {
            const n = Math.min(sizes[i++ % sizes.length], bytes.length - written);
            const piece = bytes.subarray(written, written + n);
            if (piece.length && piece[0] >= 0x80 && piece[0] < 0xc0) multibyteSplits.seen++;
            const f = await Deno.open(path, { append: true });
            await f.write(piece);
            f.close();
            written += n;
            if (!disrupted && written >= disruptAt) {
              disrupted = true;
              if (disruption === "truncate") {
                // cut back to an earlier line boundary, then write the rest again
                const ends = lineEnds(bytes.subarray(0, Math.min(written, progress.cursor.offset))).filter((
                  e,
                ) => e < progress.cursor.offset);
                const cut = ends.length ? ends[Math.floor(ends.length / 2)] - 1 : 0;
                if (cut < progress.cursor.offset) {
                  await Deno.truncate(path, Math.max(0, cut));
                  const r = await readThread(path, progress, { keepEvents: false, chunkBytes });
                  assert.equal(r.restarted, "truncated", `${name}: truncation must be reported`);
                  restarted = true;
                  progress = r.progress;
                  disruptions = { ...disruptions, truncated: disruptions.truncated + 1 };
                  const f2 = await Deno.open(path, { append: true });
                  await f2.write(bytes.subarray(Math.max(0, cut), written));
                  f2.close();
                }
              } else if (disruption === "replace") {
                const other = path + ".new";
                await Deno.writeFile(other, bytes.subarray(0, written));
                await Deno.rename(other, path);
                restarted = true;
                disruptions = { ...disruptions, replaced: disruptions.replaced + 1 };
              } else if (disruption === "move") {
                const moved = join(archive, `moved-${crypto.randomUUID()}.jsonl`);
                await Deno.rename(path, moved);
                path = moved;
                disruptions = { ...disruptions, moved: disruptions.moved + 1 };
              }
            }
            const r = await readThread(path, progress, { keepEvents: false, chunkBytes });
            if (r.restarted) {
              assert.equal(
                disruption,
                r.restarted === "truncated" ? "truncate" : "replace",
                `${name}: unexpected ${r.restarted}`,
              );
              restarted = true;
            }
            transitions.push(...r.transitions);
            progress = r.progress;
            assert.ok(progress.cursor.offset <= written, "never past what was written");
          }
          const whole = await oneShot(path);
          assert.deepEqual(progress.state, whole.state, `${name}: state differs (${disruption})`);
          assert.equal(progress.cursor.offset, bytes.length, `${name}: every complete line consumed`);
          if (!restarted) assert.deepEqual(transitions, whole.transitions, `${name}: transitions differ`);
          await Deno.remove(path);
        },
      ),
      { numRuns: RUNS },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.ok(multibyteSplits.seen > 0, "some writes must have split a multi-byte character");
  assert.ok(
    disruptions.truncated > 0 && disruptions.replaced > 0 && disruptions.moved > 0,
    JSON.stringify(disruptions),
  );
});

/**
 * The reference fold: every line parsed whole, in order. A setter line (`SETTERS`) that parses to
 * nothing still counts as activity, as the reader's contract says (it does not parse superseded
 * setters, so it cannot know they would have been empty).
 */
function wholeFold(lines: string[]) {
  const stats = newStats();
  const events: RolloutEvent[] = [];
  let offset = 0;
  for (const line of lines) {
    const bytes = enc.encode(line);
    const head = scanHead(bytes);
    const e = parseLine(bytes, offset, stats, head) ??
      (setterKey(head) !== null ? { k: "tick" as const, ts: head.ts, offset } : null);
    if (e) events.push(e);
    offset += bytes.length + 1;
  }
  return { ...foldWithTransitions(initialState(), events), stats };
}

Deno.test("a read (streamed, in segments, long lines by their head) folds like every line parsed whole", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-prop-whole-" });
  const dec = new TextDecoder();
  let headOnlyLines = 0;
  try {
    for (const { name, bytes } of FILES) {
      const lines = dec.decode(bytes).split("\n").filter(Boolean);
      headOnlyLines += lines.filter((l) => enc.encode(l).length > 64 * 1024).length;
      const reference = wholeFold(lines);
      const path = join(dir, `${name.replaceAll("/", "_")}.jsonl`);
      await Deno.writeFile(path, bytes);
      for (const chunkBytes of [undefined, 64, 70 * 1024]) {
        const r = await readThread(path, freshProgress(), { keepEvents: false, chunkBytes });
        assert.deepEqual(r.progress.state, reference.state, `${name} (buffer ${chunkBytes}): state differs`);
        assert.deepEqual(r.transitions, reference.transitions, `${name} (buffer ${chunkBytes}): transitions`);
        assert.equal(r.progress.stats.lines, reference.stats.lines, `${name}: every line counted`);
        assert.equal(r.progress.stats.known, reference.stats.known, `${name}: known lines`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.ok(headOnlyLines > 5, `the corpus must hold lines read for their head only (${headOnlyLines})`);
});
