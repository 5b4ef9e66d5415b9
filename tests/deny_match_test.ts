/**
 * The deny-rule matcher (src/policy/deny_match.ts over shell_words.ts): every way of running a
 * denied command that a shell accepts is denied — wrappers, quoting, paths, flag spellings,
 * chains, substitutions — and a command that cannot be read with confidence is denied too. Also
 * the other side: commands that do not run the named program are not denied.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type ApprovalPolicy, DEFAULT_POLICY } from "../src/policy/config.ts";
import { denyPrefixMatches, evaluateApproval, matchDeny } from "../src/policy/approval.ts";
import { readShell } from "../src/policy/shell_words.ts";

/** Cases per property: 2 000 (CI); `deno task fuzz` runs 10 000 (CODEXCTL_PROPERTY_RUNS). */
const RUNS = Number(Deno.env.get("CODEXCTL_PROPERTY_RUNS") ?? 2000);

const WT = "/work/repo";

function denyPolicy(...prefixes: string[]): ApprovalPolicy {
  return {
    ...DEFAULT_POLICY,
    autoApprove: true,
    autoApproveSource: "flag",
    rules: [{ action: "deny", commandPrefix: prefixes, name: "no destruction" }],
  };
}

/** [command, deny prefix]: each must be denied. The first block is issue 15's list, verbatim. */
const DENIED: [string, string][] = [
  [`sh -c "rm -rf x"`, "rm -rf"],
  [`bash -lc 'rm -rf x'`, "rm -rf"],
  [`/bin/rm -rf x`, "rm -rf"],
  [`\\rm -rf x`, "rm -rf"],
  [`rm -fr x`, "rm -rf"],
  [`rm -r -f x`, "rm -rf"],
  [`eval "rm -rf x"`, "rm -rf"],
  [`git -C . push`, "git push"],
  // shells and nested shells
  [`zsh -c 'rm -rf x'`, "rm -rf"],
  [`dash -ec 'rm -rf x'`, "rm -rf"],
  [`bash -o pipefail -c 'rm -rf x'`, "rm -rf"],
  [`/usr/bin/env bash -c "cd /tmp && rm -rf x"`, "rm -rf"],
  [`bash -c 'bash -c "rm -rf x"'`, "rm -rf"],
  [`sh -c 'eval "rm -Rf x"'`, "rm -rf"],
  // wrappers
  [`env FOO=1 rm -rf x`, "rm -rf"],
  [`env -i PATH=/bin rm -rf x`, "rm -rf"],
  [`env -u HOME rm -rf x`, "rm -rf"],
  [`env -S 'rm -rf' x`, "rm -rf"],
  [`command rm -rf x`, "rm -rf"],
  [`builtin command rm -rf x`, "rm -rf"],
  [`exec rm -rf x`, "rm -rf"],
  [`exec -a foo rm -rf x`, "rm -rf"],
  [`nice rm -rf x`, "rm -rf"],
  [`nice -n 19 rm -rf x`, "rm -rf"],
  [`nice -10 rm -rf x`, "rm -rf"],
  [`nohup rm -rf x`, "rm -rf"],
  [`timeout 5 rm -rf x`, "rm -rf"],
  [`timeout -s KILL -k 1 5 rm -rf x`, "rm -rf"],
  [`stdbuf -o0 rm -rf x`, "rm -rf"],
  [`stdbuf -o 0 rm -rf x`, "rm -rf"],
  [`setsid -w rm -rf x`, "rm -rf"],
  [`ionice -c 3 rm -rf x`, "rm -rf"],
  [`time rm -rf x`, "rm -rf"],
  [`/usr/bin/time -p rm -rf x`, "rm -rf"],
  [`sudo rm -rf x`, "rm -rf"],
  [`sudo -u root -E rm -rf x`, "rm -rf"],
  [`doas -u root rm -rf x`, "rm -rf"],
  [`su -c 'rm -rf x' root`, "rm -rf"],
  [`xargs rm -rf < list`, "rm -rf"],
  [`find . -name '*.o' | xargs -0 -I{} rm -rf {}`, "rm -rf"],
  [`find . -type d -exec rm -rf {} +`, "rm -rf"],
  [`find . -execdir rm -rf {} \\;`, "rm -rf"],
  [`flock /tmp/lock rm -rf x`, "rm -rf"],
  [`flock /tmp/lock -c 'rm -rf x'`, "rm -rf"],
  [`watch -n 1 rm -rf x`, "rm -rf"],
  [`busybox rm -rf x`, "rm -rf"],
  [`trap 'rm -rf x' EXIT; true`, "rm -rf"],
  [`sudo env nice timeout 3 bash -c "rm -rf x"`, "rm -rf"],
  // the command word: quotes, backslashes, paths
  [`'rm' -rf x`, "rm -rf"],
  [`"rm" -rf x`, "rm -rf"],
  [`r'm' -rf x`, "rm -rf"],
  [`r\\m -rf x`, "rm -rf"],
  [`$'\\x72m' -rf x`, "rm -rf"],
  [`$'\\162m' -rf x`, "rm -rf"],
  [`./rm -rf x`, "rm -rf"],
  [`/usr/bin/../../bin/rm -rf x`, "rm -rf"],
  [`FOO=bar BAZ="a b" rm -rf x`, "rm -rf"],
  // flags in any order, combined, apart, spelled long, abbreviated
  [`rm -Rf x`, "rm -rf"],
  [`rm -f -R x`, "rm -rf"],
  [`rm -v -r -i -f x`, "rm -rf"],
  [`rm --recursive --force x`, "rm -rf"],
  [`rm --force --recursive x`, "rm -rf"],
  [`rm -r --force x`, "rm -rf"],
  [`rm --recur --for x`, "rm -rf"],
  [`rm x -rf`, "rm -rf"],
  [`rm x --recursive -f`, "rm -rf"],
  [`rm -"rf" x`, "rm -rf"],
  [`rm '-r' "-f" x`, "rm -rf"],
  [`git push --force`, "git push -f"],
  [`git push -f origin main`, "git push --force"],
  [`git branch -D topic`, "git branch --delete --force"],
  [`cp -a src dst`, "cp -r"],
  // subcommands behind global options
  [`git --git-dir=.git push origin main`, "git push"],
  [`git --git-dir .git --work-tree . push`, "git push"],
  [`git -c user.name=x -C /repo push --tags`, "git push"],
  [`git --no-pager push`, "git push"],
  // chains, pipelines, groups, subshells, substitutions
  [`cd x && rm -rf y`, "rm -rf"],
  [`ls;rm -rf y`, "rm -rf"],
  [`false || rm -rf y`, "rm -rf"],
  [`sleep 1 & rm -rf y`, "rm -rf"],
  [`ls | rm -rf y`, "rm -rf"],
  [`ls |& rm -rf y`, "rm -rf"],
  [`ls\nrm -rf y`, "rm -rf"],
  [`(rm -rf y)`, "rm -rf"],
  [`(cd /; (rm -rf y))`, "rm -rf"],
  [`{ rm -rf y; }`, "rm -rf"],
  [`if true; then rm -rf y; fi`, "rm -rf"],
  [`for d in a b; do rm -rf y; done`, "rm -rf"],
  [`while true; do rm -rf y; break; done`, "rm -rf"],
  [`f() { rm -rf y; }; f`, "rm -rf"],
  [`! rm -rf y`, "rm -rf"],
  [`echo $(rm -rf y)`, "rm -rf"],
  [`echo "$(rm -rf y)"`, "rm -rf"],
  [`echo \`rm -rf y\``, "rm -rf"],
  [`echo "\`rm -rf y\`"`, "rm -rf"],
  [`echo $(echo $(rm -rf y))`, "rm -rf"],
  [`echo \${X:-$(rm -rf y)}`, "rm -rf"],
  [`cat <(rm -rf y)`, "rm -rf"],
  [`tee >(rm -rf y) < /dev/null`, "rm -rf"],
  [`cat <<EOF\n$(rm -rf y)\nEOF`, "rm -rf"],
  [`rm -rf y 2>/dev/null`, "rm -rf"],
  [`rm -rf y &>/dev/null`, "rm -rf"],
  [`rm -rf y > out 2>&1`, "rm -rf"],
  [`rm -r\\\n -f y`, "rm -rf"],
  // cannot be read with confidence: deny wins
  [`rm -rf 'x`, "rm -rf"],
  [`echo "unterminated`, "rm -rf"],
  [`echo $(rm -rf x`, "rm -rf"],
  [`echo \`rm -rf x`, "rm -rf"],
  [`(echo x`, "rm -rf"],
  [`echo x)`, "rm -rf"],
  [`cat <<EOF\nno end`, "rm -rf"],
  [`X=rm; $X -rf y`, "rm -rf"],
  [`"$X" -rf y`, "rm -rf"],
  [`$(echo rm) -rf y`, "rm -rf"],
  [`\`echo rm\` -rf y`, "rm -rf"],
  [`r* -rf y`, "rm -rf"],
  [`/bin/r? -rf y`, "rm -rf"],
  [`{rm,-rf,y}`, "rm -rf"],
  [`rm $FLAGS y`, "rm -rf"],
  [`rm "$F" y`, "rm -rf"],
  [`rm -{r,f} y`, "rm -rf"],
  [`rm * y`, "rm -rf"],
  [`echo cm0gLXJmIHk= | base64 -d | sh`, "rm -rf"],
  [`bash <<EOF\nrm -rf y\nEOF`, "rm -rf"],
  [`bash <<< 'rm -rf y'`, "rm -rf"],
  [`sh -s < script`, "rm -rf"],
  [`bash -c "$CMD"`, "rm -rf"],
  [`eval "$CMD"`, "rm -rf"],
  [`env $OPTS rm -f y`, "rm -rf"],
  [`sudo -E -H -n -k -S -A -b -P -i -l -v -X -Y -Z -W -Q -J -q rm -rf y`, "rm -rf"],
  ["x".repeat(300 * 1024), "rm -rf"],
  ["echo $(".repeat(40) + "x" + ")".repeat(40), "rm -rf"],
];

