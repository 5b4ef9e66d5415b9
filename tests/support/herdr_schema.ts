/**
 * herdr's own JSON schema of its socket API (`herdr api schema --json`, protocol 20), used to check
 * every request a client sends and every reply or event a server produces. The schema lives outside
 * this repository, in the workplace's `shared/herdr/herdr-api.schema.json` — found next to the
 * repository or any directory above it, or at /work/shared (override: `HERDR_API_SCHEMA`); a
 * missing schema fails loudly, it never skips.
 *
 * Two strictness levels:
 * - `herdr`: the schema as herdr ships it (what herdr's serde accepts);
 * - `strict`: the same, plus "no properties the schema does not declare" on every object — a field
 *   herdr silently ignores (e.g. `pane_id` where `target_pane_id` is meant) is a client bug, and a
 *   field the fake invents is drift.
 *
 * @module
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "./paths.ts";

/** The five top-level schemas herdr publishes. */
export type FrameKind = "request" | "success_response" | "error_response" | "event" | "subscription_event";

/** The schema file's location: `$HERDR_API_SCHEMA`, else the first `shared/herdr/…` found. */
export const HERDR_SCHEMA_PATH: string = Deno.env.get("HERDR_API_SCHEMA") ?? findSchema();

function findSchema(): string {
  const candidates: string[] = [];
  for (let dir = join(REPO_ROOT, "..");; dir = dirname(dir)) {
    candidates.push(join(dir, "shared", "herdr", "herdr-api.schema.json"));
    if (dirname(dir) === dir) break;
  }
  candidates.push("/work/shared/herdr/herdr-api.schema.json");
  return candidates.find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  }) ?? candidates[0];
}

/** One validation outcome. */
export interface SchemaCheck {
  ok: boolean;
  /** Human-readable problems (empty when ok). */
  errors: string[];
}

/** Per-pane event names and the data definition each must carry. */
const SUBSCRIPTION_DATA: Readonly<Record<string, string>> = {
  "pane.agent_status_changed": "PaneAgentStatusChangedEvent",
  "pane.output_matched": "PaneOutputMatchedEvent",
  "pane.scroll_changed": "PaneScrollChangedEvent",
};

const UINT_FORMATS = ["uint", "uint16", "uint32", "uint64"];

/** Adds `additionalProperties:false` to every object schema that declares `properties`. */
function tighten(node: unknown, skipSelf = false): unknown {
  if (Array.isArray(node)) return node.map((n) => tighten(n));
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === "properties" || k === "$defs"
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([pk, pv]) => [pk, tighten(pv)]))
      : tighten(v);
  }
  if (!skipSelf && "properties" in out && !("additionalProperties" in out)) out.additionalProperties = false;
  return out;
}

/**
 * The strict document: every object closed. The request root declares `id` while its `oneOf`
 * branches declare `method` and `params`, so it is closed with `unevaluatedProperties` instead.
 */
function strictDocument(doc: Record<string, unknown>): Record<string, unknown> {
  const schemas = doc.schemas as Record<string, Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [kind, root] of Object.entries(schemas)) {
    if (kind === "request") {
      const { oneOf, ...rest } = root;
      out[kind] = {
        ...(tighten(rest, true) as Record<string, unknown>),
        oneOf: (oneOf as unknown[]).map((b) => tighten(b, true)),
        unevaluatedProperties: false,
      };
    } else out[kind] = tighten(root);
  }
  return { ...doc, schemas: out };
}

/** Validates frames against herdr's schema. */
export class HerdrSchema {
  readonly protocol: number;
  /** Every method the schema knows, in schema order. */
  readonly methods: readonly string[];
  #ajv = new Map<string, Ajv2020>();
  #validators = new Map<string, ValidateFunction>();
  #byMethod = new Map<string, number>();
  #byResultType = new Map<string, number>();

