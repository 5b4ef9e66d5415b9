/**
 * The deny-rule matcher: does a shell command run what a deny rule's words name?
 *
 * A rule's words `NAME [FLAG|WORD]…` (e.g. `rm -rf`, `git push`) match a command when some simple
 * command the shell would run (see `shell_words.ts`: every part of a chain, pipeline, subshell,
 * group, `$(…)`, backticks, process substitution and unquoted here-document) — or the command
 * inside a wrapper (`sh|bash|zsh|dash|ksh -c SCRIPT`, `eval`, `env`, `command`, `builtin`, `exec`,
 * `nice`, `nohup`, `timeout`, `stdbuf`, `setsid`, `ionice`, `time`, `sudo`, `doas`, `su -c`,
 * `xargs`, `flock`, `chroot`, `watch`, `busybox`, `trap`, `find -exec`) —
 *
 * - runs NAME: its command word, after quotes and backslashes are removed, is NAME or a path ending
 *   in `/NAME` (`rm`, `\rm`, `"rm"`, `/bin/rm`, `./rm`);
 * - has every FLAG of the rule, in any order, combined or apart, short or spelled long
 *   (`-rf` = `-fr` = `-r -f` = `-R -f` = `--recursive --force`, long options also abbreviated as
 *   GNU tools accept them); and
 * - has every other WORD of the rule among its arguments, in the rule's order (so `git push`
 *   matches `git -C dir push` and `git --git-dir=x push origin`).
 *
 * Deny wins whenever the command cannot be read with confidence: unbalanced quotes or
 * substitutions, a command word whose value only the shell knows (`$X -rf /`, `$(echo rm)`, a glob
 * or brace expansion), a wrapper whose inner command cannot be told apart, a shell that reads its
 * commands from stdin or a here-document instead of `-c`, or — for a command that runs NAME — an
 * argument whose value only the shell knows (`rm $FLAGS x`: it could be `-rf`). What a program
 * does with its arguments is not seen (a script file, `make`, `python -c`, git aliases).
 *
 * Pure: no I/O.
 *
 * @module
 */
import { readShell, type ShellWord } from "./shell_words.ts";

/** Why a command matches a deny rule. */
export interface DenyMatch {
  /** `runs`: a command runs what the rule names; `uncertain`: the command could not be read with confidence. */
  how: "runs" | "uncertain";
  /** A short explanation for logs and error messages. */
  detail: string;
}

/** A deny rule's words, split into the command name, its flags and its other words. */
interface DenyPattern {
  name: string;
  /** Each required flag as the set of canonical ids that satisfy it, plus its long spelling. */
  flags: { ids: Set<string>; long: string | null }[];
  words: string[];
}

/** Long and short spellings of the same option, per command (canonical id per spelling). */
const ALIASES: Record<string, Record<string, string[]>> = {
  rm: {
    "-r": ["r"],
    "-R": ["r"],
    "--recursive": ["r"],
    "-f": ["f"],
    "--force": ["f"],
    "-d": ["d"],
    "--dir": ["d"],
    "-i": ["i"],
    "--interactive": ["i"],
    "-v": ["v"],
    "--verbose": ["v"],
  },
  cp: {
    "-r": ["r"],
    "-R": ["r"],
    "--recursive": ["r"],
    "-a": ["a", "r"],
    "--archive": ["a", "r"],
    "-f": ["f"],
    "--force": ["f"],
  },
  mv: { "-f": ["f"], "--force": ["f"], "-n": ["n"], "--no-clobber": ["n"] },
  chmod: { "-R": ["r"], "--recursive": ["r"] },
  chown: { "-R": ["r"], "--recursive": ["r"] },
  chgrp: { "-R": ["r"], "--recursive": ["r"] },
  ln: { "-s": ["s"], "--symbolic": ["s"], "-f": ["f"], "--force": ["f"] },
  git: {
    "-f": ["f"],
    "--force": ["f"],
    "-d": ["d"],
    "--delete": ["d"],
    "-D": ["d", "f"],
    "-n": ["n"],
    "--dry-run": ["n"],
    "-x": ["x"],
  },
};

/** Shells that run `-c SCRIPT`, else a script file, else what stdin gives them. */
const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "fish"]);

/** How a wrapper's own options and arguments are laid out before the command it runs. */
interface Wrapper {
  /** Options that take the next word as their value (short `-x` or long `--name`). */
  value?: string[];
  /** Words before the command that are the wrapper's own (timeout's duration, flock's file). */
  positionals?: number;
  /** `NAME=VALUE` words before the command are the wrapper's own (env). */
  assignments?: boolean;
  /** An option whose value is a whole shell command line (`su -c`, `flock -c`). */
  script?: string[];
  /** An option whose value is split into words that start the command (`env -S`). */
  split?: string[];
  /** Options known to take no value. */
  flags?: string[];
}

