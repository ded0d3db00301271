import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderMarkdown } from "../src/markdown/markdown.js";

describe("renderMarkdown: GFM", () => {
  it("renders a table with alignment", () => {
    const html = renderMarkdown("| a | b |\n|---|:-:|\n| 1 | 2 |");
    assert.match(html, /<table>/);
    assert.match(html, /<th>a<\/th>/);
    assert.match(html, /<td align="center">2<\/td>/);
  });

  it("renders a nested list", () => {
    const html = renderMarkdown("- a\n  - b\n    1. c\n- d");
    assert.match(html, /<ul>\s*<li>a<ul>\s*<li>b<ol>\s*<li>c<\/li>/);
    assert.match(html, /<li>d<\/li>/);
  });

  it("renders task list items as disabled checkboxes", () => {
    const html = renderMarkdown("- [x] done\n- [ ] todo");
    assert.match(html, /<input checked="" disabled="" type="checkbox">/);
  });

  it("renders strikethrough and autolinks", () => {
    const html = renderMarkdown("~~old~~ see https://example.com/x_y");
    assert.match(html, /<del>old<\/del>/);
    assert.match(html, /<a href="https:\/\/example.com\/x_y" target="_blank" rel="noopener noreferrer">/);
  });
});

describe("renderMarkdown: code", () => {
  it("highlights a fenced block whose language is known, wrapped for the copy button", () => {
    const html = renderMarkdown("```python\ndef f(x):\n    return 1\n```");
    assert.match(html, /^<div class="cw-code" data-lang="python"><pre><code class="hljs language-python">/);
    assert.match(html, /<span class="hljs-keyword">def<\/span>/);
  });

  it("accepts language aliases", () => {
    assert.match(renderMarkdown("```js\nconst a = 1;\n```"), /language-js.*hljs-keyword">const</s);
  });

  it("escapes a block in an unknown language without highlighting it", () => {
    const html = renderMarkdown("```klingon\n<b>qapla'</b> & x\n```");
    assert.match(html, /<div class="cw-code"><pre><code class="hljs">&lt;b&gt;qapla&#39;&lt;\/b&gt; &amp; x<\/code>/);
    assert.doesNotMatch(html, /hljs-/);
  });

  it("keeps a shorter fence inside a longer one as code", () => {
    const html = renderMarkdown("````markdown\n```js\nx\n```\n````\nafter");
    assert.equal((html.match(/<pre>/g) ?? []).length, 1);
    assert.match(html, /```js\nx\n```/);
    assert.match(html, /<p>after<\/p>/);
  });

  it("does not let a language name inject attributes", () => {
    const html = renderMarkdown('```py"onmouseover="alert(1)\nx\n```');
    assert.doesNotMatch(html, /onmouseover="/);
  });
});

describe("renderMarkdown: math", () => {
  const katexCount = (/** @type {string} */ html) => (html.match(/class="katex"/g) ?? []).length;

  it("renders $$…$$ as a display block", () => {
    const html = renderMarkdown("before\n\n$$\n\\frac{a}{b}\n$$\n\nafter");
    assert.match(html, /<div class="cw-math cw-math-display"><span class="katex-display">/);
    assert.match(html, /<mfrac>/);
  });

  it("renders \\[…\\] as a display block", () => {
    const html = renderMarkdown("\\[\nE = mc^2\n\\]");
    assert.match(html, /<div class="cw-math cw-math-display"><span class="katex-display">/);
    assert.match(html, /<annotation encoding="application\/x-tex">\s*E = mc\^2\s*<\/annotation>/);
  });

  it("renders \\(…\\) and $…$ inline", () => {
    const html = renderMarkdown("Let \\(x^2\\) and $y_1$ be.");
    assert.equal(katexCount(html), 2);
    assert.match(html, /^<p>Let <span class="cw-math"><span class="katex">/);
    assert.doesNotMatch(html, /katex-display/);
  });

  it("lets a display formula interrupt a paragraph", () => {
    const html = renderMarkdown("text\n$$\nx\n$$\nmore");
    assert.match(html, /<p>text<\/p>\s*<div class="cw-math cw-math-display">/);
    assert.match(html, /<p>more<\/p>/);
  });

  it("keeps prices as text", () => {
    assert.equal(renderMarkdown("It costs $5 and $10."), "<p>It costs $5 and $10.</p>\n");
    assert.equal(renderMarkdown("Between $5 and $ 10"), "<p>Between $5 and $ 10</p>\n");
  });

  it("requires the closing $ not to be followed by a digit", () => {
    assert.equal(katexCount(renderMarkdown("from $a$5 on")), 0);
  });

  it("keeps an escaped dollar as a dollar", () => {
    assert.equal(renderMarkdown("\\$x$ costs"), "<p>$x$ costs</p>\n");
  });

  it("does not touch math inside code spans or code blocks", () => {
    const html = renderMarkdown("`$x$` and `\\(y\\)`\n\n```\n$$z$$\n\\[w\\]\n```");
    assert.equal(katexCount(html), 0);
    assert.match(html, /<code>\$x\$<\/code>/);
    assert.match(html, /\$\$z\$\$\n\\\[w\\\]/);
  });

  it("does not pair emphasis across a formula", () => {
    const html = renderMarkdown("*a $b*c$ d*");
    assert.match(html, /^<p><em>a <span class="cw-math">/);
    assert.match(html, /<\/span> d<\/em><\/p>/);
  });

  it("renders a long paragraph the same whether or not it is split into short ones", () => {
    // the inline start() looks ahead a bounded window; links, emphasis and math past it must survive
    const sentence = "Words and **bold words** then https://example.com/a_b and www.example.org and _em_ ok. ";
    const long = sentence.repeat(60) + "Finally $x^2$ here.";
    const html = renderMarkdown(long);
    assert.equal((html.match(/<strong>bold words<\/strong>/g) ?? []).length, 60);
    assert.equal((html.match(/<a href="https:\/\/example.com\/a_b"/g) ?? []).length, 60);
    assert.equal((html.match(/<a href="http:\/\/www.example.org"/g) ?? []).length, 60);
    assert.equal((html.match(/<em>em<\/em>/g) ?? []).length, 60);
    assert.equal(katexCount(html), 1);
  });

  it("shows invalid TeX as an error instead of throwing", () => {
    const html = renderMarkdown("$$\\frac{1}{$$");
    assert.match(html, /katex-error|color:#cc0000/);
  });
});

describe("renderMarkdown: citation markers", () => {
  it("renders the kernel's [^N] markers as superscript links, never inside code", () => {
    const html = renderMarkdown("Revenue grew 12%[^1][^12], `[^3]` and [^x] stay text.\n\n```\n[^4]\n```");
    assert.match(html, /12%<sup class="cw-cite-ref"><a href="#cw-source-1" data-cite="1" aria-label="Source 1">1<\/a><\/sup><sup class="cw-cite-ref"><a [^>]*data-cite="12"/);
    assert.match(html, /<code>\[\^3\]<\/code> and \[\^x\] stay text/);
    assert.match(html, /<code class="hljs">\[\^4\]<\/code>/);
    assert.equal((html.match(/cw-cite-ref/g) ?? []).length, 2);
  });

  it("keeps a marker after emphasis, a link and math", () => {
    const html = renderMarkdown("**grew**[^1] [site](https://example.com)[^2] $x^2$[^3]");
    assert.deepEqual([...html.matchAll(/data-cite="(\d+)"/g)].map((m) => m[1]), ["1", "2", "3"]);
    assert.match(html, /<strong>grew<\/strong><sup/);
  });
});
