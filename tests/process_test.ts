/**
 * Process liveness by identity (pid + start time from `ps`) and finding the Codex binary
 * (CODEXCTL_CODEX, PATH, the IDE extensions' bundled binary), on real processes and real files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  descendants,
  identify,
  lookProcess,
  lstartMs,
  parsePsLine,
  parsePsTree,
  processAlive,
  type ProcessIdentity,
  signalGroup,
} from "../src/substrate/process.ts";
import { codexVersion, compareVersions, extensionCodex, findCodex } from "../src/codex/find.ts";
import { CODEX_VERSIONS, codexInstall } from "./support/codex_bin.ts";

Deno.test("ps lines: stat and start time parsed; anything else refused", () => {
  assert.deepEqual(parsePsLine("Ss   Sat Dec  5 16:55:27 2026"), {
    stat: "Ss",
    start: "Sat Dec 5 16:55:27 2026",
  });
  assert.deepEqual(parsePsLine("Z+ Mon Jan 12 03:04:05 2026\n"), {
    stat: "Z+",
    start: "Mon Jan 12 03:04:05 2026",
  });
  assert.equal(parsePsLine(""), null);
  assert.equal(parsePsLine("S 12:01"), null);
  assert.equal(parsePsLine("S Sat Dec 5"), null);
  const ms = lstartMs("Sat Dec 5 16:55:27 2026");
  assert.equal(new Date(ms!).getFullYear(), 2026);
  assert.equal(new Date(ms!).getMonth(), 11);
  assert.equal(new Date(ms!).getSeconds(), 27);
  assert.equal(lstartMs("garbage"), null);
});

Deno.test("liveness: the same pid with another start time is not the process (a reused pid)", async () => {
  const child = new Deno.Command("sleep", { args: ["30"], stdin: "null", stdout: "null", stderr: "null" })
    .spawn();
  try {
    const id = await identify(child.pid);
    assert.ok(id.start, "ps tells the start time");
    assert.equal(await processAlive(id), true);
    assert.equal(await processAlive({ pid: child.pid, start: null }), true, "unknown start: pid alone");
    assert.equal(
      await processAlive({ pid: child.pid, start: "Mon Jan 1 00:00:00 2001" }),
      false,
      "a process that started at another time is someone else",
    );
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  assert.equal(await processAlive({ pid: child.pid, start: null }), false, "a reaped pid is gone");
});

Deno.test("liveness: a zombie (exited, not reaped) is not alive; checked against /proc", async () => {
  // a shell that leaves its child unreaped for a while: the child is a zombie until the shell exits
  const parent = new Deno.Command("sh", {
    args: ["-c", "sleep 0.1 & exec sleep 3"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let zombie: number | null = null;
    const deadline = Date.now() + 3000;
    while (zombie === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      for (const entry of Deno.readDirSync("/proc")) {
        if (!/^\d+$/.test(entry.name)) continue;
        try {
          const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
          const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          if (fields[0] === "Z" && Number(fields[1]) === parent.pid) zombie = Number(entry.name);
        } catch { /* raced */ }
      }
    }
    assert.ok(zombie, "the rig made a zombie");
    const look = await lookProcess(zombie!);
    assert.equal(look.exists, true);
    assert.equal(look.zombie, true);
    assert.equal(await processAlive({ pid: zombie!, start: null }), false);
  } finally {
    parent.kill("SIGKILL");
    await parent.status;
  }
});

