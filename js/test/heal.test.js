import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { healTail } from "../src/markdown/heal.js";
import { renderMarkdown } from "../src/markdown/markdown.js";

describe("healTail", () => {
  const cases = [
    ["closes an open code fence", "```python\nx = 1", "```python\nx = 1\n```"],
    ["closes an open fence ending in a newline", "```\nx\n", "```\nx\n```"],
    ["completes a half-typed closing fence", "```\nx\n``", "```\nx\n```"],
    ["closes a tilde fence with its own length", "~~~~\nx", "~~~~\nx\n~~~~"],
    ["does not heal inline markers inside an open fence", "```\na **b", "```\na **b\n```"],
    ["closes inline code", "run `pip inst", "run `pip inst`"],
    ["closes a double-backtick code span", "`` a ` b", "`` a ` b``"],
    ["closes bold", "a **bold", "a **bold**"],
    ["closes bold before trailing whitespace", "**bold \n", "**bold**"],
    ["closes italic with *", "an *ital", "an *ital*"],
    ["closes italic with _", "an _ital", "an _ital_"],
    ["closes nested markers innermost first", "**bold *it", "**bold *it***"],
    ["closes bold-italic", "***both", "***both***"],
    ["closes strikethrough", "~~old", "~~old~~"],
    ["closes display math", "$$\n\\frac{1}{2", "$$\n\\frac{1}{2$$"],
    ["ignores emphasis characters inside math", "$$x *y$$ and *z", "$$x *y$$ and *z*"],
    ["ignores emphasis characters inside code", "`a **b`", "`a **b`"],
    ["shows an unfinished link as its text", "see [the docs](http://parti", "see the docs"],
    ["shows an unfinished image as its alt text", "see ![alt](http://x", "see alt"],
    ["keeps finished links", "[a](https://b.c) and more", "[a](https://b.c) and more"],
    ["drops an opener with nothing after it yet", "hello **", "hello "],
    ["drops a lone trailing dollar", "costs $", "costs "],
    ["drops a lone trailing backslash", "end\\", "end"],
    ["leaves snake_case alone", "call snake_case_name", "call snake_case_name"],
    ["leaves spaced operators alone", "2 ** 3 is 8", "2 ** 3 is 8"],
    ["leaves list bullets alone", "* item\n* it", "* item\n* it"],
    ["leaves balanced markers alone", "**Note:** a *b* `c` ~~d~~", "**Note:** a *b* `c` ~~d~~"],
    ["only looks at the last block", "**a\n\nb *c", "**a\n\nb *c*"],
    ["does not carry emphasis into the next list item", "- **a\n- b", "- **a\n- b"],
    ["looks after a closed fence", "```\n*x\n```\n\nb **x", "```\n*x\n```\n\nb **x**"],
    ["leaves the empty text alone", "", ""],
    // indented code is code: nothing in it opens emphasis or a code span
    ["leaves markers inside indented code alone", "Text:\n\n    a = b ** c\n    d **e", "Text:\n\n    a = b ** c\n    d **e"],
    ["leaves a backtick inside indented code alone", "Text:\n\n    x = `a", "Text:\n\n    x = `a"],
    ["heals the paragraph after indented code only", "    a **b\nmore *it", "    a **b\nmore *it*"],
    ["heals an indented line that continues a paragraph", "Para\n    more **b", "Para\n    more **b**"],
    ["heals a line indented four inside a list item (a paragraph there)", "- a\n\n    more **b", "- a\n\n    more **b**"],
    ["a four-space indented fence is indented code, not a fence", "    ```\n    code", "    ```\n    code"],
    // a fence inside a list item ends with its item
    ["closes a fence inside a list item at its indentation", "- item\n\n  ```py\n  x = 1", "- item\n\n  ```py\n  x = 1\n  ```"],
    ["a fence in a list item ends with the item", "- item\n  ```py\n  x = 1\n- next **bo", "- item\n  ```py\n  x = 1\n- next **bo**"],
    ["a fence in an ordered item ends at the next item", "1. step\n\n   ```sh\n   pip install x\n\n2. next", "1. step\n\n   ```sh\n   pip install x\n\n2. next"],
    ["a fence in a list item ends at an unindented paragraph", "- a\n  ```\n  x\n\nafter **bold", "- a\n  ```\n  x\n\nafter **bold**"],
    ["completes a half-typed closing fence in a list item", "1. step\n   ```\n   code\n   ``", "1. step\n   ```\n   code\n   ```"],
    ["a fence in a nested item", "- a\n  - b\n    ```\n    x", "- a\n  - b\n    ```\n    x\n    ```"],
    // a fence on the item's marker line, and a fence in a block quote
    ["closes a fence opened on a list marker line", "- ```py\n  x = 1", "- ```py\n  x = 1\n  ```"],
    ["completes a half-typed closer of a marker-line fence", "1. ```\n   x\n   ``", "1. ```\n   x\n   ```"],
    ["a marker-line fence ends with its item", "- ```py\n  x\n- next **bo", "- ```py\n  x\n- next **bo**"],
    ["closes a fence in a block quote inside the quote", "> ```py\n> x = 1", "> ```py\n> x = 1\n> ```"],
    ["does not heal markers in a quoted fence", "> ```\n> a **b\n", "> ```\n> a **b\n> ```"],
    ["completes a half-typed closer in a quote", "> ```\n> x\n> ``", "> ```\n> x\n> ```"],
    ["a quoted fence ends with its quote", "> ```\n> x\n\nafter **b", "> ```\n> x\n\nafter **b**"],
    ["a fence on a marker line in a quote", "> - ```\n>   x", "> - ```\n>   x\n>   ```"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(healTail(input), expected));
  }

  it("a healed code block renders as one code block", () => {
    const html = renderMarkdown(healTail("Intro\n\n```js\nconst a = `x"));
    assert.equal((html.match(/<pre>/g) ?? []).length, 1);
    assert.match(html, /<p>Intro<\/p>/);
  });
});