/** [command, deny prefix]: none of these runs what the rule names. */
const ALLOWED: [string, string][] = [
  [`rmdir y`, "rm"],
  [`rm -f x`, "rm -rf"],
  [`rm -r x`, "rm -rf"],
  [`echo rm -rf x`, "rm -rf"],
  [`echo 'rm -rf x'`, "rm -rf"],
  [`printf '%s' "rm -rf x"`, "rm -rf"],
  [`grep -r "rm -rf" .`, "rm -rf"],
  [`cat <<'EOF'\n$(rm -rf x)\nEOF`, "rm -rf"],
  [`cat > notes.md <<'EOF'\nrun: rm -rf build/\nEOF`, "rm -rf"],
  [`git status`, "git push"],
  [`git pull --rebase`, "git push"],
  [`git log --oneline`, "git push origin"],
  [`[ -f x ] && echo ok`, "rm -rf"],
  [`test -d build || mkdir build`, "rm -rf"],
  [`bash ./scripts/build.sh`, "rm -rf"],
  [`bash -c 'deno test -A'`, "rm -rf"],
  [`rm -f build.log`, "rm -rf"],
  [`rm -f x*`, "rm -rf"],
  [`deno test -A tests/`, "rm -rf"],
  [`curl -s 'http://127.0.0.1:8080/a?b=c'`, "rm -rf"],
  [`for f in a b; do echo $f; done`, "rm -rf"],
  [`ls -la | head -5`, "rm -rf"],
  [`python3 -c 'print(1)'`, "rm -rf"],
  [`env FOO=1 deno task test`, "rm -rf"],
  [`timeout 5 deno test`, "rm -rf"],
  [`sudo apt-get install -y tmux`, "rm -rf"],
  [`find . -name '*.o' -print`, "rm -rf"],
  [`git push`, "git push --force"],
  [`git push origin main`, "git push -f"],
];

