import assert from "node:assert/strict";
import { join } from "node:path";
import { claimIdentity, startPrelude } from "../src/driver/start_prelude.ts";
import { Store } from "../src/store/store.ts";
import { runCli } from "./support/cli.ts";
import { writeSession } from "./support/session_record.ts";

Deno.test("start prelude: slug from the task or checked, marker checked or new, --cwd a real directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const got = await startPrelude({ task: "Fix the login page", cwd: dir });
    assert.equal(got.cwd, await Deno.realPath(dir));
    assert.match(got.slug, /^[a-z0-9]+(-[a-z0-9]+){0,2}$/);
    assert.match(got.marker, /^[A-Za-z0-9_-]{6,64}$/);
    const given = await startPrelude({ task: "x", slug: "fix-login", marker: "MY_MARK_1", cwd: dir });
    assert.deepEqual([given.slug, given.marker], ["fix-login", "MY_MARK_1"]);
    const code = (p: Promise<unknown>) => p.then(() => "none", (e) => (e as { code?: string }).code);
    assert.equal(await code(startPrelude({ task: "x", slug: "Bad Slug", cwd: dir })), "BAD_SLUG");
    assert.equal(await code(startPrelude({ task: "x", marker: "no", cwd: dir })), "BAD_MARKER");
    assert.equal(await code(startPrelude({ task: "x", cwd: join(dir, "nope") })), "BAD_CWD");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("claimIdentity: a new id and a label no session on record has", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.chmod(root, 0o700);
    await writeSession(root, {
      session: "cdx-1a2b",
      owner: null,
      rollout_path: null,
      label: "codex-fix-login",
    });
    await writeSession(root, {
      session: "cdx-3c4d",
      owner: null,
      rollout_path: null,
      label: "codex-fix-login-2",
    });
    const store = new Store(root);
    const first = await claimIdentity(store, "fix-login");
    assert.equal(first.label, "codex-fix-login-3");
    assert.match(first.id, /^cdx-[0-9a-f]{4,}$/);
    assert.ok(!["cdx-1a2b", "cdx-3c4d"].includes(first.id));
    assert.equal((await claimIdentity(store, "other")).label, "codex-other");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

for (const via of ["tmux", "exec"]) {
  Deno.test(`start --via ${via} refuses a bad slug, marker or --cwd before anything runs (usage, exit 2)`, async () => {
    const state = await Deno.makeTempDir();
    try {
      const cases: [string[], string][] = [
        [["--slug", "Bad Slug"], "BAD_SLUG"],
        [["--marker", "no"], "BAD_MARKER"],
        [["--cwd", join(state, "nope")], "BAD_CWD"],
      ];
      for (const [flags, code] of cases) {
        const res = await runCli(["start", "--task", "x", "--via", via, ...flags, "--json"], {
          env: { CODEXCTL_HOME: join(state, "home"), PATH: "/nonexistent", HOME: state },
        });
        assert.equal(res.code, 2, res.stdout + res.stderr);
        const error = res.json?.error as { code?: string } | undefined;
        assert.equal(error?.code, code, res.stdout);
      }
      const sessions = await Deno.stat(join(state, "home", "sessions")).then(() => true, () => false);
      assert.ok(!sessions, "no session was recorded");
    } finally {
      await Deno.remove(state, { recursive: true });
    }
  });
}