Deno.test("signalGroup reaches every process of a detached group", async () => {
  const leader = new Deno.Command("sh", {
    args: ["-c", "sleep 30 & sleep 30 & wait"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  await new Promise((r) => setTimeout(r, 300));
  const members = () => {
    const out: number[] = [];
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(fields[2]) === leader.pid && fields[0] !== "Z") out.push(Number(entry.name));
      } catch { /* raced */ }
    }
    return out;
  };
  assert.equal(members().length, 3, "the shell and its two sleeps");
  assert.equal(signalGroup(leader.pid, "SIGKILL"), true);
  await leader.status;
  const deadline = Date.now() + 3000;
  while (members().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(members(), []);
  assert.equal(signalGroup(1, "SIGKILL"), false, "never pid 1's group");
});

Deno.test("find codex: CODEXCTL_CODEX, then PATH, then the newest IDE extension's binary", async () => {
  const home = await Deno.makeTempDir({ prefix: "codexctl-find-" });
  try {
    const exe = async (path: string) => {
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(path, "#!/bin/sh\necho 'codex-cli 9.9.9'\n");
      await Deno.chmod(path, 0o755);
    };
    const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
    const os = Deno.build.os === "darwin" ? "macos" : "linux";
    const plat = Deno.build.os === "darwin" ? "darwin" : "linux";
    const ext = join(home, ".vscode", "extensions");
    await exe(join(ext, `openai.chatgpt-0.4.19-${plat}-x64`, "bin", `${os}-${arch}`, "codex"));
    await exe(join(ext, `openai.chatgpt-26.506.21252-${plat}-x64`, "bin", `${os}-${arch}`, "codex"));
    await exe(join(ext, "openai.chatgpt-99.0.0-other", "bin", "windows-x86_64", "codex.exe"));
    await Deno.mkdir(join(ext, "someone.else-100.0.0", "bin"), { recursive: true });
    const env = (vars: Record<string, string>) => ({ get: (k: string) => vars[k] });

    const ide = findCodex(env({ HOME: home, PATH: "/nonexistent" }));
    assert.equal(ide?.via, "vscode");
    assert.equal(ide?.extension_version, "26.506.21252", "the newest version with a binary for this machine");
    assert.match(
      ide!.path,
      new RegExp(`openai\\.chatgpt-26\\.506\\.21252-${plat}-x64/bin/${os}-${arch}/codex$`),
    );
    assert.equal(await codexVersion(ide!.path), "9.9.9");

    // vscode-server and cursor are looked at when vscode has none
    const server = await Deno.makeTempDir({ prefix: "codexctl-find-" });
    await exe(join(server, ".cursor", "extensions", "openai.chatgpt-1.2.3", "bin", "codex"));
    assert.equal(findCodex(env({ HOME: server, PATH: "" }))?.via, "cursor");
    await exe(
      join(server, ".vscode-server", "extensions", "openai.chatgpt-1.0.0", "bin", `${os}-${arch}`, "codex"),
    );
    assert.equal(findCodex(env({ HOME: server, PATH: "" }))?.via, "vscode-server");
    await Deno.remove(server, { recursive: true });

    // PATH wins over the extensions
    const bin = join(home, "bin");
    await exe(join(bin, "codex"));
    assert.deepEqual(findCodex(env({ HOME: home, PATH: `/nonexistent:${bin}` })), {
      path: join(bin, "codex"),
      via: "path",
      extension_version: null,
    });
    // CODEXCTL_CODEX wins over everything, as a path or as a name on PATH
    assert.equal(findCodex(env({ HOME: home, PATH: bin, CODEXCTL_CODEX: "/x/y/codex" }))?.path, "/x/y/codex");
    assert.equal(
      findCodex(env({ HOME: home, PATH: bin, CODEXCTL_CODEX: "codex" }))?.path,
      join(bin, "codex"),
    );
    // nothing anywhere
    assert.equal(findCodex(env({ HOME: "/nonexistent", PATH: "/nonexistent" })), null);
    assert.equal(extensionCodex(join(home, "missing")), null);
    assert.ok(compareVersions("26.506.21252", "0.4.19") > 0);
    assert.ok(compareVersions("1.2", "1.2.1") < 0);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("codexVersion reads the real pinned Codex builds", async () => {
  for (const version of [CODEX_VERSIONS.current, CODEX_VERSIONS.legacy]) {
    const install = await codexInstall(version);
    assert.equal(await codexVersion(install.binary), version);
  }
  assert.equal(await codexVersion("/nonexistent/codex"), null);
});

Deno.test("parsePsTree reads pid, parent and start time of every row; descendants finds a child's child", async () => {
  assert.deepEqual(
    parsePsTree("  12     1 Sat Dec  5 16:55:27 2026\n  340    12 Mon Jan 12 03:04:05 2026\n\nbad\n"),
    [
      { pid: 12, ppid: 1, start: "Sat Dec 5 16:55:27 2026" },
      { pid: 340, ppid: 12, start: "Mon Jan 12 03:04:05 2026" },
    ],
  );
  // a shell whose child sleeps in a session of its own: still found below the shell
  const sh = new Deno.Command("sh", {
    args: ["-c", "setsid sleep 30 & wait"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let below: ProcessIdentity[] = [];
    for (let i = 0; i < 50 && !below.length; i++) {
      below = await descendants(sh.pid);
      if (!below.length) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(below.length, 1, JSON.stringify(below));
    assert.equal(await processAlive(below[0]), true, "the identity ps gave is the live process");
    Deno.kill(below[0].pid, "SIGKILL");
  } finally {
    await sh.status;
  }
  assert.deepEqual(await descendants(sh.pid), [], "nothing below a process that is gone");
});
