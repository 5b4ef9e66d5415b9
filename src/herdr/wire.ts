/**
 * herdr's transport: newline-delimited JSON over a Unix stream socket, exactly one request per
 * connection. A plain call writes one line, reads one line and closes; a long-lived call
 * (`events.subscribe`, waits) keeps reading lines. The client never writes after the request and
 * never half-closes: herdr treats either as a disconnect.
 *
 * Every wait is bounded; replies larger than the frame cap are refused instead of buffered.
 *
 * @module
 */

/** Why a transport step failed. */
export type WireFailure =
  /** The socket does not exist or refused the connection. */
  | "unreachable"
  /** The peer closed the connection before a full line arrived. */
  | "closed"
  /** No full line within the time allowed. */
  | "timeout"
  /** A line longer than the frame cap. */
  | "oversized";

/** A transport failure (socket missing, refused, dropped, silent, or flooding). */
export class WireError extends Error {
  constructor(readonly failure: WireFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WireError";
  }
}

/** Bounds of one transport operation. */
export interface WireLimits {
  /** Milliseconds allowed for connect + write + the (first) reply line. */
  timeoutMs: number;
  /** Largest reply line accepted, in bytes (without the newline). */
  maxFrameBytes: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NEWLINE = 0x0a;

/** Reads `\n`-terminated lines from a connection, refusing lines above a byte cap. */
export class LineReader {
  #conn: Deno.Conn;
  #max: number;
  #buffer = new Uint8Array(0);
  #eof = false;

  constructor(conn: Deno.Conn, maxFrameBytes: number) {
    this.#conn = conn;
    this.#max = maxFrameBytes;
  }

  /** The next line (without `\n`), or null at a clean end of stream. Throws {@linkcode WireError}. */
  async next(): Promise<string | null> {
    for (;;) {
      const at = this.#buffer.indexOf(NEWLINE);
      if (at >= 0) {
        if (at > this.#max) throw oversized(this.#max);
        const line = this.#buffer.subarray(0, at);
        this.#buffer = this.#buffer.slice(at + 1);
        return decoder.decode(line);
      }
      if (this.#buffer.length > this.#max) throw oversized(this.#max);
      if (this.#eof) {
        if (this.#buffer.length === 0) return null;
        throw new WireError("closed", "herdr closed the connection in the middle of a reply line");
      }
      const chunk = new Uint8Array(64 * 1024);
      let n: number | null;
      try {
        n = await this.#conn.read(chunk);
      } catch (err) {
        throw new WireError("closed", `the connection to herdr failed while reading: ${describe(err)}`, {
          cause: err,
        });
      }
      if (n === null) {
        this.#eof = true;
        continue;
      }
      const grown = new Uint8Array(this.#buffer.length + n);
      grown.set(this.#buffer);
      grown.set(chunk.subarray(0, n), this.#buffer.length);
      this.#buffer = grown;
    }
  }
}

function oversized(max: number): WireError {
  return new WireError("oversized", `herdr sent a reply line larger than the ${max}-byte frame cap`);
}

/**
 * Connects to a Unix socket within `timeoutMs` (a server whose backlog is full leaves a connect
 * pending), mapping "missing" and "refused" to `unreachable`.
 */
export async function connectSocket(path: string, timeoutMs: number): Promise<Deno.UnixConn> {
  const attempt = Deno.connect({ transport: "unix", path });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), timeoutMs)));
  try {
    const won = await Promise.race([attempt, late]);
    if (won === "late") {
      attempt.then((conn) => safeClose(conn), () => {});
      throw new WireError("timeout", `herdr did not accept the connection within ${timeoutMs} ms`);
    }
    return won;
  } catch (err) {
    if (err instanceof WireError) throw err;
    throw new WireError("unreachable", `cannot connect to herdr's socket ${path}: ${describe(err)}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += await conn.write(bytes.subarray(offset));
    } catch (err) {
      throw new WireError("closed", `the connection to herdr failed while writing: ${describe(err)}`, {
        cause: err,
      });
    }
  }
}

/** Runs `body` with a deadline: on expiry the connection is closed and a `timeout` error thrown. */
async function withDeadline<T>(
  conn: Deno.Conn,
  timeoutMs: number,
  what: string,
  body: () => Promise<T>,
): Promise<T> {
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    safeClose(conn);
  }, timeoutMs);
  try {
    return await body();
  } catch (err) {
    if (expired) throw new WireError("timeout", `herdr did not answer ${what} within ${timeoutMs} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One plain call: connect, write `requestLine` + `\n`, read one reply line, close. The whole
 * exchange is bounded by `limits.timeoutMs`.
 */
export async function roundTrip(path: string, requestLine: string, limits: WireLimits): Promise<string> {
  const conn = await connectSocket(path, limits.timeoutMs);
  try {
    return await withDeadline(conn, limits.timeoutMs, "the request", async () => {
      await writeAll(conn, encoder.encode(requestLine + "\n"));
      const line = await new LineReader(conn, limits.maxFrameBytes).next();
      if (line === null) throw new WireError("closed", "herdr closed the connection without answering");
      return line;
    });
  } finally {
    safeClose(conn);
  }
}

/** A long-lived call's connection: its first line (the ack or final answer) and the reader after it. */
export interface OpenStream {
  /** The first line herdr sent. */
  first: string;
  /** Reads the following lines (no deadline of its own: callers bound each read). */
  reader: LineReader;
  /** Closes the connection (idempotent). */
  close(): void;
}

/**
 * Opens a long-lived call: connect, write the request, wait (bounded by `limits.timeoutMs`) for the
 * first line. The connection then stays open and is never written to again.
 */
export async function openStream(path: string, requestLine: string, limits: WireLimits): Promise<OpenStream> {
  const conn = await connectSocket(path, limits.timeoutMs);
  const reader = new LineReader(conn, limits.maxFrameBytes);
  try {
    const first = await withDeadline(conn, limits.timeoutMs, "the request", async () => {
      await writeAll(conn, encoder.encode(requestLine + "\n"));
      const line = await reader.next();
      if (line === null) throw new WireError("closed", "herdr closed the connection without answering");
      return line;
    });
    return { first, reader, close: () => safeClose(conn) };
  } catch (err) {
    safeClose(conn);
    throw err;
  }
}

function safeClose(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

function describe(err: unknown): string {
  if (err instanceof Deno.errors.NotFound) return "no such socket";
  if (err instanceof Deno.errors.ConnectionRefused) return "connection refused (no server is listening)";
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  return err instanceof Error ? err.message : String(err);
}
