/**
 * Issue 15 item 15 against the real thing: `start --plan` as the first session of a fresh
 * `CODEX_HOME` (a cold Codex 0.169 TUI in tmux, mock model). Either the task is delivered in Plan
 * mode — its rollout's user message is the task itself, never typed behind a leftover `/plan` — or
 * the caller gets `environment/NOT_DELIVERED` naming the session, and Codex got no task. Never
 * `ok:true` with an undelivered task.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startRig } from "./support/session_rig.ts";

/** The rollouts' text and every user message in them (response items of role user, not the context blocks). */
async function rollouts(codexHome: string): Promise<{ text: string; messages: string[] }> {
  let text = "";
  const messages: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".jsonl")) text += await Deno.readTextFile(path);
    }
  };
  await walk(join(codexHome, "sessions")).catch(() => {});
  for (const line of text.split("\n")) {
    if (!line.includes('"role":"user"')) continue;
    const payload = JSON.parse(line)?.payload;
    if (payload?.type !== "message" || payload.role !== "user") continue;
    for (const c of payload.content ?? []) {
      if (typeof c?.text === "string" && !c.text.startsWith("<")) messages.push(c.text);
    }
  }
  return { text, messages };
}

Deno.test({
  name:
    "[item 15] start --plan as a fresh CODEX_HOME's first session: delivered in Plan mode, or NOT_DELIVERED — never typed behind /plan",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rig = await startRig();
    try {
      const cwd = await rig.repo();
      const r = await rig.cli([
        "start",
        "--task",
        "{{done Planned.}} Plan the cache layer.",
        "--plan",
        "--via",
        "tmux",
        "--cwd",
        cwd,
        "--timeout",
        "90",
      ]);
      const { text, messages } = await rollouts(rig.home.dir);
      assert.ok(
        messages.every((m) => !m.trimStart().startsWith("/plan")),
        `a task typed behind /plan: ${JSON.stringify(messages)}`,
      );
      if (r.json?.ok === true) {
        const result = r.json.result as { delivery: { delivered: boolean }; state: string };
        assert.equal(result.delivery.delivered, true, "ok:true only for a delivered task");
        assert.equal(messages.length, 1, JSON.stringify(messages));
        assert.match(
          messages[0],
          /^\{\{done Planned\.\}\} Plan the cache layer\./,
          "the task itself, first in its message",
        );
        assert.match(text, /"collaboration_mode_kind":"plan"|"mode":"plan"/, "the turn ran in Plan mode");
        const screen = await rig.cli(["status", "--session", String(r.json.session)]);
        assert.equal(screen.code, 0, screen.stdout);
      } else {
        const error = r.json?.error as { class: string; code: string; message: string } | undefined;
        assert.deepEqual([error?.class, error?.code], ["environment", "NOT_DELIVERED"], r.stdout + r.stderr);
        assert.equal(r.code, 3);
        assert.match(String(error?.message), /task was not delivered to session cdx-/);
        assert.deepEqual(messages.filter((m) => m.includes("Plan the cache layer")), [], "Codex got no task");
      }
    } finally {
      await rig.close();
    }
  },
});
