import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sourcesOf } from "../src/ui/sources.js";

describe("the answer's sources", () => {
  const cite = (/** @type {number} */ number, extra = {}) => ({
    number, type: "page_location", cited_text: "Units  grew\n4%.", source: "report.pdf, p. 3", url: null,
    document_index: 0, document_title: "report.pdf", start: 3, end: 4, ...extra,
  });

  it("quotes each passage with where it is, in the order of the markers' numbers", () => {
    assert.deepEqual(sourcesOf([cite(2), cite(1, { cited_text: "First.", source: "notes.md" })]), [
      { number: 1, quote: "First.", source: "notes.md", url: null },
      { number: 2, quote: "Units grew 4%.", source: "report.pdf, p. 3", url: null },
    ]);
  });

  it("links a web source only over http(s), and leaves out what is malformed", () => {
    const shown = sourcesOf([
      cite(1, { type: "web_search_result_location", url: "https://example.com/a", source: "Weather" }),
      cite(2, { url: "javascript:alert(1)" }),
      { number: 0 }, { number: "3" }, null, "x",
    ]);
    assert.deepEqual(shown.map((s) => [s.number, s.url]), [[1, "https://example.com/a"], [2, null]]);
    assert.deepEqual(sourcesOf(undefined), []);
  });
});
