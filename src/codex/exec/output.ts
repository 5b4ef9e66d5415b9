/**
 * The structured result of a run started with `--output-schema`: Codex's final message parsed as
 * JSON and checked against the schema file Codex was given (Codex asks the model for it, but does
 * not check the answer). JSON Schema 2020-12 via ajv, without its strict mode, so the schemas
 * Codex accepts (OpenAI's strict structured-output subset, draft-07 style included) compile.
 *
 * @module
 */
import { Ajv2020 } from "ajv/dist/2020.js";

/** The parsed output and why it does not match (empty: it matches). */
export interface CheckedOutput {
  value: unknown;
  errors: string[];
}

/** Parses `message` as JSON (a fenced ```json block is unwrapped) and checks it against the schema at `schemaPath`. */
export async function checkOutput(message: string, schemaPath: string): Promise<CheckedOutput> {
  const text = message.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n```$/, "$1");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { value: null, errors: [`the final message is not JSON (${(err as Error).message})`] };
  }
  let schema: unknown;
  try {
    schema = JSON.parse(await Deno.readTextFile(schemaPath));
  } catch (err) {
    return { value, errors: [`the schema ${schemaPath} cannot be read: ${(err as Error).message}`] };
  }
  try {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema as object);
    if (validate(value)) return { value, errors: [] };
    const errors = (validate.errors ?? []).slice(0, 10).map((e) =>
      `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`
    );
    return { value, errors: errors.length ? errors : ["does not match the schema"] };
  } catch (err) {
    return { value, errors: [`the schema ${schemaPath} does not compile: ${(err as Error).message}`] };
  }
}
