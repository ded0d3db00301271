import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chipsOf } from "../src/ui/chips.js";

describe("attachment chips", () => {
  it("shows each attachment's label, hover text and thumbnail, in order", () => {
    const png = "data:image/png;base64,iVBORw0KGgo=";
    const chips = chipsOf([
      { kind: "table", label: "DataFrame · 10,000 × 5", detail: "columns: a, b", thumbnail: "" },
      { kind: "image", label: "Image · 852 × 651 PNG · 65 KB", detail: "", thumbnail: png },
      { kind: "file", label: "report.pdf · 3 pages · 2 KB", detail: "data/report.pdf", thumbnail: "" },
    ]);
    assert.deepEqual(chips.map((c) => [c.kind, c.label, c.title, c.thumbnail]), [
      ["table", "DataFrame · 10,000 × 5", "columns: a, b", null],
      ["image", "Image · 852 × 651 PNG · 65 KB", "", png],
      ["file", "report.pdf · 3 pages · 2 KB", "data/report.pdf", null],
    ]);
  });

  it("never shows an image the browser would fetch, and leaves out what is malformed", () => {
    const shown = chipsOf([
      { kind: "image", label: "a", thumbnail: "https://example.com/x.png" },
      { kind: "image", label: "b", thumbnail: "data:image/svg+xml;base64,PHN2Zz4=" },
      { kind: "image", label: "c", thumbnail: 'data:image/png;base64,AAAA" onerror="x' },
      { kind: "weird", label: "d" },
      { label: "" },
      null,
      "text",
    ]);
    assert.deepEqual(shown.map((c) => [c.label, c.kind, c.thumbnail]), [
      ["a", "image", null], ["b", "image", null], ["c", "image", null], ["d", "file", null],
    ]);
    assert.deepEqual(chipsOf(undefined), []);
    assert.deepEqual(chipsOf({ label: "x" }), []);
  });
});
