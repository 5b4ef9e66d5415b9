/**
 * `deno task bench` (second half): figures that need whole processes, printed as a table.
 * Targets are reported next to each figure; nothing here fails on a slow machine.
 *
 * @module
 */
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

async function timeRuns(args: string[], runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const out = await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null", cwd: root })
      .output();
    times.push(performance.now() - t0);
    if (!out.success && !args.includes("bogus")) throw new Error(`bench run failed: ${args.join(" ")}`);
  }
  return times.sort((a, b) => a - b);
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const empty = join(await Deno.makeTempDir(), "empty.ts");
await Deno.writeTextFile(empty, "");
const runs = 15;
const bare = await timeRuns(["run", "-q", empty], runs);
const version = await timeRuns(["run", "-q", "-P", "src/main.ts", "--version"], runs);
const rows = [
  ["bare `deno run` of an empty script", bare],
  ["codexctl --version (from source)", version],
] as const;
console.log("figure                                      p50 ms   p90 ms");
for (const [name, xs] of rows) {
  console.log(
    `${name.padEnd(42)}  ${pct(xs, 50).toFixed(1).padStart(6)}  ${pct(xs, 90).toFixed(1).padStart(7)}`,
  );
}
console.log(`codexctl start-up overhead over bare deno: ${(pct(version, 50) / pct(bare, 50)).toFixed(2)}×`);
