import assert from "node:assert/strict";
import { jsonObject } from "../src/json.ts";

Deno.test("jsonObject: a plain JSON object, else null (invalid JSON, arrays, null, scalars)", () => {
  assert.deepEqual(jsonObject('{"type":"turn.started","n":[1]}'), { type: "turn.started", n: [1] });
  assert.deepEqual(jsonObject(" {} \n"), {});
  for (const text of ["", "{", "[]", "[{}]", "null", "0", "true", '"{}"', "{} {}", "\u0000"]) {
    assert.equal(jsonObject(text), null, JSON.stringify(text));
  }
});
