import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { Store } from "../src/store/store.ts";
import { stateRoot } from "../src/store/paths.ts";
import { checkId, isSafeId } from "../src/store/ids.ts";
import { CodexctlError } from "../src/errors.ts";
import { atomicWrite } from "../src/store/atomic.ts";

const WORKER = new URL("./support/store_worker.ts", import.meta.url).pathname;

function env(vars: Record<string, string>) {
  return { get: (k: string) => vars[k] };
}

async function tempRoot(): Promise<string> {
  return join(await Deno.makeTempDir({ prefix: "codexctl-store-" }), "state");
}

function worker(...args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WORKER, ...args],
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("state root: CODEXCTL_HOME, else XDG_STATE_HOME/codexctl, else ~/.local/state/codexctl", () => {
  assert.equal(stateRoot(env({ CODEXCTL_HOME: "/a", XDG_STATE_HOME: "/b", HOME: "/h" })), "/a");
  assert.equal(stateRoot(env({ XDG_STATE_HOME: "/b", HOME: "/h" })), "/b/codexctl");
  assert.equal(stateRoot(env({ HOME: "/h" })), "/h/.local/state/codexctl");
  assert.equal(
    stateRoot(env({ CODEXCTL_HOME: "relative", XDG_STATE_HOME: "also/relative", HOME: "/h" })),
    "/h/.local/state/codexctl",
  );
  assert.throws(
    () => stateRoot(env({})),
    (e) => e instanceof CodexctlError && e.code === "NO_STATE_DIR" && e.exitCode === 3,
  );
});

Deno.test("ids that could escape the state dir are usage errors (exit 2)", () => {
  for (
    const bad of ["../x", "/", "a/b", "x\0y", "", ".", "..", ".hidden", "a..b", "-flag", "x".repeat(129)]
  ) {
    assert.equal(isSafeId(bad), false, JSON.stringify(bad));
    assert.throws(
      () => checkId(bad, "session id"),
      (e) => e instanceof CodexctlError && e.code === "BAD_ID" && e.exitCode === 2,
    );
  }
  for (const good of ["cdx-1a2b", "01a1fee2-5631-7ac1-80da-2f586c6afc12", "a.b_c-d"]) {
    assert.equal(checkId(good), good);
  }
  const store = new Store("/tmp/nowhere");
  assert.throws(
    () => store.recordPath("sessions", "../../etc/passwd"),
    (e) => e instanceof CodexctlError && e.code === "BAD_ID",
  );
});

Deno.test("records round-trip; dirs are 0700 and files 0600; missing reads as null", async () => {
  const root = await tempRoot();
  const store = new Store(root);
  const Schema = z.object({ a: z.number() });
  assert.equal(await store.read("sessions", "cdx-0001", Schema), null);
  await store.write("sessions", "cdx-0001", { a: 1 });
  assert.deepEqual(await store.read("sessions", "cdx-0001", Schema), { a: 1 });
  assert.equal((await Deno.stat(root)).mode! & 0o777, 0o700);
  assert.equal((await Deno.stat(join(root, "sessions"))).mode! & 0o777, 0o700);
  assert.equal((await Deno.stat(store.recordPath("sessions", "cdx-0001"))).mode! & 0o777, 0o600);
  assert.deepEqual(await store.list("sessions"), ["cdx-0001"]);
  await store.remove("sessions", "cdx-0001");
  await store.remove("sessions", "cdx-0001");
  assert.deepEqual(await store.list("sessions"), []);
});

Deno.test("a corrupt record is reported as internal/STATE_CORRUPT naming the file", async () => {
  const store = new Store(await tempRoot());
  await store.write("sessions", "cdx-0002", { a: 1 });
  await Deno.writeTextFile(store.recordPath("sessions", "cdx-0002"), "{not json");
  await assert.rejects(
    () => store.read("sessions", "cdx-0002", z.object({ a: z.number() })),
    (e) => e instanceof CodexctlError && e.code === "STATE_CORRUPT" && e.message.includes("cdx-0002.json"),
  );
});

