/**
 * The herdr contract (tests/support/herdr_contract.ts) against a real `herdr server`, when `herdr`
 * is on PATH: a headless server in temporary XDG directories (onboarding and update checks off,
 * `SHELL=/bin/sh`), driven only through its socket, every frame checked against herdr's schema.
 * This catches drift between the fake and the real protocol. Without herdr it prints a visible
 * skip line and registers one ignored test.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { HerdrClient } from "../src/herdr/client.ts";
import { connectChecked, CONTRACT, type ContractTarget, eventually } from "./support/herdr_contract.ts";

function onPath(name: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      const info = Deno.statSync(join(dir, name));
      if (info.isFile && (info.mode ?? 0o111) & 0o111) return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

const HERDR = onPath("herdr");

/** A headless herdr server in a throwaway configuration. */
async function startRealHerdr(binary: string) {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-realherdr-" });
  const config = join(dir, "config");
  const runtime = join(dir, "runtime");
  await Deno.mkdir(join(config, "herdr"), { recursive: true });
  await Deno.mkdir(runtime, { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(
    join(config, "herdr", "config.toml"),
    "onboarding = false\n\n[update]\nversion_check = false\nmanifest_check = false\n",
  );
  const socketPath = join(runtime, "herdr.sock");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!k.startsWith("HERDR_")) env[k] = v; // nested launches are refused; never inherit a session
  }
  Object.assign(env, {
    XDG_CONFIG_HOME: config,
    XDG_RUNTIME_DIR: runtime,
    HERDR_SOCKET_PATH: socketPath,
    SHELL: "/bin/sh",
  });
  const child = new Deno.Command(binary, {
    args: ["server"],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const client = new HerdrClient({ socketPath, timeoutMs: 2_000 });
  await eventually("herdr server's socket", () => client.ping().then(() => true, () => false), 20_000);
  return {
    socketPath,
    dir,
    async stop() {
      await client.call("server.stop", {}, "ok").catch(() => {});
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise((r) => setTimeout(r, 5_000)),
      ]);
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        await child.status;
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

if (!HERDR) {
  console.log(
    "SKIP tests/herdr_real_test.ts: herdr is not on PATH, so the contract ran against the fake only",
  );
  Deno.test({ name: "herdr contract, real herdr: skipped (herdr is not on PATH)", ignore: true, fn() {} });
} else {
  for (const c of CONTRACT) {
    Deno.test(`herdr contract, real herdr: ${c.name}`, async () => {
      const server = await startRealHerdr(HERDR);
      const cwd = await Deno.makeTempDir({ prefix: "codexctl-realherdr-cwd-" });
      try {
        const probe = await new HerdrClient({ socketPath: server.socketPath }).ping();
        const target: ContractTarget = {
          socketPath: server.socketPath,
          serverLevel: "herdr",
          replays: probe.protocol < 22,
          cwd,
        };
        const checked = await connectChecked(target);
        await c.run(checked.herdr, target);
        checked.assertValid();
        assert.ok(checked.frames.length > 0);
      } finally {
        await server.stop();
        await Deno.remove(cwd, { recursive: true }).catch(() => {});
      }
    });
  }
}
