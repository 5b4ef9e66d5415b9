/**
 * A fake `nvidia-smi` that replays a recorded real capture (tests/fixtures/gate/nvidia-smi/). It
 * answers `--query-gpu=F,…` and `--query-compute-apps=F,…` with `--format=csv[,noheader][,nounits]`
 * as nvidia-smi does: the asked columns in order, the header unless `noheader`, the unit after each
 * number dropped with `nounits`. Anything else: nvidia-smi's own complaint, exit 2.
 *
 * Configured by the JSON file named in `FAKE_NVIDIA_SMI_CONFIG` (re-read on every call, so a test
 * can change the machine's state between calls): `{"capture": PATH, "state": "idle"|"load"}` or
 * `{"stdout": PATH, "exit": N}` (replay a recorded failure). Every argv is appended to
 * `FAKE_NVIDIA_SMI_LOG` when set.
 *
 * @module
 */

/** The config of one call. */
export type FakeNvidiaSmiConfig =
  | { capture: string; state: "idle" | "load" }
  | { stdout: string; exit: number };

const ALIASES: Record<string, Record<string, string>> = {
  gpu: { gpu_name: "name", gpu_uuid: "uuid", gpu_serial: "serial" },
  apps: { name: "process_name", used_memory: "used_gpu_memory" },
};

/** One recorded CSV section: its header cells and its rows. */
interface Section {
  header: string[];
  rows: string[][];
}

/** The `--format=csv` section of `kind` in `state` from a capture file. */
export function captureSection(capture: string, state: "idle" | "load", kind: "gpu" | "apps"): Section {
  const lines = capture.split("\n");
  const label = kind === "gpu" ? `# ${state} :: query-gpu (csv` : `# ${state} :: query-compute-apps`;
  const at = lines.findIndex((l) => l.startsWith(label));
  if (at < 0) throw new Error(`capture has no section "${label}"`);
  const body: string[] = [];
  for (const line of lines.slice(at + 3)) {
    if (!line.trim()) break;
    body.push(line);
  }
  const split = (l: string) => l.split(", ");
  const header = split(body[0]);
  const rows = body.slice(1).map(split);
  for (const row of rows) {
    if (row.length !== header.length) {
      throw new Error(`a row of "${label}" has ${row.length} cells, not ${header.length}`);
    }
  }
  return { header, rows };
}

/**
 * What nvidia-smi prints for `fields` of a recorded section in `format` (e.g. `csv,noheader,nounits`),
 * or an error message.
 */
export function answer(
  section: Section,
  kind: "gpu" | "apps",
  fields: string[],
  format: string,
): { stdout: string; code: number } {
  const opts = format.split(",");
  if (opts[0] !== "csv" || opts.slice(1).some((o) => o !== "noheader" && o !== "nounits")) {
    return { stdout: `"${format}" is not a valid format.\n`, code: 2 };
  }
  const names = section.header.map((h) => h.replace(/ \[.*\]$/, ""));
  const columns: number[] = [];
  for (const f of fields) {
    const i = names.indexOf(ALIASES[kind][f] ?? f);
    if (i < 0) return { stdout: `Field "${f}" is not a valid field to query.\n\n`, code: 2 };
    columns.push(i);
  }
  const out: string[] = [];
  if (!opts.includes("noheader")) out.push(columns.map((i) => section.header[i]).join(", "));
  for (const row of section.rows) {
    out.push(
      columns.map((i) => {
        const cell = row[i] ?? "";
        if (!opts.includes("nounits")) return cell;
        const unit = section.header[i].match(/ \[(.*)\]$/)?.[1];
        return unit && cell.endsWith(` ${unit}`) ? cell.slice(0, -unit.length - 1) : cell;
      }).join(", "),
    );
  }
  return { stdout: out.length ? out.join("\n") + "\n" : "", code: 0 };
}

async function main(args: string[]): Promise<number> {
  const log = Deno.env.get("FAKE_NVIDIA_SMI_LOG");
  if (log) await Deno.writeTextFile(log, JSON.stringify(args) + "\n", { append: true });
  const config = JSON.parse(
    await Deno.readTextFile(Deno.env.get("FAKE_NVIDIA_SMI_CONFIG")!),
  ) as FakeNvidiaSmiConfig;
  const print = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text));
  if ("stdout" in config) {
    print(await Deno.readTextFile(config.stdout));
    return config.exit;
  }
  const query = args.find((a) => a.startsWith("--query-gpu=") || a.startsWith("--query-compute-apps="));
  const format = args.find((a) => a.startsWith("--format="));
  if (!query || !format || args.length !== 2) {
    print(`fake nvidia-smi: unexpected arguments ${JSON.stringify(args)}\n`);
    return 2;
  }
  const kind = query.startsWith("--query-gpu=") ? "gpu" : "apps";
  const section = captureSection(await Deno.readTextFile(config.capture), config.state, kind);
  const out = answer(section, kind, query.slice(query.indexOf("=") + 1).split(","), format.slice(9));
  print(out.stdout);
  return out.code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