  private constructor(doc: Record<string, unknown>) {
    this.protocol = Number(doc.protocol);
    const schemas = doc.schemas as Record<string, Record<string, unknown>>;
    const requestBranches = schemas.request.oneOf as { properties: { method: { const: string } } }[];
    this.methods = requestBranches.map((b) => b.properties.method.const);
    requestBranches.forEach((b, i) => this.#byMethod.set(b.properties.method.const, i));
    const results =
      (schemas.success_response.$defs as Record<string, { oneOf: unknown[] }>).ResponseResult.oneOf;
    results.forEach((b, i) => {
      const t = (b as { properties: { type: { const: string } } }).properties.type.const;
      this.#byResultType.set(t, i);
    });
    for (const [level, document] of [["herdr", doc], ["strict", strictDocument(doc)]] as const) {
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      for (const f of UINT_FORMATS) {
        ajv.addFormat(f, { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 });
      }
      ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) });
      ajv.addFormat("float", { type: "number", validate: (n: number) => Number.isFinite(n) });
      ajv.addSchema({ ...(document as Record<string, unknown>), $id: `herdr-api-${level}` });
      this.#ajv.set(level, ajv);
    }
  }

  /** The validator of one JSON pointer into the document (`level:path`), compiled on first use. */
  #validator(level: "herdr" | "strict", path: string): ValidateFunction {
    const key = `${level}:${path}`;
    let validate = this.#validators.get(key);
    if (!validate) {
      validate = this.#ajv.get(level)!.compile({ $ref: `herdr-api-${level}#/schemas/${path}` });
      this.#validators.set(key, validate);
    }
    return validate;
  }

  /**
   * Compiles every whole-frame validator and every subscription event's data validator now, at
   * both levels. Ajv compiles synchronously (about a second for herdr's schema on a quiet machine,
   * many on a loaded one); compiled on first use it ran inside the first request's round-trip and
   * stalled the fake and the client (one event loop) past the client's deadline.
   */
  compileAll(): void {
    const kinds: FrameKind[] = [
      "request",
      "success_response",
      "error_response",
      "event",
      "subscription_event",
    ];
    for (const level of ["herdr", "strict"] as const) {
      for (const kind of kinds) this.#validator(level, kind);
      for (const def of Object.values(SUBSCRIPTION_DATA)) {
        this.#validator(level, `subscription_event/$defs/${def}`);
      }
    }
  }

  /** Loads the schema (throws with the path when it is missing or unreadable). */
  static load(path: string = HERDR_SCHEMA_PATH): HerdrSchema {
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (err) {
      throw new Error(
        `herdr's API schema is required for the herdr contract tests but cannot be read at ${path} ` +
          `(${(err as Error).message}); set HERDR_API_SCHEMA to its location`,
      );
    }
    return new HerdrSchema(JSON.parse(text));
  }

  /** Checks `value` as a frame of `kind`; `strict` also refuses undeclared properties. */
  check(kind: FrameKind, value: unknown, level: "herdr" | "strict" = "strict"): SchemaCheck {
    const whole = this.#validator(level, kind);
    if (whole(value)) return this.#consistent(kind, value, level);
    // narrow to the branch the frame claims to be, for a readable message
    const frame = value as Record<string, unknown> | null;
    let focused: ValidateFunction | undefined;
    let prefix = "";
    if (kind === "request" && frame && typeof frame.method === "string") {
      const i = this.#byMethod.get(frame.method);
      if (i === undefined) return { ok: false, errors: [`unknown method ${JSON.stringify(frame.method)}`] };
      focused = this.#validator(level, `request/oneOf/${i}`);
      prefix = frame.method;
    } else if (kind === "success_response" && frame && typeof frame.result === "object" && frame.result) {
      const t = (frame.result as Record<string, unknown>).type;
      const i = typeof t === "string" ? this.#byResultType.get(t) : undefined;
      if (i === undefined) return { ok: false, errors: [`unknown result type ${JSON.stringify(t)}`] };
      focused = this.#validator(level, `success_response/$defs/ResponseResult/oneOf/${i}`);
      prefix = `result(${t})`;
      if (focused && !focused(frame.result)) return { ok: false, errors: describe(focused, prefix) };
    }
    if (focused && kind === "request" && !focused(value)) {
      return { ok: false, errors: describe(focused, prefix) };
    }
    if (kind === "subscription_event" && frame && typeof frame.event === "string") {
      const def = SUBSCRIPTION_DATA[frame.event];
      const specific = def ? this.#validator(level, `subscription_event/$defs/${def}`) : undefined;
      if (specific && !specific(frame.data)) {
        return { ok: false, errors: describe(specific, `${frame.event}/data`) };
      }
    }
    return { ok: false, errors: describe(whole, kind) };
  }

  /** Checks what the envelope schema leaves open: an event's name matches its data. */
  #consistent(kind: FrameKind, value: unknown, level: "herdr" | "strict"): SchemaCheck {
    const frame = value as { event?: string; data?: Record<string, unknown> };
    if (kind === "event" && frame.data?.type !== frame.event) {
      return { ok: false, errors: [`event ${frame.event} carries data of type ${String(frame.data?.type)}`] };
    }
    if (kind === "subscription_event") {
      const validate = this.#validator(level, `subscription_event/$defs/${SUBSCRIPTION_DATA[frame.event!]}`);
      if (!validate(frame.data)) return { ok: false, errors: describe(validate, `${frame.event}/data`) };
    }
    return { ok: true, errors: [] };
  }

  /** Like {@linkcode check} but throws a readable error. */
  assert(kind: FrameKind, value: unknown, level: "herdr" | "strict" = "strict"): void {
    const res = this.check(kind, value, level);
    if (!res.ok) {
      throw new Error(
        `herdr schema violation (${kind}, ${level}): ${res.errors.slice(0, 4).join("; ")}\n  frame: ${
          JSON.stringify(value).slice(0, 400)
        }`,
      );
    }
  }

  /** Which kind a server→client line is: a reply (success/error) or an event of either style. */
  static kindOfServerFrame(value: unknown): FrameKind {
    const frame = value as Record<string, unknown>;
    if (frame && typeof frame === "object" && "event" in frame && !("id" in frame)) {
      return typeof frame.event === "string" && frame.event.includes(".") ? "subscription_event" : "event";
    }
    return frame && typeof frame === "object" && "error" in frame ? "error_response" : "success_response";
  }
}

function describe(validate: ValidateFunction, where: string): string[] {
  const errors = validate.errors ?? [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of errors) {
    const extra = e.keyword === "additionalProperties"
      ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
      : "";
    const line = `${where}${e.instancePath || ""}: ${e.message ?? e.keyword}${extra}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out.length ? out : [`${where}: invalid`];
}

let shared: HerdrSchema | undefined;

/**
 * The schema, loaded and compiled once per process: call it before anything timed starts (the fake
 * does at start, the checked client before it connects), so no frame check pays the compile.
 */
export function herdrSchema(): HerdrSchema {
  if (!shared) {
    const loaded = HerdrSchema.load();
    loaded.compileAll();
    shared = loaded;
  }
  return shared;
}
