/**
 * The Claude Code plugin at the repository root: Claude Code's own validator (the pinned real
 * build, strict, with the plugin directory's profile), the project lint for what that validator misses, the version tracking deno.json,
 * the skill's frontmatter, and the launcher's decision order.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { claudeInstall } from "./support/claude_bin.ts";
import { REPO_ROOT } from "./support/paths.ts";
import { lintPlugin, skillFrontmatter } from "./support/plugin_lint.ts";

const readJson = (path: string) => JSON.parse(Deno.readTextFileSync(join(REPO_ROOT, path)));

async function validate(target: string): Promise<{ code: number; report: Record<string, unknown> }> {
  const claude = await claudeInstall();
  const out = await new Deno.Command(claude.binary, {
    args: ["plugin", "validate", target, "--strict", "--profile", "directory", "--json"],
    cwd: REPO_ROOT,
    env: { HOME: await Deno.makeTempDir({ prefix: "codexctl-validate-" }), DISABLE_AUTOUPDATER: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  try {
    return { code: out.code, report: JSON.parse(text) };
  } catch {
    throw new Error(
      `claude plugin validate printed no JSON (exit ${out.code}): ${text}\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
}

/** A throwaway copy of the plugin files, to break on purpose. */
async function pluginCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-plugin-" });
  for (
    const path of [
      ".claude-plugin/plugin.json",
      "hooks/hooks.json",
      "bin/codexctl",
      "skills/codexctl/SKILL.md",
    ]
  ) {
    await Deno.mkdir(join(dir, path, ".."), { recursive: true });
    await Deno.copyFile(join(REPO_ROOT, path), join(dir, path));
  }
  await Deno.chmod(join(dir, "bin", "codexctl"), 0o755);
  return dir;
}

Deno.test("plugin.json and the marketplace entry carry deno.json's version; names are codexctl", () => {
  const version = readJson("deno.json").version;
  const plugin = readJson(".claude-plugin/plugin.json");
  const market = readJson(".claude-plugin/marketplace.json");
  assert.equal(plugin.name, "codexctl");
  assert.equal(plugin.version, version, "bump .claude-plugin/plugin.json with deno.json");
  assert.equal(market.plugins.length, 1);
  assert.equal(market.plugins[0].name, "codexctl");
  assert.equal(market.plugins[0].source, "./");
  assert.equal(market.plugins[0].version, version, "bump .claude-plugin/marketplace.json with deno.json");
});

Deno.test("claude plugin validate --strict --profile directory --json passes on the repository and on plugin.json", async () => {
  for (const target of [".", ".claude-plugin/plugin.json"]) {
    const { code, report } = await validate(target);
    const manifest = report.manifest as { errors: unknown[]; warnings: unknown[] };
    assert.equal(code, 0, JSON.stringify({ manifest, directory: report.directory }));
    assert.equal(report.success, true);
    assert.deepEqual(manifest.errors, []);
    assert.deepEqual(manifest.warnings, []);
    const directory = report.directory as Record<string, unknown>;
    assert.equal(directory.profile, "directory");
    assert.deepEqual(directory.findings, [], "the plugin directory would take this plugin");
    assert.deepEqual(directory.undecided, []);
    assert.equal(directory.incomplete, false);
    assert.equal(directory.failure, null);
    const provides = report.provides as Record<string, unknown[]>;
    assert.deepEqual(
      (provides.hooks as { event: string; args: string[] }[]).map((h) => `${h.event}:${h.args.join(" ")}`),
      [
        "SessionStart:hook session-start",
        "UserPromptSubmit:hook user-prompt-submit",
        "PostToolUse:hook post-tool-use",
        "Stop:hook stop",
        "Stop:hook wake",
      ],
    );
    assert.deepEqual(provides.monitors, [{
      name: "codex-fleet",
      command: '"${CLAUDE_PLUGIN_ROOT}/bin/codexctl" watch --all --mine --timeout 0',
    }]);
    assert.deepEqual(provides.skills, ["codexctl:codexctl"]);
    assert.deepEqual(provides.bin, ["codexctl"]);
  }
});

