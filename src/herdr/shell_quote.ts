/**
 * Quoting an argv into one shell command line. herdr types text into a pane's shell (`pane run`,
 * `send_input`), which is not argv-preserving: quoting is the client's job. Single quotes work in
 * POSIX shells, bash, zsh and fish alike.
 *
 * @module
 */
import { usageError } from "../errors.ts";

const PLAIN = /^[A-Za-z0-9_\/.,:@%+=-]+$/;

/** Quotes one word so a shell reads it back unchanged. */
export function quoteWord(word: string): string {
  if (word !== "" && PLAIN.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Quotes an argv into a single command line; rejects control characters a shell would act on. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw usageError("BAD_COMMAND", "an empty command cannot be run", "give the program to run");
  }
  for (const word of argv) {
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x1f\x7f]/.test(word)) {
      throw usageError(
        "BAD_COMMAND",
        `a command word contains a control character: ${JSON.stringify(word)}`,
        "remove newlines and other control characters from the command",
      );
    }
  }
  return argv.map(quoteWord).join(" ");
}
