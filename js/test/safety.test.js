import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderMarkdown } from "../src/markdown/markdown.js";
import { safeHref } from "../src/markdown/safe_url.js";

/** The tags of an HTML string (escaped text has no `<`, so it never shows up here). */
const tags = (/** @type {string} */ html) => html.match(/<[a-zA-Z][^>]*>/g) ?? [];

/** @param {string} html */
function assertInert(html) {
  assert.doesNotMatch(html, /<script/i, "no script element");
  assert.doesNotMatch(html, /<img/i, "no image element");
  assert.doesNotMatch(html, /<svg[\s>][^>]*on/i, "no svg with handlers");
  assert.doesNotMatch(html, /<iframe|<object|<embed|<style|<form/i, "no embedding elements");
  for (const tag of tags(html)) {
    assert.doesNotMatch(tag, /\son[a-z]+\s*=/i, `no event handler attribute in ${tag}`);
    assert.doesNotMatch(tag, /(href|src|action|xlink:href)\s*=\s*"(?!https?:|mailto:|#)/i, `no unsafe URL in ${tag}`);
  }
}

describe("safety: raw HTML is shown as text", () => {
  for (const input of [
    "<script>alert(1)</script>",
    "hi <script>alert(1)</script> there",
    "<img src=x onerror=alert(1)>",
    "text <img src=x onerror=alert(1)> text",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil></iframe>",
    "<style>body{display:none}</style>",
    "<div onclick=alert(1)>\n\n*md*\n\n</div>",
  ]) {
    it(JSON.stringify(input), () => {
      const html = renderMarkdown(input);
      assertInert(html);
      assert.match(html, /&lt;/, "the markup is visible as text");
    });
  }
});

describe("safety: only http, https, mailto and # links", () => {
  for (const [input, text] of /** @type {Array<[string, string | null]>} */ ([
    ["[x](javascript:alert(1))", "x"],
    ["[x](JaVaScRiPt:alert(1))", "x"],
    ["[x](&#106;avascript:alert(1))", "x"],
    ["[x](&#x6A;avascript:alert(1))", "x"],
    ["[x](java&#x09;script:alert(1))", "x"],
    ["[x](jav&Tab;ascript:alert(1))", "x"],
    ["[x](data:text/html,<script>alert(1)</script>)", "x"],
    ["[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "x"],
    ["[x](vbscript:msgbox(1))", "x"],
    ["[x](file:///etc/passwd)", "x"],
    ["[x](//evil.example/path)", "x"],
    ["[x](/api/contents)", "x"],
    ["<javascript:alert(1)>", "javascript:alert(1)"],
    ['[x]( "javascript:alert(1)")', null],
  ])) {
    it(`${input} is not a link`, () => {
      const html = renderMarkdown(input);
      assertInert(html);
      assert.doesNotMatch(html, /<a[\s>]/);
      if (text) assert.ok(html.includes(text.replace(/</g, "&lt;").replace(/>/g, "&gt;")), html);
    });
  }

  it("reference-style links are checked too", () => {
    const html = renderMarkdown("[x][r]\n\n[r]: javascript:alert(1)");
    assert.doesNotMatch(html, /<a[\s>]/);
  });

  it("allowed links open in a new tab without an opener", () => {
    const html = renderMarkdown('[x](https://example.com/a?b=1&c=2 "T\\"itle")');
    assert.equal(
      html,
      '<p><a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer" title="T&quot;itle">x</a></p>\n',
    );
  });

  it("mailto and in-page links are allowed; in-page ones stay in the page", () => {
    assert.match(renderMarkdown("<mailto:a@b.c>"), /<a href="mailto:a@b.c" target="_blank"/);
    assert.equal(renderMarkdown("[s](#section)"), '<p><a href="#section">s</a></p>\n');
  });

  it("safeHref returns exactly what the browser will parse", () => {
    assert.equal(safeHref("  https://a.b/c d "), "https://a.b/c%20d");
    assert.equal(safeHref("ht\ttps://a.b"), "https://a.b");
    assert.equal(safeHref("&#104;ttps://a.b"), "https://a.b");
    assert.equal(safeHref("java\nscript:alert(1)"), null);
    assert.equal(safeHref(""), null);
  });
});

describe("safety: images are never loaded", () => {
  it("renders an image as a link-like placeholder", () => {
    const html = renderMarkdown("![a chart](https://evil/x.png?leak=secret)");
    assertInert(html);
    assert.match(html, /<a class="cw-image-link" href="https:\/\/evil\/x.png\?leak=secret" target="_blank" rel="noopener noreferrer"[^>]*>🖼 a chart<\/a>/);
  });

  it("renders an image with a refused URL as plain text", () => {
    const html = renderMarkdown("![x](javascript:alert(1)) ![y](data:image/png;base64,AAAA)");
    assertInert(html);
    assert.doesNotMatch(html, /<a[\s>]/);
    assert.match(html, /<span class="cw-image-link">🖼 x<\/span>/);
  });

  it("escapes alt text", () => {
    const html = renderMarkdown('![<img src=x onerror=alert(1)>](https://a.b/i.png)');
    assertInert(html);
  });
});

describe("safety: KaTeX runs untrusted", () => {
  for (const input of [
    "$\\href{javascript:alert(1)}{x}$",
    "$$\\href{javascript:alert(1)}{x}$$",
    "$\\url{javascript:alert(1)}$",
    "\\(\\htmlClass{x}{y}\\) \\(\\htmlData{onload=alert(1)}{y}\\)",
    "$\\includegraphics{https://evil/x.png}$",
    '$\\color{red;background:url(https://evil)}{x}$',
  ]) {
    it(input, () => {
      const html = renderMarkdown(input);
      assertInert(html);
      assert.doesNotMatch(html, /href="javascript:/i);
      assert.doesNotMatch(html, /style="[^"]*url\(/i);
    });
  }
});