Deno.test("deny: issue 15's bypasses and every other way a shell runs the command are denied", () => {
  const missed = DENIED.filter(([command, prefix]) => !denyPrefixMatches(command, prefix));
  assert.deepEqual(missed, [], "these commands slipped past their deny rule");
  for (const [command, prefix] of DENIED) {
    const decision = evaluateApproval(denyPolicy(prefix), { kind: "command", command, cwd: WT }, {
      worktree: WT,
    });
    assert.equal(decision.action, "reject", command);
    assert.match(decision.rule, /deny/);
  }
});

Deno.test("deny: commands that do not run what the rule names are not denied", () => {
  const wrong = ALLOWED.filter(([command, prefix]) => denyPrefixMatches(command, prefix));
  assert.deepEqual(
    wrong.map(([c, p]) => [c, p, matchDeny(c, p)?.detail]),
    [],
    "these commands were denied without running the named program",
  );
});

Deno.test("deny: the match says whether the command runs it or could not be read", () => {
  assert.equal(matchDeny(`bash -lc 'rm -rf x'`, "rm -rf")?.how, "runs");
  assert.match(matchDeny(`bash -lc 'rm -rf x'`, "rm -rf")!.detail, /runs rm -rf x/);
  assert.equal(matchDeny(`rm -rf 'x`, "rm -rf")?.how, "uncertain");
  assert.match(matchDeny(`rm -rf 'x`, "rm -rf")!.detail, /single quote is never closed/);
  assert.equal(
    matchDeny(`$X -rf y`, "git push")?.how,
    "uncertain",
    "an unknown command word may be anything",
  );
  assert.equal(matchDeny(`rm -f x`, "rm -rf"), null);
});

