/**
 * What a tool's output line says, for the failure rule (`verdict/tool_failure.ts`): the exit code
 * Codex wrote in the output's header (`Process exited with code N` — 0.130 and 0.169's
 * `exec_command` —, `Exit code: N` of the older shell tool, or `metadata.exit_code` of its JSON
 * form) and the output text itself, clipped. Only extraction: what counts as a failure is judged in
 * `src/verdict/`.
 *
 * Bounded: a line is decoded only up to {@linkcode MAX_LINE_PARSE} bytes (a longer one — or one the
 * reader kept only the head of — is read from its first bytes leniently), and the text kept is at
 * most {@linkcode MAX_OUTPUT_TEXT} characters: its start and its end (where test runners print
 * their summary and Python its traceback).
 *
 * @module
 */

/** The facts of one tool output. Plain JSON. */
export interface ToolOutputFacts {
  /** The exit code Codex reported (null: the tool reported none, e.g. a patch or an MCP tool). */
  exit_code: number | null;
  /** The output text without Codex's header, clipped to {@linkcode MAX_OUTPUT_TEXT} characters. */
  text: string;
  /** True when `text` is not the whole output (clipped, or the line was read only in part). */
  clipped: boolean;
}

/** Characters of an output kept: the first quarter from its start, the rest from its end. */
export const MAX_OUTPUT_TEXT = 8 * 1024;
/** Lines up to this many bytes are JSON-parsed whole; longer ones are read from their start. */
export const MAX_LINE_PARSE = 256 * 1024;
/** How many bytes of a longer line are decoded. */
const PREFIX_BYTES = 16 * 1024;
/** What marks the cut between the kept start and end of an output. */
const CUT = "\n…\n";

const utf8 = new TextDecoder("utf-8");

/** The header lines Codex puts before `Output:` and the exit code they carry. */
const EXIT_LINE = /^(?:Process exited with code|Exit code:)\s*(-?\d+)\s*$/m;
const OUTPUT_MARK = "\nOutput:\n";

/**
 * The facts of a tool output line (`response_item` of type `function_call_output`,
 * `custom_tool_call_output` or `local_shell_call_output`): `bytes` is the whole line, or only its
 * first bytes when the reader did not keep the rest. Null when it carries no output text.
 */
export function toolOutputFacts(bytes: Uint8Array): ToolOutputFacts | null {
  let output: unknown;
  let partial = false;
  if (bytes.length <= MAX_LINE_PARSE) {
    try {
      const line = JSON.parse(utf8.decode(bytes)) as { payload?: { output?: unknown } };
      output = line?.payload?.output;
    } catch {
      partial = true; // only the head of a long line: read what is there
    }
  } else partial = true;
  if (partial) {
    output = outputPrefix(utf8.decode(bytes.subarray(0, Math.min(bytes.length, PREFIX_BYTES))));
  }
  const raw = outputText(output);
  if (raw === null) return null;
  return factsOf(raw.text, raw.exit_code, partial);
}

/** Splits Codex's header off a shell output and reads the exit code from it. */
function factsOf(text: string, metaExit: number | null, partial: boolean): ToolOutputFacts {
  let exit = metaExit;
  let body = text;
  const mark = text.indexOf(OUTPUT_MARK);
  // the header is short: an `Output:` far in is the program's own
  if (mark !== -1 && mark < 600) {
    const header = text.slice(0, mark);
    const m = EXIT_LINE.exec(header);
    if (m && exit === null) exit = Number(m[1]);
    body = text.slice(mark + OUTPUT_MARK.length);
  } else if (exit === null) {
    const m = EXIT_LINE.exec(text.slice(0, 300));
    if (m) exit = Number(m[1]);
  }
  const kept = keepEnds(body);
  return { exit_code: exit, text: kept, clipped: partial || kept.length < body.length };
}

/** The start and end of `text`, at most {@linkcode MAX_OUTPUT_TEXT} characters in all. */
function keepEnds(text: string): string {
  if (text.length <= MAX_OUTPUT_TEXT) return text;
  const head = Math.floor(MAX_OUTPUT_TEXT / 4);
  const tail = MAX_OUTPUT_TEXT - head - CUT.length;
  // flat copies: a slice would keep the whole (maybe huge) output alive
  return (" " + text.slice(0, head) + CUT + text.slice(text.length - tail)).slice(1);
}

/**
 * The output's text and an exit code its JSON form carries. Codex writes a string (plain text, or
 * a JSON document `{output, metadata: {exit_code}}` for the older shell tool), an array of content
 * items (`{type: "input_text", text}`), or an object with `content`.
 */
function outputText(output: unknown): { text: string; exit_code: number | null } | null {
  if (typeof output === "string") {
    if (output.startsWith('{"output":')) {
      try {
        const doc = JSON.parse(output) as { output?: unknown; metadata?: { exit_code?: unknown } };
        if (typeof doc.output === "string") {
          const code = doc.metadata?.exit_code;
          return { text: doc.output, exit_code: typeof code === "number" ? code : null };
        }
      } catch {
        // a partial document: the text as it is
      }
    }
    return { text: output, exit_code: null };
  }
  if (Array.isArray(output)) {
    const texts = output.map((c) =>
      c && typeof c === "object" && typeof (c as { text?: unknown }).text === "string"
        ? (c as { text: string }).text
        : ""
    ).filter(Boolean);
    return texts.length ? { text: texts.join("\n"), exit_code: null } : null;
  }
  if (output && typeof output === "object") {
    const content = (output as { content?: unknown }).content;
    return typeof content === "string" || Array.isArray(content) ? outputText(content) : null;
  }
  return null;
}

/** The `output` string of a line's first characters, decoded up to where they end (lenient). */
function outputPrefix(head: string): string | null {
  const at = head.indexOf('"output":"');
  if (at === -1) return null;
  let out = "";
  for (let i = at + 10; i < head.length; i++) {
    const c = head[i];
    if (c === '"') return out;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = head[++i];
    if (e === undefined) break;
    if (e === "u") {
      const hex = head.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) break;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else out += ESCAPES[e] ?? e;
  }
  return out;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" };