Deno.test("claude plugin validate is live: it fails a plugin with an unknown hook event", async () => {
  const dir = await pluginCopy();
  try {
    const hooks = JSON.parse(await Deno.readTextFile(join(dir, "hooks", "hooks.json")));
    hooks.hooks.PostToolUsee = hooks.hooks.PostToolUse;
    await Deno.writeTextFile(join(dir, "hooks", "hooks.json"), JSON.stringify(hooks));
    const { code, report } = await validate(dir);
    assert.notEqual(code, 0);
    assert.equal(report.success, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the directory profile is live: without a licence it refuses, without an icon it warns (strict: fails)", async () => {
  const dir = await pluginCopy();
  try {
    const manifest = join(dir, ".claude-plugin", "plugin.json");
    const plugin = JSON.parse(await Deno.readTextFile(manifest));
    assert.equal(plugin.license, "MIT");
    assert.match(
      await Deno.readTextFile(join(REPO_ROOT, "LICENSE")),
      /^MIT License\n\nCopyright \(c\) 2026 codexctl contributors\n/,
    );
    delete plugin.license;
    await Deno.writeTextFile(manifest, JSON.stringify(plugin));
    await Deno.copyFile(join(REPO_ROOT, "README.md"), join(dir, "README.md"));
    const bare = await validate(dir);
    assert.notEqual(bare.code, 0);
    const codes = (bare.report.directory as { findings: { code: string }[] }).findings.map((f) => f.code)
      .sort();
    assert.deepEqual(codes, ["ICON_MISSING", "LICENSE_MISSING"]);
    await Deno.copyFile(join(REPO_ROOT, "LICENSE"), join(dir, "LICENSE"));
    const noIcon = await validate(dir);
    assert.notEqual(noIcon.code, 0, "strict: a warning fails");
    assert.deepEqual(
      (noIcon.report.directory as { findings: { code: string }[] }).findings.map((f) => f.code),
      ["ICON_MISSING"],
    );
    await Deno.copyFile(
      join(REPO_ROOT, ".claude-plugin", "icon.png"),
      join(dir, ".claude-plugin", "icon.png"),
    );
    const whole = await validate(dir);
    assert.equal(whole.code, 0, JSON.stringify(whole.report.directory));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("project lint: exec form, small explicit timeouts, known keys, no matcher where none is taken, executable launcher", () => {
  assert.deepEqual(lintPlugin(REPO_ROOT), []);
  const hooks = readJson("hooks/hooks.json");
  for (const [event, groups] of Object.entries(hooks.hooks) as [string, { hooks: unknown[] }[]][]) {
    for (const group of groups) {
      assert.ok(!("matcher" in group), `${event} needs no matcher: every tool, every source`);
    }
  }
});

Deno.test("project lint catches what the validator misses", async () => {
  const dir = await pluginCopy();
  try {
    const file = join(dir, "hooks", "hooks.json");
    const good = await Deno.readTextFile(file);
    const mutate = async (fn: (h: { hooks: Record<string, Record<string, unknown>[]> }) => void) => {
      const h = JSON.parse(good);
      fn(h);
      await Deno.writeTextFile(file, JSON.stringify(h));
      return lintPlugin(dir);
    };
    const handler = (h: { hooks: Record<string, Record<string, unknown>[]> }, event: string) =>
      (h.hooks[event][0].hooks as Record<string, unknown>[])[0];
    assert.match((await mutate((h) => handler(h, "Stop").timeoutt = 5)).join("\n"), /unknown key "timeoutt"/);
    assert.match((await mutate((h) => h.hooks.Stop[0].matcher = "*")).join("\n"), /Stop takes no matcher/);
    assert.match(
      (await mutate((h) => delete handler(h, "PostToolUse").args)).join("\n"),
      /not the exec form/,
    );
    assert.match(
      (await mutate((h) => delete handler(h, "SessionStart").timeout)).join("\n"),
      /no explicit timeout/,
    );
    assert.match(
      (await mutate((h) => handler(h, "Stop").timeout = 10000)).join("\n"),
      /timeout 10000 is not a small number of seconds/,
    );
    assert.match((await mutate((h) => handler(h, "Stop").if = "Bash(x)")).join("\n"), /"if" on Stop/);
    const wake = (h: { hooks: Record<string, Record<string, unknown>[]> }) =>
      (h.hooks.Stop[0].hooks as Record<string, unknown>[]).find((x) => x.asyncRewake === true)!;
    assert.deepEqual(await mutate(() => {}), [], "the wake-up's long timeout is fine in the background");
    assert.match(
      (await mutate((h) => wake(h).async = true)).join("\n"),
      /"async": true \(use "asyncRewake" alone/,
    );
    assert.match(
      (await mutate((h) => wake(h).timeout = 86400)).join("\n"),
      /timeout 86400 is not a bounded number of seconds/,
    );
    assert.match(
      (await mutate((h) => delete wake(h).asyncRewake)).join("\n"),
      /timeout 3600 is not a small number of seconds/,
    );
    assert.match(
      (await mutate((h) => handler(h, "Stop").command = "${CLAUDE_PLUGIN_ROOT}/bin/nope")).join("\n"),
      /bin\/nope is missing/,
    );
    await Deno.writeTextFile(file, good);
    await Deno.chmod(join(dir, "bin", "codexctl"), 0o644);
    const problems = lintPlugin(dir);
    assert.ok(
      problems.some((p) => /bin\/codexctl is missing or not executable/.test(p)),
      problems.join("\n"),
    );
    assert.ok(problems.some((p) => /^bin\/codexctl: not executable/.test(p)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("skill: frontmatter name matches its directory; the description is short, third person, tag-free", () => {
  const text = Deno.readTextFileSync(join(REPO_ROOT, "skills", "codexctl", "SKILL.md"));
  const fm = skillFrontmatter(text);
  assert.ok(fm, "SKILL.md has frontmatter");
  assert.equal(fm.name, "codexctl");
  assert.ok(fm.description.length > 50 && fm.description.length <= 1024, `${fm.description.length} chars`);
  assert.doesNotMatch(fm.description, /<[a-z]/i);
  assert.match(fm.description, /^Delegates /);
  for (
    const topic of [
      "start",
      "--no-wait",
      "Monitor",
      "result.monitor",
      "next_action",
      "--thread",
      "codex://threads/",
      "end --session",
      "run_in_background",
      "follow",
      "codexctl gate",
      "--wait-free",
      "in sequence",
    ]
  ) {
    assert.ok(text.includes(topic), `the skill teaches ${topic}`);
  }
  assert.ok(text.split("\n").length < 500);
});
