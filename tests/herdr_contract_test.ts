/**
 * The herdr contract (tests/support/herdr_contract.ts) against the fake herdr in every flavor:
 * 0.8 (protocol 20, replaying subscriptions), 0.9 (protocol 22, no replay) and legacy 0.6
 * (positional ids that renumber). Both sides are schema-checked: the client's observer checks
 * every frame it sends and receives, and the fake refuses to stop cleanly if it ever sent an
 * invalid frame or received a request with undeclared properties.
 */
import assert from "node:assert/strict";
import { connectChecked, CONTRACT, type ContractTarget } from "./support/herdr_contract.ts";
import { withFakeHerdr } from "./support/fake_herdr.ts";
import type { FakeFlavor } from "./support/fake_herdr_model.ts";

const FLAVORS: readonly FakeFlavor[] = ["0.8", "0.9", "0.6"];

for (const flavor of FLAVORS) {
  for (const c of CONTRACT) {
    Deno.test(`herdr contract, fake ${flavor}: ${c.name}`, async () => {
      const cwd = await Deno.makeTempDir({ prefix: "codexctl-contract-" });
      try {
        await withFakeHerdr({ flavor }, async (fake) => {
          const target: ContractTarget = {
            socketPath: fake.socketPath,
            serverLevel: "strict",
            replays: flavor === "0.8",
            cwd,
          };
          const checked = await connectChecked(target);
          assert.equal(checked.herdr.server.flavor, flavor === "0.6" ? "legacy" : "current");
          await c.run(checked.herdr, target);
          checked.assertValid();
          assert.deepEqual(fake.clientViolations, [], "every request carried only declared properties");
          assert.deepEqual(fake.rejected, [], "the fake rejected no request of the client");
        });
      } finally {
        await Deno.remove(cwd, { recursive: true }).catch(() => {});
      }
    });
  }
}
