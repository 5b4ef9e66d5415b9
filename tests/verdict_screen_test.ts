/**
 * Screen detectors on real Codex TUI screens (both versions), recorded by the fixture recorder.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  composerHolds,
  composerText,
  liveLines,
  looksDone,
  readScreen,
  screenPlan,
  screenQuestions,
} from "../src/verdict/screen.ts";
import { ALL_CODEX_VERSIONS } from "./support/codex_bin.ts";
import { FIXTURES_DIR } from "./support/paths.ts";
import { mockPlan } from "./support/mock_model.ts";

function screen(version: string, scenario: string, label: string): string {
  const dir = join(FIXTURES_DIR, `codex-${version}`, scenario, "tui.screens");
  const file = [...Deno.readDirSync(dir)].map((e) => e.name).find((n) =>
    n.replace(/^\d+-|\.txt$/g, "") === label
  );
  assert.ok(file, `${version}/${scenario}: no ${label} screen`);
  return Deno.readTextFileSync(join(dir, file!));
}

for (const v of ALL_CODEX_VERSIONS) {
  Deno.test(`screen ${v}: the approval dialog with its exact command and reason`, () => {
    const f = readScreen(screen(v, "escalated", "approval"));
    assert.deepEqual(f.approval, {
      kind: "command",
      command: "touch escalated.txt",
      reason: "The mock model needs to write outside the sandbox",
    });
    assert.equal(f.options[0].label, "Yes, proceed (y)");
    assert.equal(f.options[0].recommended, true);
    assert.equal(f.ready, false);
    assert.equal(f.composer, null);
  });

  Deno.test(`screen ${v}: the request_user_input widget with its question and options`, () => {
    const f = readScreen(screen(v, "user_input", "widget"));
    assert.deepEqual(f.widget, { question: "Which color should the widget be?" });
    assert.deepEqual(f.options.slice(0, 2), [{ key: "1", label: "Red (Recommended)", recommended: true }, {
      key: "2",
      label: "Blue",
      recommended: false,
    }]);
    assert.equal(f.working, false, "the widget's 'esc to interrupt' hint is not a working turn");
  });

  Deno.test(`screen ${v}: the plan menu, and the plan read back whole from the screen`, () => {
    const s = screen(v, "plan", "plan-menu");
    const f = readScreen(s);
    assert.equal(f.planMenu, true);
    assert.deepEqual(f.options.map((o) => o.key), ["1", "2", "3"]);
    assert.match(f.options[0].label, /^Yes, implement this plan/);
    assert.equal(screenPlan(s)?.replace(/\n\n/g, "\n"), mockPlan(8).replace(/\n\n/g, "\n"));
  });

  Deno.test(`screen ${v}: the folder-trust dialog`, () => {
    const f = readScreen(screen(v, "trust", "trust-dialog"));
    assert.equal(f.trust, true);
    assert.equal(f.options[0].key, "1");
    assert.equal(f.ready, false);
  });

  Deno.test(`screen ${v}: a working turn; an interrupted one; a failed one`, () => {
    assert.equal(readScreen(screen(v, "interrupt", "working")).working, true);
    const interrupted = readScreen(screen(v, "interrupt", "interrupted"));
    assert.equal(interrupted.working, false);
    assert.equal(interrupted.ready, true);
    assert.equal(readScreen(screen(v, "failure", "done")).working, false);
  });

  Deno.test(`screen ${v}: an idle composer shows only a placeholder; typed text is found`, () => {
    const done = screen(v, "marker", "done");
    assert.equal(readScreen(done).composer, "", "the rotating placeholder is not content");
    assert.equal(readScreen(done).ready, true);
    const lines = done.split("\n");
    const last = lines.findLastIndex((l) => l.startsWith("› "));
    lines[last] = "› please add a cache layer";
    const typed = lines.join("\n");
    assert.equal(composerText(liveLines(typed)), "please add a cache layer");
    assert.equal(composerHolds(liveLines(typed), "Please add a cache layer to the service"), true);
    assert.equal(composerHolds(liveLines(done), "Please add a cache layer"), false);
  });

  Deno.test(`screen ${v}: a free-text question at the end of a turn; the composer placeholder is not one`, () => {
    const q = screenQuestions(liveLines(screen(v, "question", "question")));
    assert.deepEqual(q, [
      "Before I continue I need a decision. Which database should I use for the cache: SQLite or Postgres?",
    ]);
    assert.deepEqual(
      screenQuestions(liveLines("› What does this repo do?\n  mock-model default · /tmp/x")),
      [],
    );
  });
}

Deno.test("looks-done prose counts past tense, not intent", () => {
  assert.equal(looksDone(["• I created the file and verified it."]), true);
  assert.equal(looksDone(["• I'll create the file next."]), false);
  assert.equal(looksDone(["• Let me run the tests", "• Then I will have verified it"]), false);
});

Deno.test("a stale menu in scrollback is ignored: only the last 24 lines count", () => {
  const menu = screen("0.169.0", "plan", "plan-menu");
  const scrolled = menu + "\n" + Array.from({ length: 30 }, (_, i) => `  line ${i}`).join("\n") +
    "\n› \n  mock-model default · /tmp/x";
  assert.equal(readScreen(scrolled).planMenu, false);
});
