/**
 * `codexctl schema`: prints the v1 contract as JSON Schema so callers can validate what they read.
 *
 * @module
 */
import { z } from "zod";
import { jsonSchemaFor, SCHEMA_DOCUMENTS, type SchemaName } from "../envelope.ts";
import { writeStdout } from "../output.ts";
import { defineVerb } from "./verb.ts";

const NAMES = Object.keys(SCHEMA_DOCUMENTS) as SchemaName[];

/** The `schema` verb. */
export const schemaVerb = defineVerb({
  name: "schema",
  summary:
    "Print the JSON Schema of the v1 envelope (or of the verdict / error / watch_event / fleet_event / gate / review objects)",
  usage: "schema [envelope|verdict|error|watch_event|fleet_event|gate|review]",
  description: `
Prints a JSON Schema (draft 2020-12) document, generated from the same zod schemas codexctl uses to
build every envelope. Unlike other verbs it prints the schema document itself, not an envelope, so
the output can be saved and handed to any validator. Default: envelope.`,
  positionals: { name: "NAME", description: `one of: ${NAMES.join(", ")}`, max: 1 },
  flags: {},
  examples: ["codexctl schema > codexctl-envelope.schema.json", "codexctl schema verdict"],
  args: z.object({
    _: z.array(z.enum(NAMES as [SchemaName, ...SchemaName[]], {
      error: (iss) => `unknown schema "${String(iss.input)}"; choose one of: ${NAMES.join(", ")}`,
    })),
  }),
  run(args) {
    const name = args._[0] ?? "envelope";
    writeStdout(JSON.stringify(jsonSchemaFor(name), null, 2) + "\n");
    return Promise.resolve({ kind: "done", exitCode: 0 });
  },
});
