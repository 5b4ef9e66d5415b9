/**
 * The review gate in the real hooks (`codexctl hook stop` / `user-prompt-submit` as processes, as
 * Claude Code runs them) on a real git repository: one block per tree state and kind, never with
 * `stop_hook_active`, never on a failure (told once: the user at once, Claude at its next prompt),
 * silence without the config, outside a repository, or on a broken config (logged).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./support/cli.ts";
import { scratchRepo } from "./support/review_scenarios.ts";
import { readTree } from "../src/review/tree.ts";
import { recordReview, type TreeReview } from "../src/review/store.ts";
import { mergeStop } from "../src/hook/review_stop.ts";

const OWNER = "6a7e0c1d-0000-4000-8000-00000000a7e0";

interface GateRig {
  dir: string;
  repo: string;
  root: string;
  stop(
    extra?: Record<string, unknown>,
    env?: Record<string, string>,
  ): Promise<Record<string, unknown> | null>;
  prompt(): Promise<Record<string, unknown> | null>;
  config(text: string): Promise<void>;
  tree(): Promise<string>;
  log(): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

async function gateRig(): Promise<GateRig> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-gate-hook-" });
  const repo = join(dir, "repo");
  const root = join(dir, "state");
  await scratchRepo(repo);
  await Deno.mkdir(root, { recursive: true });
  const fakeCodex = join(dir, "codex");
  await Deno.writeTextFile(fakeCodex, "#!/bin/sh\nexit 0\n");
  await Deno.chmod(fakeCodex, 0o755);
  const run = async (event: string, input: Record<string, unknown>, env: Record<string, string> = {}) => {
    const r = await runCli(["hook", event], {
      env: {
        CODEXCTL_HOME: root,
        HOME: dir,
        PATH: "/usr/local/bin:/usr/bin:/bin",
        CODEXCTL_CODEX: fakeCodex,
        ...env,
      },
      stdin: JSON.stringify({ session_id: OWNER, cwd: repo, ...input }),
    });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim() ? JSON.parse(r.stdout) : null;
  };
  return {
    dir,
    repo,
    root,
    stop: (extra = {}, env = {}) =>
      run("stop", { hook_event_name: "Stop", stop_hook_active: false, ...extra }, env),
    prompt: () => run("user-prompt-submit", { hook_event_name: "UserPromptSubmit", prompt: "go on" }),
    config: (text) => Deno.writeTextFile(join(root, "config.jsonc"), text),
    async tree() {
      const t = await readTree(repo);
      assert.ok(t.ok);
      return t.tree.hash;
    },
    async log() {
      try {
        return (await Deno.readTextFile(join(root, "logs", "hooks.jsonl"))).split("\n").filter(Boolean).map((
          l,
        ) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

const ON = `{
  // the review gate
  "review_gate": { "enabled": true, "min_priority": "P1" },
}`;

function review(tree: string, over: Partial<TreeReview> = {}): TreeReview {
  return {
    tree,
    at: new Date().toISOString(),
    status: "done",
    session: "cdx-9a9a",
    thread: "t",
    error: null,
    findings: [{ priority: 1, title: "[P1] Handle the empty input", file: "README.md", line: 2 }],
    total: 1,
    ...over,
  };
}

Deno.test("hook: one block per tree state asking for the exact review; none on the re-check; a new state asks again", async () => {
  const g = await gateRig();
  try {
    await Deno.writeTextFile(join(g.repo, "README.md"), "# scratch\nchanged\n");
    assert.equal(await g.stop(), null, "no config: the gate is off");
    await g.config(ON);
    assert.equal(await g.stop({ stop_hook_active: true }), null, "never on stop_hook_active");
    const first = await g.stop();
    assert.equal(first?.decision, "block");
    assert.match(String(first?.reason), /Run `codexctl review --uncommitted`/);
    assert.equal(await g.stop(), null, "the same tree state: never a second time");
    // from a subdirectory: the command names the repository
    await Deno.mkdir(join(g.repo, "src"));
    await Deno.writeTextFile(join(g.repo, "src", "x.js"), "x\n");
    const sub = await runCli(["hook", "stop"], {
      env: { CODEXCTL_HOME: g.root, HOME: g.dir, PATH: "/usr/bin:/bin", CODEXCTL_CODEX: "/bin/true" },
      stdin: JSON.stringify({ session_id: OWNER, cwd: join(g.repo, "src"), hook_event_name: "Stop" }),
    });
    assert.match(String(JSON.parse(sub.stdout).reason), new RegExp(`--uncommitted --cwd ${g.repo}`));
    await Deno.writeTextFile(join(g.repo, "README.md"), "# scratch\nchanged again\n");
    assert.equal((await g.stop())?.decision, "block", "a changed tree is a new state");
    const blocks = (await g.log()).filter((r) => r.review_gate === "block");
    assert.equal(blocks.length, 3);
  } finally {
    await g.cleanup();
  }
});

Deno.test("hook: findings at or above min_priority open for this tree block once more; below it or reviewed clean, none", async () => {
  const g = await gateRig();
  try {
    await g.config(ON);
    await Deno.writeTextFile(join(g.repo, "README.md"), "# scratch\nchanged\n");
    assert.equal((await g.stop())?.decision, "block");
    const tree = await g.tree();
    await recordReview(g.root, g.repo, review(tree));
    const findings = await g.stop();
    assert.equal(findings?.decision, "block");
    assert.match(
      String(findings?.reason),
      /1 open finding at P1 or above:\n- P1 Handle the empty input \(README\.md:2\)/,
    );
    assert.equal(await g.stop(), null, "once");
    // the fix: a new tree, reviewed clean (a P2 is below the minimum)
    await Deno.writeTextFile(join(g.repo, "README.md"), "# scratch\nfixed\n");
    assert.equal((await g.stop())?.decision, "block", "the fixed tree is asked for its own review");
    await recordReview(
      g.root,
      g.repo,
      review(await g.tree(), {
        session: "cdx-9a9b",
        findings: [{ priority: 2, title: "[P2] nit", file: null, line: null }],
      }),
    );
    assert.equal(await g.stop(), null, "Claude is let go");
  } finally {
    await g.cleanup();
  }
});

Deno.test("hook: a failure never blocks — Codex missing, a failed review: the user is told at once, Claude at its next prompt, once", async () => {
  const g = await gateRig();
  try {
    await g.config(ON);
    await Deno.writeTextFile(join(g.repo, "README.md"), "# scratch\nchanged\n");
    const missing = await g.stop({}, { CODEXCTL_CODEX: join(g.dir, "no-codex") });
    assert.equal(missing?.decision, undefined, "no block");
    assert.match(
      String(missing?.systemMessage),
      /Codex cannot run here .*no-codex is not an executable file/,
    );
    assert.equal(await g.stop({}, { CODEXCTL_CODEX: join(g.dir, "no-codex") }), null, "told once");
    const note = await g.prompt();
    assert.match(
      String((note?.hookSpecificOutput as Record<string, unknown>)?.additionalContext),
      /codexctl review gate: Codex cannot run here/,
    );
    assert.equal((note?.hookSpecificOutput as Record<string, unknown>)?.hookEventName, "UserPromptSubmit");
    assert.equal(await g.prompt(), null, "the note is told once");
    // a review of this tree that failed
    await Deno.writeTextFile(join(g.repo, "README.md"), "# scratch\nother\n");
    await recordReview(
      g.root,
      g.repo,
      review(await g.tree(), {
        status: "failed",
        error: "Codex exited with status 1",
        findings: [],
        total: 0,
      }),
    );
    const failed = await g.stop();
    assert.equal(failed?.decision, undefined);
    assert.match(
      String(failed?.systemMessage),
      /the review of this working tree failed \(Codex exited with status 1\)/,
    );
    assert.equal(await g.stop(), null);
  } finally {
    await g.cleanup();
  }
});

Deno.test("hook: silent outside a repository, on a clean tree, and on a broken config (logged)", async () => {
  const g = await gateRig();
  try {
    await g.config(ON);
    assert.equal(await g.stop(), null, "a clean tree");
    assert.equal(await g.stop({ cwd: g.dir }), null, "not a repository");
    await g.config(`{"review_gate": {"enabled": true, "min_priority": "P9"}}`);
    await Deno.writeTextFile(join(g.repo, "README.md"), "# scratch\nchanged\n");
    assert.equal(await g.stop(), null);
    assert.ok(
      (await g.log()).some((r) => r.review_gate === "config" && /min_priority/.test(String(r.error))),
    );
    await g.config(`{"review_gate": {"enabled": false}}`);
    assert.equal(await g.stop(), null);
  } finally {
    await g.cleanup();
  }
});

Deno.test("the gate's answer merges into the Stop's own: both reasons, or a message added", () => {
  const block = { action: "block" as const, kind: "review" as const, reason: "review it" };
  assert.deepEqual(JSON.parse(mergeStop(null, block)!), { decision: "block", reason: "review it" });
  assert.deepEqual(JSON.parse(mergeStop(JSON.stringify({ decision: "block", reason: "sessions" }), block)!), {
    decision: "block",
    reason: "sessions\n\nreview it",
  });
  const tell = { action: "tell" as const, kind: "failure" as const, message: "gate failed" };
  assert.deepEqual(JSON.parse(mergeStop(JSON.stringify({ decision: "block", reason: "s" }), tell)!), {
    decision: "block",
    reason: "s",
    systemMessage: "gate failed",
  });
  assert.equal(mergeStop("not json", block), "not json");
  assert.equal(mergeStop("x", null), "x");
});