const WRAPPERS: Record<string, Wrapper> = {
  env: {
    value: ["-u", "--unset", "-C", "--chdir", "--argv0", "-a", "--block-signal", "--default-signal"],
    assignments: true,
    split: ["-S", "--split-string"],
    flags: ["-i", "-0", "-v"],
  },
  command: { flags: ["-p", "-v", "-V"] },
  builtin: {},
  exec: { value: ["-a"], flags: ["-c", "-l"] },
  nice: { value: ["-n", "--adjustment"] },
  nohup: {},
  timeout: { value: ["-s", "--signal", "-k", "--kill-after"], positionals: 1, flags: ["-v"] },
  stdbuf: { value: ["-i", "-o", "-e", "--input", "--output", "--error"] },
  setsid: { flags: ["-c", "-f", "-w"] },
  ionice: {
    value: ["-c", "--class", "-n", "--classdata", "-p", "--pid", "-P", "--pgid", "-u", "--uid"],
    flags: ["-t"],
  },
  time: { value: ["-f", "--format", "-o", "--output"], flags: ["-p", "-v", "-a", "-q"] },
  sudo: {
    value: [
      "-u",
      "--user",
      "-g",
      "--group",
      "-C",
      "--close-from",
      "-D",
      "--chdir",
      "-h",
      "--host",
      "-p",
      "--prompt",
      "-r",
      "--role",
      "-t",
      "--type",
      "-U",
      "--other-user",
      "-T",
      "--command-timeout",
      "-R",
      "--chroot",
    ],
    flags: ["-A", "-b", "-E", "-H", "-i", "-k", "-K", "-n", "-P", "-S", "-s", "-l", "-v", "-V", "-e"],
  },
  doas: { value: ["-u", "-C"], flags: ["-n", "-s", "-L"] },
  su: {
    value: ["-s", "--shell", "-g", "--group", "-G", "--supp-group"],
    script: ["-c", "--command"],
    flags: ["-l", "-m", "-p", "-f", "-P"],
  },
  xargs: {
    value: [
      "-I",
      "-L",
      "-n",
      "-P",
      "-s",
      "-d",
      "-E",
      "-a",
      "--arg-file",
      "--delimiter",
      "--max-args",
      "--max-procs",
      "--max-chars",
      "--max-lines",
      "--replace",
      "--eof",
      "--process-slot-var",
    ],
    flags: ["-0", "-r", "-t", "-p", "-x", "-o"],
  },
  flock: {
    value: ["-w", "--timeout", "-E", "--conflict-exit-code"],
    positionals: 1,
    script: ["-c", "--command"],
    flags: ["-s", "-x", "-u", "-n", "-o", "-e"],
  },
  chroot: { value: ["--userspec", "--groups"], positionals: 1 },
  watch: { value: ["-n", "--interval"], flags: ["-d", "-t", "-b", "-e", "-g", "-c", "-x", "-p", "-w"] },
  busybox: {},
  unbuffer: {},
  chronic: {},
};

/** The longest chain of wrappers and nested scripts followed. */
const MAX_UNWRAP = 16;

class Uncertain extends Error {}

function baseName(word: string): string {
  return word.slice(word.lastIndexOf("/") + 1);
}

function isOption(word: string): boolean {
  return word.length > 1 && word.startsWith("-");
}

/** Canonical ids of one spelled option (`-x` or `--name`) of command `name`. */
function optionIds(name: string, spelled: string): string[] {
  const own = ALIASES[name]?.[spelled];
  if (own) return own;
  return [spelled.startsWith("--") ? spelled : spelled.slice(1)];
}

/** Reads a deny rule's words. */
function readPattern(prefix: string): DenyPattern | null {
  const reading = readShell(prefix);
  const first = reading.confident && reading.commands.length === 1 ? reading.commands[0].words : null;
  const words = first && !first.some((w) => w.dynamic)
    ? first.map((w) => w.text)
    : prefix.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return null;
  const name = baseName(words[0]);
  const pattern: DenyPattern = { name, flags: [], words: [] };
  for (const w of words.slice(1)) {
    if (w.startsWith("--") && w.length > 2) {
      const long = w.includes("=") ? null : w;
      pattern.flags.push({ ids: new Set(long ? optionIds(name, long) : [w]), long });
    } else if (isOption(w)) {
      for (const ch of w.slice(1)) {
        pattern.flags.push({ ids: new Set(optionIds(name, `-${ch}`)), long: null });
      }
    } else {
      pattern.words.push(w);
    }
  }
  return pattern;
}

