/**
 * Reading a child process's stdout line by line with deadlines (for streaming verbs like watch).
 *
 * @module
 */

/** Pulls complete lines from a byte stream. */
export class LineStream {
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #done = false;
  /** Every line read so far. */
  readonly seen: string[] = [];

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next line, or null at end of stream; throws after `timeoutMs`. */
  async next(timeoutMs = 30_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.#buffer.indexOf("\n");
      if (nl >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.seen.push(line);
        return line;
      }
      if (this.#done) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line within ${timeoutMs} ms; seen so far:\n${this.seen.join("\n")}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chunk = await Promise.race([
        this.#reader.read(),
        new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), left)),
      ]);
      clearTimeout(timer);
      if (chunk === "timeout") continue;
      if (chunk.done) this.#done = true;
      else this.#buffer += chunk.value;
    }
  }

  /** Reads lines until one satisfies `test`; returns it. */
  async until(test: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = await this.next(Math.max(1, deadline - Date.now()));
      if (line === null) {
        throw new Error(`stream ended before the expected line; seen:\n${this.seen.join("\n")}`);
      }
      if (test(line)) return line;
    }
  }

  /** Reads to the end. */
  async rest(timeoutMs = 30_000): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const line = await this.next(timeoutMs);
      if (line === null) return out;
      out.push(line);
    }
  }

  /** Stops reading. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