Deno.test("a crash between write and rename leaves the old record intact", async () => {
  const root = await tempRoot();
  const store = new Store(root);
  await store.write("records", "victim", { version: "old" });
  const out = await worker("crash-before-rename", root).output();
  assert.equal(out.signal, "SIGKILL", "the worker must have died mid-write");
  assert.deepEqual(await store.read("records", "victim", z.object({ version: z.string() })), {
    version: "old",
  });
  const leftovers = [...Deno.readDirSync(join(root, "records"))].map((e) => e.name).filter((n) =>
    n.endsWith(".tmp")
  );
  assert.equal(leftovers.length, 1, "the dead writer's temporary file is still there");
  // an old leftover is swept by the next listing
  const temp = join(root, "records", leftovers[0]);
  await Deno.utime(temp, new Date(0), new Date(0));
  assert.deepEqual(await store.list("records"), ["victim"]);
  assert.equal([...Deno.readDirSync(join(root, "records"))].some((e) => e.name.endsWith(".tmp")), false);
});

Deno.test("20 concurrent writers never produce a torn file", async () => {
  const root = await tempRoot();
  const store = new Store(root);
  await store.write("records", "shared", { worker: "seed", round: 0, payload: "", check: 0 });
  const Record = z.object({ worker: z.string(), round: z.number(), payload: z.string(), check: z.number() });
  const children = Array.from({ length: 20 }, (_, i) => worker("write-loop", root, `w${i}`, "15").spawn());
  let reads = 0;
  let running = true;
  const reader = (async () => {
    while (running) {
      const rec = await store.read("records", "shared", Record);
      assert.ok(rec);
      assert.equal(rec.payload.length, rec.check, "payload length must match what its writer declared");
      if (rec.worker !== "seed") assert.equal(rec.payload, `${rec.worker}:${rec.round}:`.repeat(8000));
      reads++;
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  const results = await Promise.all(children.map((c) => c.output()));
  running = false;
  await reader;
  for (const r of results) assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  assert.ok(reads > 10, `the reader should have raced the writers (reads: ${reads})`);
  const final = await store.read("records", "shared", Record);
  assert.equal(final!.round, 14);
});

Deno.test("the cross-process lock serialises read-modify-write: no lost updates", async () => {
  const root = await tempRoot();
  const children = Array.from({ length: 6 }, () => worker("locked-increment", root, "20").spawn());
  for (const r of await Promise.all(children.map((c) => c.output()))) {
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  }
  const store = new Store(root);
  assert.deepEqual(await store.read("counters", "c", z.object({ n: z.number() })), { n: 120 });
});

Deno.test("a lock held elsewhere times out with environment/LOCK_TIMEOUT, then frees when the holder exits", async () => {
  const root = await tempRoot();
  const holder = worker("hold-lock", root, "1500").spawn();
  const reader = holder.stdout.getReader();
  const { value } = await reader.read();
  assert.match(new TextDecoder().decode(value), /locked/);
  const store = new Store(root);
  await assert.rejects(
    () => store.withLock("held", () => Promise.resolve(1), { timeoutMs: 200 }),
    (e) => e instanceof CodexctlError && e.code === "LOCK_TIMEOUT" && e.exitCode === 3 && e.retryable,
  );
  reader.releaseLock();
  await holder.stdout.cancel();
  await holder.output().catch(() => holder.status);
  assert.equal(await store.withLock("held", () => Promise.resolve(42), { timeoutMs: 5000 }), 42);
});

Deno.test("update() deletes the record when the function returns null", async () => {
  const store = new Store(await tempRoot());
  const S = z.object({ n: z.number() });
  await store.update("counters", "x", S, () => ({ n: 1 }));
  assert.deepEqual(await store.read("counters", "x", S), { n: 1 });
  await store.update("counters", "x", S, () => null);
  assert.equal(await store.read("counters", "x", S), null);
});

Deno.test("appendLog writes one JSON line per record, 0600", async () => {
  const root = await tempRoot();
  const store = new Store(root);
  await store.appendLog("audit", { action: "approve", session: "cdx-1" });
  await store.appendLog("audit", { action: "reject", session: "cdx-2" });
  const path = join(root, "logs", "audit.jsonl");
  const lines = (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.action), ["approve", "reject"]);
  assert.ok(lines.every((l) => typeof l.time === "string"));
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
});

Deno.test("atomicWrite never chmods a directory it did not create; the ones it creates are 0700 (issue 15 item 11)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.chmod(dir, 0o755);
    await atomicWrite(join(dir, "a", "b", "f.json"), "{}");
    assert.equal((await Deno.stat(dir)).mode! & 0o7777, 0o755, "an existing directory keeps its mode");
    assert.equal((await Deno.stat(join(dir, "a"))).mode! & 0o7777, 0o700);
    assert.equal((await Deno.stat(join(dir, "a", "b"))).mode! & 0o7777, 0o700);
    assert.equal((await Deno.stat(join(dir, "a", "b", "f.json"))).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