/** True when `args` (a command's arguments, all static) have every flag and word of `pattern`. */
function argsMatch(pattern: DenyPattern, args: string[]): boolean {
  const ids = new Set<string>();
  const longs: string[] = [];
  const operands: string[] = [];
  const table = ALIASES[pattern.name] ?? {};
  for (const a of args) {
    if (a.startsWith("--") && a.length > 2) {
      const long = a.split("=")[0];
      ids.add(a);
      for (const id of optionIds(pattern.name, long)) ids.add(id);
      // GNU-style abbreviations: --recur is --recursive
      for (const [spelled, canon] of Object.entries(table)) {
        if (spelled.startsWith(long)) { for (const id of canon) ids.add(id); }
      }
      longs.push(long);
    } else if (isOption(a)) {
      ids.add(a);
      for (const ch of a.slice(1)) for (const id of optionIds(pattern.name, `-${ch}`)) ids.add(id);
    } else {
      operands.push(a);
    }
  }
  for (const flag of pattern.flags) {
    const has = [...flag.ids].some((id) => ids.has(id)) ||
      (flag.long !== null && longs.some((l) => l.length > 2 && flag.long!.startsWith(l)));
    if (!has) return false;
  }
  let at = 0;
  for (const op of operands) if (at < pattern.words.length && op === pattern.words[at]) at++;
  return at === pattern.words.length;
}

/** Everything one simple command runs: itself and, through wrappers, the commands inside it. */
function* runs(words: ShellWord[], depth: number): Generator<ShellWord[]> {
  if (depth > MAX_UNWRAP) throw new Uncertain("wrappers nest too deeply");
  if (!words.length) return;
  const head = words[0];
  if (head.dynamic || head.glob) {
    throw new Uncertain(`the command word ${JSON.stringify(head.text)} is only known when it runs`);
  }
  yield words;
  const name = baseName(head.text);
  const rest = words.slice(1);
  if (SHELLS.has(name)) {
    for (const script of shellScripts(rest)) yield* nested(script, depth);
    return;
  }
  if (name === "eval" || name === "trap") {
    const parts = name === "trap" ? rest.filter((w) => !isOption(w.text)).slice(0, 1) : rest;
    if (parts.some((w) => w.dynamic)) throw new Uncertain(`${name} runs text only known when it runs`);
    if (parts.length) yield* nested(parts.map((w) => w.text).join(" "), depth);
    return;
  }
  if (name === "find") {
    for (let i = 0; i < rest.length; i++) {
      if (!/^-(exec|execdir|ok|okdir)$/.test(rest[i].text)) continue;
      const end = rest.findIndex((w, j) => j > i && (w.text === ";" || w.text === "+"));
      yield* runs(rest.slice(i + 1, end === -1 ? rest.length : end), depth + 1);
    }
    return;
  }
  const wrapper = WRAPPERS[name];
  if (!wrapper) return;
  for (const inner of unwrap(name, wrapper, rest)) {
    if (typeof inner === "string") yield* nested(inner, depth);
    else yield* runs(inner, depth + 1);
  }
}

/** The commands of a nested script (`sh -c`, `eval`, `su -c`, `watch`). */
function* nested(script: string, depth: number): Generator<ShellWord[]> {
  const reading = readShell(script);
  if (!reading.confident) throw new Uncertain(`a nested script cannot be read: ${reading.problem}`);
  for (const c of reading.commands) yield* runs(c.words, depth + 1);
}

/** The script texts a shell invocation runs (`-c SCRIPT`); uncertain when it reads stdin. */
function shellScripts(args: ShellWord[]): string[] {
  let command = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.dynamic) throw new Uncertain("a shell's options are only known when it runs");
    const t = a.text;
    if (t === "-" || t === "--") {
      i++;
      return scriptOperand(args, i, command);
    }
    if (/^[-+][oO]$/.test(t) || t === "--rcfile" || t === "--init-file") {
      i++;
      continue;
    }
    if (t.startsWith("--")) continue;
    if (/^[-+]/.test(t) && t.length > 1) {
      if (t.startsWith("-") && t.includes("c")) command = true;
      if (t.startsWith("-") && t.includes("s") && !command) {
        throw new Uncertain("a shell reads its commands from stdin");
      }
      continue;
    }
    return scriptOperand(args, i, command);
  }
  throw new Uncertain(
    command
      ? "a shell's -c has no command text"
      : "a shell reads its commands from stdin, not the command line",
  );
}

function scriptOperand(args: ShellWord[], i: number, command: boolean): string[] {
  const a = args[i];
  if (!a) throw new Uncertain("a shell reads its commands from stdin, not the command line");
  if (!command) return []; // runs a script file: what it does is not seen
  if (a.dynamic) throw new Uncertain("a shell's -c text is only known when it runs");
  return [a.text];
}

