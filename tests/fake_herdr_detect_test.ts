/**
 * The fake herdr's detection rules against the recorded screens of real Codex TUIs (both pinned
 * versions): so the fake calls a real screen what herdr would, and its key encoding matches herdr's
 * vocabulary.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { agentOfProcess, screenState } from "./support/fake_herdr_detect.ts";
import { encodeKey } from "./support/fake_herdr_keys.ts";
import { FIXTURES_DIR } from "./support/paths.ts";

/** Recorded screen → the status herdr's Codex rules give it. */
const EXPECTED: Readonly<Record<string, "idle" | "working" | "blocked">> = {
  "interrupt/01-working": "working",
  "escalated/01-approval": "blocked",
  "user_input/01-widget": "blocked",
  "message/01-ready": "idle",
  "message/02-done": "idle",
  "question/01-question": "idle",
  "plan/01-plan-menu": "idle",
  "trust/01-trust-dialog": "idle",
  "interrupt/02-interrupted": "idle",
  "escalated/02-done": "idle",
  "user_input/02-done": "idle",
  "shell/02-done": "idle",
};

for (const version of ["0.169.0", "0.130.0"]) {
  Deno.test(`detection: recorded Codex ${version} screens get herdr's status (working, blocked, else idle)`, () => {
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const [scenario, screen] = name.split("/");
      const text = Deno.readTextFileSync(
        join(FIXTURES_DIR, `codex-${version}`, scenario, "tui.screens", `${screen}.txt`),
      );
      assert.equal(screenState("codex", text), expected, `${version} ${name}`);
    }
  });
}

Deno.test("detection: Codex's terminal title says working (braille spinner) and blocked (Action Required)", () => {
  const idle = Deno.readTextFileSync(
    join(FIXTURES_DIR, "codex-0.169.0", "message", "tui.screens", "02-done.txt"),
  );
  assert.equal(screenState("codex", idle, "⠸ my-project"), "working");
  assert.equal(screenState("codex", idle, "[ ! ] Action Required | my-project"), "blocked");
  assert.equal(screenState("codex", idle, "my-project"), "idle");
});

Deno.test("detection: rules look only at the bottom of the screen, and match literally like herdr's", () => {
  const screen = [
    "› Explain what 'esc to interrupt)' means and answer [y/n] questions",
    "",
    "• Sure.",
    "",
    "› Ask Codex to do anything",
    "",
    "  mock-model default · /tmp/x",
  ].join("\n");
  assert.equal(screenState("codex", screen), "blocked", "[y/n] near the bottom is herdr's blocked rule");
  const far = [
    "› mention: (1s • esc to interrupt)",
    ...Array(30).fill("• line"),
    "› Ask Codex to do anything",
  ].join("\n");
  assert.equal(screenState("codex", far), "idle", "only the bottom of the screen counts");
});

Deno.test("detection: the foreground process names the agent (argv0, comm, node/bun wrappers, sh -c, HERDR_AGENT)", () => {
  assert.equal(agentOfProcess({ comm: "codex", argv: ["/opt/codex/bin/codex", "--yolo"] }), "codex");
  assert.equal(
    agentOfProcess({ comm: "codex", argv: ["/bin/sh", "/tmp/bin/codex"] }),
    "codex",
    "a script named codex",
  );
  assert.equal(
    agentOfProcess({ comm: "node", argv: ["node", "/usr/lib/node_modules/x/claude.js"] }),
    "claude",
  );
  assert.equal(agentOfProcess({ comm: "bun", argv: ["bun", "--smol", "/x/pi"] }), "pi");
  assert.equal(agentOfProcess({ comm: "sh", argv: ["sh", "-c", "codex --full-auto"] }), "codex");
  assert.equal(
    agentOfProcess({ comm: "bwrap", argv: ["bwrap", "--", "claude"], forced: "claude" }),
    "claude",
  );
  assert.equal(agentOfProcess({ comm: "bash", argv: ["-bash"] }), null);
  assert.equal(agentOfProcess({ comm: "vim", argv: ["vim", "codex.md"] }), null);
});

Deno.test("keys: herdr names encode to tmux keys; 0.6 accepts only its own names", () => {
  assert.deepEqual(encodeKey("Enter", false), ["Enter"]);
  assert.deepEqual(encodeKey("esc", false), ["Escape"]);
  assert.deepEqual(encodeKey("shift+tab", false), ["BTab"]);
  assert.deepEqual(encodeKey("ctrl+c", false), ["C-c"]);
  assert.deepEqual(encodeKey("C-c", false), ["C-c"]);
  assert.deepEqual(encodeKey("alt+x", false), ["M-x"]);
  assert.deepEqual(encodeKey("semicolon", false), ["-l", "--", "\\;"]);
  assert.deepEqual(encodeKey("y", false), ["-l", "--", "y"]);
  assert.equal(encodeKey("Home", false), null);
  assert.equal(encodeKey("PageUp", false), null);
  assert.deepEqual(encodeKey("Esc", true), ["Escape"]);
  assert.equal(encodeKey("Escape", true), null);
  assert.equal(encodeKey("shift+tab", true), null);
  assert.equal(encodeKey("F1", true), null);
});