Deno.test("shell words: quotes, escapes, ANSI-C strings, assignments and redirections read as a shell reads them", () => {
  const words = (s: string) => readShell(s).commands.map((c) => c.words.map((w) => w.text));
  assert.deepEqual(words(`a 'b c' "d \\"e\\"" f\\ g $'h\\ti'`), [["a", "b c", 'd "e"', "f g", "h\ti"]]);
  assert.deepEqual(words(`X=1 Y="2 3" cmd arg 2>/dev/null >out <in`), [["cmd", "arg"]]);
  assert.deepEqual(words(`a && b || c; d | e & f`), [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]]);
  assert.deepEqual(words(`a # comment ; rm -rf x\nb`), [["a"], ["b"]]);
  assert.deepEqual(words(`echo $(inner one) "$(inner two)"`), [["inner", "one"], ["inner", "two"], [
    "echo",
    "$(…)",
    "$(…)",
  ]]);
  const dyn = readShell(`echo $X "$Y" '$Z' *.txt x*`).commands[0].words;
  assert.deepEqual(dyn.map((w) => [w.text, w.dynamic, w.glob]), [
    ["echo", false, null],
    ["$…", true, null],
    ["$…", true, null],
    ["$Z", false, null],
    ["*.txt", false, "leading"],
    ["x*", false, "inner"],
  ]);
  assert.equal(readShell(`echo 'open`).confident, false);
  assert.equal(readShell(`[ -f x ]`).confident, true);
  assert.equal(
    readShell(`[ -f x ]`).commands[0].words[0].glob,
    null,
    "a lone [ is the test command, not a glob",
  );
});

