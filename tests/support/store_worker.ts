/**
 * A child process for store tests: `write-loop` writes a big record repeatedly, `crash-before-rename`
 * dies (SIGKILL) between fsync and rename, `locked-increment` increments a counter under the lock.
 *
 * @module
 */
import { atomicWrite } from "../../src/store/atomic.ts";
import { Store } from "../../src/store/store.ts";
import { z } from "zod";

const [action, root, ...rest] = Deno.args;
const store = new Store(root);

if (action === "write-loop") {
  const [worker, rounds] = [rest[0], Number(rest[1])];
  for (let i = 0; i < rounds; i++) {
    // a large record so a torn write would be visible: payload repeats the writer's identity
    const payload = `${worker}:${i}:`.repeat(8000);
    await store.write("records", "shared", { worker, round: i, payload, check: payload.length });
  }
} else if (action === "crash-before-rename") {
  await atomicWrite(store.recordPath("records", "victim"), JSON.stringify({ version: "new" }), {
    beforeRename: () => Deno.kill(Deno.pid, "SIGKILL"),
  });
} else if (action === "locked-increment") {
  const rounds = Number(rest[0]);
  const Counter = z.object({ n: z.number() });
  for (let i = 0; i < rounds; i++) {
    await store.update("counters", "c", Counter, (cur) => ({ n: (cur?.n ?? 0) + 1 }));
  }
} else if (action === "hold-lock") {
  await store.withLock("held", async () => {
    console.log("locked");
    await new Promise((r) => setTimeout(r, Number(rest[0])));
  });
}
