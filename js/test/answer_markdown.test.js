// Copy's markdown: the answer's text and its footnotes, in the format the kernel saves them (the shared
// examples in tests/fixtures/footnotes.json are also checked by tests/test_citations.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { answerMarkdown, footnotes } from "../src/ui/answer_markdown.js";

const shared = JSON.parse(readFileSync(new URL("../../tests/fixtures/footnotes.json", import.meta.url), "utf8"));

describe("footnotes", () => {
  for (const { name, citations, footnotes: expected } of shared.cases) {
    it(`as the kernel writes them: ${name}`, () => assert.equal(footnotes(citations), expected));
  }
  it("leaves out what is not a citation", () => assert.equal(footnotes([null, { number: 0 }, "x"]), ""));
  it("is empty without citations", () => assert.equal(footnotes(undefined), ""));
});

describe("answerMarkdown", () => {
  it("ends the text with its footnotes", () => {
    const { text, citations, copied } = shared.answer;
    assert.equal(answerMarkdown(text, citations), copied);
  });
  it("is the text alone when nothing is cited", () => assert.equal(answerMarkdown("plain", []), "plain"));
});