/**
 * The commands a wrapper may run, as word lists or script texts. An option the wrapper table does
 * not know may or may not take a value, so both readings are returned.
 */
function unwrap(name: string, wrapper: Wrapper, args: ShellWord[]): (ShellWord[] | string)[] {
  const out: (ShellWord[] | string)[] = [];
  const value = new Set(wrapper.value ?? []);
  const script = new Set(wrapper.script ?? []);
  const split = new Set(wrapper.split ?? []);
  const flags = new Set(wrapper.flags ?? []);
  const walk = (i: number, positionals: number, branches: number) => {
    if (branches > 8) throw new Uncertain(`${name}'s options cannot be told apart`);
    for (; i < args.length; i++) {
      const a = args[i];
      if (a.dynamic) throw new Uncertain(`${name}'s arguments are only known when it runs`);
      const t = a.text;
      if (t === "--") {
        i++;
        break;
      }
      if (name === "nice" && /^-\d+$/.test(t)) continue; // nice -10: the old spelling of -n 10
      if (isOption(t)) {
        const [opt, attached] = t.startsWith("--")
          ? [t.split("=")[0], t.includes("=")]
          : [t.slice(0, 2), t.length > 2];
        if (script.has(opt)) {
          const text = attached
            ? (t.startsWith("--") ? t.slice(t.indexOf("=") + 1) : t.slice(2))
            : args[i + 1]?.text;
          if (!attached && args[i + 1]?.dynamic) {
            throw new Uncertain(`${name} runs text only known when it runs`);
          }
          if (text !== undefined) out.push(text);
          if (!attached) i++;
          continue;
        }
        if (split.has(opt)) {
          const text = attached
            ? (t.startsWith("--") ? t.slice(t.indexOf("=") + 1) : t.slice(2))
            : args[i + 1]?.text;
          if (!attached && args[i + 1]?.dynamic) {
            throw new Uncertain(`${name} splits text only known when it runs`);
          }
          const reading = readShell(text ?? "");
          if (!reading.confident || reading.commands.length > 1) {
            throw new Uncertain(`${name} ${opt} text cannot be read`);
          }
          const head = reading.commands[0]?.words ?? [];
          out.push([...head, ...args.slice(attached ? i + 1 : i + 2)]);
          return;
        }
        if (value.has(opt)) {
          if (!attached) i++;
          continue;
        }
        if (!t.startsWith("--") && t.length === 2 && !flags.has(opt)) {
          // an option this table does not know: it may take the next word as its value
          walk(i + 2, positionals, branches + 1);
        }
        continue;
      }
      if (wrapper.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) continue;
      if (positionals > 0) {
        positionals--;
        continue;
      }
      break;
    }
    if (i < args.length) out.push(args.slice(i));
  };
  walk(0, wrapper.positionals ?? 0, 0);
  if (name === "watch") {
    // watch runs its arguments joined by spaces through sh -c
    return out.map((inner) => typeof inner === "string" ? inner : inner.map((w) => w.text).join(" "));
  }
  return out;
}

/**
 * Whether `command` matches the deny rule words `prefix` (see the module doc), and why; null when
 * it does not.
 */
export function matchDeny(command: string, prefix: string): DenyMatch | null {
  const pattern = readPattern(prefix);
  if (!pattern) return null;
  const reading = readShell(command);
  if (!reading.confident) {
    return { how: "uncertain", detail: `the command cannot be read with confidence: ${reading.problem}` };
  }
  try {
    for (const simple of reading.commands) {
      for (const argv of runs(simple.words, 0)) {
        if (baseName(argv[0].text) !== pattern.name) continue;
        const args = argv.slice(1);
        if (argsMatch(pattern, args.map((w) => w.text))) {
          return { how: "runs", detail: `runs ${argv.map((w) => w.text).join(" ").slice(0, 200)}` };
        }
        // a value only the shell knows could be any flag; so could a glob that may name a file "-…"
        const unknown = args.find((w) => w.dynamic || w.glob === "leading");
        if (unknown) {
          return {
            how: "uncertain",
            detail: `${pattern.name} gets ${JSON.stringify(unknown.text)}, only known when it runs`,
          };
        }
      }
    }
  } catch (err) {
    if (err instanceof Uncertain) return { how: "uncertain", detail: err.message };
    throw err;
  }
  return null;
}

/** True when `command` matches the deny rule words `prefix` (see {@linkcode matchDeny}). */
export function denyPrefixMatches(command: string, prefix: string): boolean {
  return matchDeny(command, prefix) !== null;
}
