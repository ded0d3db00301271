import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codeOf, toolStatusLabel } from "../src/ui/tool_cards.js";
import { intents } from "../src/wire/protocol.js";

/** @param {string} status */
const card = (status) => ({ id: "toolu_1", name: "run_python", status, at: 0, input_at: 0, result: null,
  is_error: false, server: false });

describe("a run_python card", () => {
  it("reads the code from its input as it streams, escapes decoded as far as they are complete", () => {
    const whole = JSON.stringify({ code: 'df = df.drop_duplicates("id")\nprint(len(df))\t# é \u00e9' });
    assert.equal(codeOf(whole), 'df = df.drop_duplicates("id")\nprint(len(df))\t# é é');
    for (let end = 0; end <= whole.length; end++) {
      const partial = codeOf(whole.slice(0, end));
      if (partial !== null) assert.ok(codeOf(whole)?.startsWith(partial), `a prefix at ${end}: ${partial}`);
    }
    assert.equal(codeOf('{"code": "a\\'), "a"); // an escape cut in half waits for its second half
    assert.equal(codeOf('{"code": "\\u00'), "");
    assert.equal(codeOf(""), null);
    assert.equal(codeOf('{"name": "df"}'), null); // another tool's input: shown as JSON
    // Complete, it is what the kernel runs: Python's json keeps a repeated key's last value, and so does this.
    assert.equal(codeOf('{"code": "print(1)", "code": "import os"}'), "import os");
    assert.equal(codeOf('{"code": 5}'), null);
  });

  it("says what it waits for: the user's word, then a running cell", () => {
    assert.equal(toolStatusLabel(card("pending")), "Waiting for you: Run or Skip");
    assert.equal(toolStatusLabel(card("queued")), "Run: waiting for the running cell to end…");
    assert.equal(toolStatusLabel(card("declined")), "Skipped");
  });

  it("sends Run and Skip (with its reason) naming the call", () => {
    assert.deepEqual(intents.decide("toolu_1", true), { intent: "approve", call: "toolu_1" });
    assert.deepEqual(intents.decide("toolu_1", false, "use the id column"),
      { intent: "reject", call: "toolu_1", reason: "use the id column" });
  });
});
