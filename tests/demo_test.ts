import assert from "node:assert/strict";
import { REPO_ROOT } from "./support/paths.ts";

Deno.test("the README's demo drives a real Codex offline and reports the file it created and the marker", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO_ROOT}/scripts/demo.ts`],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, text + new TextDecoder().decode(out.stderr));
  assert.match(text, /thread started {6}[0-9a-f-]{36}/);
  assert.match(text, /hello\.txt {11}"hello from codex\\n"/);
  assert.match(text, /marker CDX_DONE_[0-9A-F]{6} printed/);
  assert.match(text, /model requests {6}2 \(shell, message\)/);
  // a new watch of the finished thread stops at once; re-armed, it follows the resumed turn
  assert.match(text, /snapshot {9}completed\/marker_verified/);
  assert.match(text, /ended {12}completed\/marker_verified {10}watch ended: the thread is already completed/);
  assert.match(text, /turn_started {5}working\/working/);
  assert.match(text, /turn_completed {3}completed\/marker_verified {10}Counted the bytes of hello\.txt\./);
  assert.match(text, /ended {12}completed\/marker_verified/);
  assert.match(text, /turns 2, model mock-model/);
  // the pane driver loop in tmux: start → question → reply → completed → end
  assert.match(text, /awaiting_clarification\/free_text_question — Codex asks: .*SQLite or Postgres/);
  assert.match(text, /next: codexctl reply --session cdx-[0-9a-f]{4} --text "<answer>"/);
  assert.match(
    text,
    /completed\/marker_verified — Codex finished and printed the marker: Understood: Use SQLite/,
  );
  assert.match(text, /ended\/cleaned_up — Session ended: pane closed, state deleted\./);
  // the headless driver: start --via exec --no-wait → await → send (exec resume) → end
  assert.match(text, /\$ codexctl start --via exec .* --no-wait\n {4}working\/no_wait — Codex runs headless/);
  assert.match(text, /\$ codexctl await --session (cdx-[0-9a-f]{4})\n {4}completed\/marker_verified/);
  assert.match(
    text,
    /final_message: "Done\. The tool said: README\.md|final_message: "Done\. The tool said: hello\.txt/,
  );
  assert.match(text, /run 2 on thread [0-9a-f-]{36} \(codex exec resume\), exit \{"code":0,"signal":null\}/);
  assert.match(text, /\$ codexctl end --session cdx-[0-9a-f]{4}\n {4}ended\/cleaned_up/);
  assert.ok(!text.includes("\x1b["), "NO_COLOR is honoured");
});
