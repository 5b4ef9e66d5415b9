/**
 * A PATH for `codexctl gate` tests with no real GPU or docker on it: a fresh bin directory holding
 * only what the test asks for — a fake `nvidia-smi` replaying a recorded capture
 * (fake_nvidia_smi.ts), a fake `docker` replaying recorded `docker ps` output — plus the real `ps`
 * and `df` the other checks use. Each fake logs its argv so a test can check what codexctl asked.
 *
 * @module
 */
import { join } from "node:path";
import { FIXTURES_DIR, REPO_ROOT } from "./paths.ts";
import type { FakeNvidiaSmiConfig } from "./fake_nvidia_smi.ts";

/** The recorded outputs (tests/fixtures/gate/README.md says where each comes from). */
export const GATE_FIXTURES = join(FIXTURES_DIR, "gate");

/** A recorded nvidia-smi capture by its short name. */
export function capture(name: "rtx4080" | "h100" | "h100mig" | "l40s"): string {
  const files = {
    rtx4080: "linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05.txt",
    h100: "linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt",
    h100mig: "linux-x86_64__nvidia-h100-mig__590.48.01.txt",
    l40s: "linux-x86_64__nvidia-l40s__595.80.txt",
  };
  return join(GATE_FIXTURES, "nvidia-smi", files[name]);
}

/** What the fake docker replays: recorded files and an exit code. */
export interface FakeDockerConfig {
  stdout?: string;
  stderr?: string;
  exit?: number;
}

const DOCKER_SCRIPT = `#!/bin/sh
# fake docker (tests/support/fake_gate_tools.ts): replays recorded output for exactly
# docker ps --format '{{json .}}'
PATH=/usr/bin:/bin
d="$FAKE_DOCKER_DIR"
printf '%s\\n' "$*" >> "$d/calls"
if [ "$#" -ne 3 ] || [ "$1" != ps ] || [ "$2" != --format ] || [ "$3" != '{{json .}}' ]; then
  echo "fake docker: unexpected arguments: $*" >&2
  exit 64
fi
[ -f "$d/stdout" ] && cat "$d/stdout"
[ -f "$d/stderr" ] && cat "$d/stderr" >&2
exit "$(cat "$d/exit" 2>/dev/null || echo 0)"
`;

/** A bin directory of fakes and the real tools gate needs. */
export class FakeGateTools {
  private constructor(readonly dir: string, readonly bin: string) {}

  /** Creates the directory with the asked fakes; `ps` and `df` are linked from the real PATH. */
  static async create(fakes: { nvidiaSmi?: boolean; docker?: boolean } = {}): Promise<FakeGateTools> {
    const dir = await Deno.makeTempDir({ prefix: "codexctl-gate-" });
    const bin = join(dir, "bin");
    await Deno.mkdir(bin);
    await Deno.mkdir(join(dir, "docker"));
    for (const tool of ["ps", "df"]) await Deno.symlink(await which(tool), join(bin, tool));
    const tools = new FakeGateTools(dir, bin);
    if (fakes.nvidiaSmi) {
      const script = join(REPO_ROOT, "tests", "support", "fake_nvidia_smi.ts");
      await writeExecutable(
        join(bin, "nvidia-smi"),
        `#!/bin/sh\nexec '${Deno.execPath()}' run -q --no-config --no-check --allow-read --allow-write --allow-env '${script}' "$@"\n`,
      );
    }
    if (fakes.docker) await writeExecutable(join(bin, "docker"), DOCKER_SCRIPT);
    return tools;
  }

  /** What the fake nvidia-smi replays from its next call on. */
  async setGpu(config: FakeNvidiaSmiConfig): Promise<void> {
    await Deno.writeTextFile(join(this.dir, "nvidia-smi.json.tmp"), JSON.stringify(config));
    await Deno.rename(join(this.dir, "nvidia-smi.json.tmp"), join(this.dir, "nvidia-smi.json"));
  }

  /** What the fake docker replays from its next call on. */
  async setDocker(config: FakeDockerConfig): Promise<void> {
    const d = join(this.dir, "docker");
    for (const name of ["stdout", "stderr"] as const) {
      await Deno.remove(join(d, name)).catch(() => {});
      if (config[name]) await Deno.copyFile(config[name]!, join(d, name));
    }
    await Deno.writeTextFile(join(d, "exit"), String(config.exit ?? 0));
  }

  /** The environment for a codexctl run: this PATH only, and the fakes' settings. */
  env(): Record<string, string> {
    return {
      PATH: this.bin,
      FAKE_NVIDIA_SMI_CONFIG: join(this.dir, "nvidia-smi.json"),
      FAKE_NVIDIA_SMI_LOG: join(this.dir, "nvidia-smi.calls"),
      FAKE_DOCKER_DIR: join(this.dir, "docker"),
    };
  }

  /** Every argv the fake nvidia-smi was called with. */
  async gpuCalls(): Promise<string[][]> {
    const text = await Deno.readTextFile(join(this.dir, "nvidia-smi.calls")).catch(() => "");
    return text.split("\n").filter((l) => l).map((l) => JSON.parse(l));
  }

  /** Every argv line the fake docker was called with. */
  async dockerCalls(): Promise<string[]> {
    const text = await Deno.readTextFile(join(this.dir, "docker", "calls")).catch(() => "");
    return text.split("\n").filter((l) => l);
  }

  /** Removes the directory. */
  async remove(): Promise<void> {
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

async function writeExecutable(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, 0o755);
}

/** The real path of a tool on this test's PATH. */
export async function which(tool: string): Promise<string> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const path = join(dir, tool);
    try {
      const info = await Deno.stat(path);
      if (info.isFile && info.mode !== null && (info.mode & 0o111) !== 0) return path;
    } catch { /* not here */ }
  }
  throw new Error(`${tool} is not on PATH; the gate tests need it`);
}