const flagWord = fc.constantFrom("-r", "-f", "-R", "--recursive", "--force", "-rf", "-fr", "-Rf", "-fR");
const anyArg = fc.stringMatching(/^[a-z][a-z0-9._/-]{0,8}$/);

/** Quotes one word in one of the ways a shell reads back unchanged. */
function quoteAs(word: string, style: number): string {
  switch (style % 5) {
    case 0:
      return word;
    case 1:
      return `'${word}'`;
    case 2:
      return `"${word}"`;
    case 3:
      return word.split("").map((c) => /[a-z]/.test(c) ? `\\${c}` : c).join("");
    default:
      return `$'${word}'`;
  }
}

/** Wrappers that run a program (not a shell construct): they take a simple command. */
const PROGRAM_WRAPPERS = new Set([4, 5, 6, 7, 12]);

/** Puts a command inside a wrapper or a shell construct (`simple`: `command` is one simple command). */
function wrapIn(command: string, how: number, simple: boolean): string {
  const single = `'${command.replaceAll("'", `'\\''`)}'`;
  if (!simple && PROGRAM_WRAPPERS.has(how % 14)) command = `bash -c ${single}`;
  switch (how % 14) {
    case 0:
      return command;
    case 1:
      return `sh -c ${single}`;
    case 2:
      return `bash -lc ${single}`;
    case 3:
      return `eval ${single}`;
    case 4:
      return `env A=1 ${command}`;
    case 5:
      return `nice -n 5 ${command}`;
    case 6:
      return `timeout 30 ${command}`;
    case 7:
      return `command ${command}`;
    case 8:
      return `(${command})`;
    case 9:
      return `echo "$(${command})"`;
    case 10:
      return `true && ${command}`;
    case 11:
      return `ls | ${command}`;
    case 12:
      return `sudo -u root ${command}`;
    default:
      return `{ ${command}; }`;
  }
}

Deno.test("property: rm with -r and -f in any spelling, quoting, path and wrapping is denied by `rm -rf`", () => {
  fc.assert(
    fc.property(
      fc.array(flagWord, { minLength: 1, maxLength: 3 }),
      fc.array(anyArg, { maxLength: 3 }),
      fc.constantFrom("rm", "/bin/rm", "/usr/bin/rm", "\\rm"),
      fc.nat(),
      fc.array(fc.nat({ max: 13 }), { maxLength: 3 }),
      (flags, args, argv0, style, wrappers) => {
        // the flags must add up to both -r and -f
        const short = flags.filter((f) => /^-[a-zA-Z]+$/.test(f)).join("");
        const hasR = /[rR]/.test(short) || flags.includes("--recursive");
        const hasF = short.includes("f") || flags.includes("--force");
        const needed = [...flags, ...(hasR ? [] : ["-r"]), ...(hasF ? [] : ["--force"])];
        const words = [argv0, ...needed, ...args].map((w, i) =>
          i === 0 && w.startsWith("\\") ? w : quoteAs(w, style + i)
        );
        let command = words.join(" ");
        let simple = true;
        for (const how of wrappers) {
          command = wrapIn(command, how, simple);
          simple = PROGRAM_WRAPPERS.has(how % 14) || [0, 1, 2, 3, 7].includes(how % 14) && simple;
        }
        assert.ok(denyPrefixMatches(command, "rm -rf"), command);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("property: a command made unreadable by a cut is denied, never read as harmless", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(
        `sh -c 'rm -rf x'`,
        `echo "$(rm -rf x)"`,
        `echo \`rm -rf x\``,
        `(rm -rf x)`,
        `cat <<EOF\nx\nEOF`,
      ),
      fc.nat(),
      (command, at) => {
        const cut = command.slice(0, 1 + (at % (command.length - 1)));
        const reading = readShell(cut);
        if (!reading.confident) assert.ok(denyPrefixMatches(cut, "git push"), cut);
      },
    ),
    { numRuns: Math.ceil(RUNS / 2) },
  );
});
