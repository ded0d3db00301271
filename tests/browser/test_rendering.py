"""The streaming markdown renderer in Chromium: streamed == one-shot, frozen blocks stay put, model text is inert.

The renderer runs alone in a harness page (js/test/harness/harness.js, bundled by `node build.mjs --harness`)
served from a temporary directory on 127.0.0.1; every request to anywhere else is refused and reported.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from ..support.harness import build_harness, serve_directory
from .conftest import ROOT, Lab, open_notebook, run_all_cells

pytestmark = pytest.mark.browser

CORPUS = ROOT / "js" / "test" / "corpus"
FIDELITY_DOCS = sorted((CORPUS / "fidelity").glob("*.md"))
INJECTIONS: list[str] = json.loads((CORPUS / "injection.json").read_text())
RESULTS = ROOT / "test-results"
HARNESS_FILES = {"harness.html", "harness.js", "harness.css"}
# Counts calls instead of alerting; every injection payload calls it.
PWNED_PROBE = "window.__pwnedCount = 0; window.__pwned = () => { window.__pwnedCount += 1; };"


@pytest.fixture(scope="module")
def harness_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("harness")
    build_harness(directory)
    server, base = serve_directory(directory)
    yield base
    server.shutdown()


class HarnessPage:
    """A page with the renderer loaded; records every request and refuses those not for the harness itself."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1000, "height": 800})
        self.requests: list[str] = []
        self.refused: list[str] = []
        self.context.route("**/*", self._route)
        self.context.add_init_script(PWNED_PROBE)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(f"{base}/harness.html")
        self.page.wait_for_function("() => window.cw !== undefined")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base + "/") and url.removeprefix(self.base + "/") in HARNESS_FILES:
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def foreign_requests(self) -> list[str]:
        own = {f"{self.base}/{name}" for name in HARNESS_FILES}
        return [url for url in self.requests if url not in own] + self.refused

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


@pytest.fixture(scope="module")
def harness(browser: Any, harness_url: str) -> Iterator[HarnessPage]:
    page = HarnessPage(browser, harness_url)
    yield page
    page.context.close()


STREAM_AND_ONE_SHOT = """([text, step]) => {
  const streamed = cw.mount("streamed");
  const fresh = cw.mount("fresh");
  const run = cw.stream(streamed, text, step);
  cw.oneShot(fresh, text);
  const first = streamed.querySelector(".cw-block");
  return {
    stats: run.stats,
    streamedHtml: streamed.innerHTML, freshHtml: fresh.innerHTML,
    streamedText: streamed.textContent, freshText: fresh.textContent,
    blocks: streamed.children.length,
  };
}"""


@pytest.mark.parametrize("doc", FIDELITY_DOCS, ids=[p.stem for p in FIDELITY_DOCS])
def test_streamed_in_3_character_deltas_equals_a_one_shot_render(harness: HarnessPage, doc: Path) -> None:
    text = doc.read_text()
    result = harness.evaluate(STREAM_AND_ONE_SHOT, [text, 3])
    assert result["streamedText"] == result["freshText"]
    assert result["streamedHtml"] == result["freshHtml"]
    if "late-reference" in doc.stem:
        # the uses came before their definitions: only the final render can link them
        assert result["stats"]["corrected"] >= 1
        assert 'href="https://example.com/docs"' in result["streamedHtml"]
    else:
        assert result["stats"]["corrected"] == 0, "a block frozen while streaming differed from the final render"
    if len(text) > 200 and "unclosed" not in doc.stem:
        assert result["stats"]["frozen"] >= 2, "blocks froze while streaming"


def test_the_streamed_dom_equals_a_one_shot_render_also_at_other_delta_sizes(harness: HarnessPage) -> None:
    text = "\n\n".join(doc.read_text() for doc in FIDELITY_DOCS if "late-reference" not in doc.stem)
    for step in (1, 7, 50):
        result = harness.evaluate(STREAM_AND_ONE_SHOT, [text, step])
        assert result["streamedHtml"] == result["freshHtml"], step
        assert result["stats"]["corrected"] == 0, step


def test_finished_blocks_keep_their_nodes_and_a_text_selection_while_streaming(harness: HarnessPage) -> None:
    text = (CORPUS / "fidelity" / "15-mixed-long.md").read_text()
    result = harness.evaluate(
        """(text) => {
          const content = cw.mount("selection");
          const renderer = cw.createContentRenderer(content);
          let end = 3;
          for (; !content.querySelector(".cw-block p"); end += 3) renderer.render(text.slice(0, end), false);
          const paragraph = content.querySelector(".cw-block p");
          const range = document.createRange();
          range.setStart(paragraph.firstChild, 4);
          range.setEnd(paragraph.firstChild, 12);
          const selection = getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          const selected = selection.toString();
          for (; end < text.length; end += 3) renderer.render(text.slice(0, end), false);
          renderer.render(text, true);
          return { selected, after: getSelection().toString(), connected: paragraph.isConnected,
                   same: content.querySelector(".cw-block p") === paragraph };
        }""",
        text,
    )
    assert result["selected"] == "function"
    assert result["after"] == result["selected"]
    assert result["connected"] and result["same"]


def test_an_open_code_block_is_plain_text_and_highlighted_once_closed(harness: HarnessPage) -> None:
    result = harness.evaluate(
        """() => {
          const content = cw.mount("code");
          const renderer = cw.createContentRenderer(content);
          const open = "Intro\\n\\n```python\\ndef f(x):\\n    return x\\n";
          renderer.render(open, false);
          const whileOpen = content.querySelectorAll(".hljs-keyword").length;
          const plain = content.querySelector(".cw-tail pre code")?.textContent;
          renderer.render(open + "```\\n\\nAfter", false);
          const frozen = content.querySelectorAll(".cw-block .hljs-keyword").length;
          return { whileOpen, plain, frozen };
        }"""
    )
    assert result["whileOpen"] == 0
    assert result["plain"] == "def f(x):\n    return x"
    assert result["frozen"] == 2


def test_incomplete_markdown_in_the_tail_is_healed_for_display(harness: HarnessPage) -> None:
    result = harness.evaluate(
        """() => {
          const content = cw.mount("heal");
          const renderer = cw.createContentRenderer(content);
          const shots = {};
          for (const text of ["Some **bold", "Run `pip inst", "See [the docs](https://exa", "$$\\nx^2"]) {
            renderer.render(text, false);
            shots[text] = content.querySelector(".cw-tail").innerHTML;
          }
          return shots;
        }"""
    )
    assert "<strong>bold</strong>" in result["Some **bold"]
    assert "<code>pip inst</code>" in result["Run `pip inst"]
    assert "See the docs" in result["See [the docs](https://exa"] and "<a" not in result["See [the docs](https://exa"]
    assert "katex" in result["$$\nx^2"]


def test_finished_blocks_are_announced_one_at_a_time_not_per_token(harness: HarnessPage) -> None:
    text = (CORPUS / "fidelity" / "15-mixed-long.md").read_text()
    said = harness.evaluate("(text) => cw.stream(cw.mount('announce'), text, 3).said", text)
    assert said[0] == "Overview"
    assert "Code block in javascript." in said
    assert said[-1] == "Final words."
    assert len(said) == 7  # one per block, against ~200 deltas


def test_injected_markup_never_runs_nor_fetches(browser: Any, harness_url: str) -> None:
    harness = HarnessPage(browser, harness_url)  # a page of its own: only the payloads are on it
    try:
        check_injections(harness)
    finally:
        harness.context.close()


def check_injections(harness: HarnessPage) -> None:
    result = harness.evaluate(
        """(payloads) => {
          const unsafe = {};
          for (const [i, payload] of payloads.entries()) {
            const run = cw.stream(cw.mount(`payload ${i}`), payload, 3, { check: true });
            if (run.unsafe.length) unsafe[payload] = run.unsafe;
          }
          return { unsafe, links: document.querySelectorAll("a").length };
        }""",
        INJECTIONS,
    )
    assert result["unsafe"] == {}
    assert result["links"] > 0
    # Click everything clickable that would not open a web page in a new tab.
    clickable = harness.page.locator("a:not([href^='http:']):not([href^='https:']), [href], [onclick], button, summary")
    clicked = 0
    for index in range(clickable.count()):
        element = clickable.nth(index)
        href = element.get_attribute("href") or ""
        if href.startswith(("http:", "https:")):
            continue
        element.evaluate("el => el.click()")
        clicked += 1
    harness.page.wait_for_timeout(300)
    assert clicked > 0
    assert harness.evaluate("() => window.__pwnedCount") == 0
    assert harness.page.url == f"{harness.base}/harness.html"
    assert harness.foreign_requests() == []


def test_injections_are_shown_as_text(harness: HarnessPage) -> None:
    shown = harness.evaluate(
        """(payloads) => payloads.slice(0, 3).map((p) => {
          const content = cw.mount("text");
          cw.stream(content, p, 3);
          return content.textContent;
        })""",
        INJECTIONS,
    )
    assert shown[0].strip() == INJECTIONS[0]  # "<script>…</script>" is visible, verbatim
    assert "<script>" in shown[1] and "<img" in shown[2]


THEMED_ANSWER = """## Rendering check

A paragraph with **bold**, *italic*, `inline code`, a [link](https://example.com) and $e^{i\\pi} + 1 = 0$.

- [x] task done
- [ ] task open

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"  # a comment
```

| Left | Right |
|:-----|------:|
| a | 1 |
| b | 2 |

> A quote with ![a remote image](https://example.com/i.png) shown as a link.

$$
\\int_0^1 x^2 \\, dx = \\frac{1}{3}
$$
"""


def test_follows_jupyterlab_light_and_dark_themes(lab: Lab, page: Any, slow_server: FakeAnthropic) -> None:
    slow_server.enqueue(Script(text=THEMED_ANSWER, chunk_size=3, delay=0.002))
    name = lab.add_notebook("themes.ipynb", "from claude_widget import Chat\nChat().send('Show me everything')")
    open_notebook(page, lab, name)
    run_all_cells(page)
    widget = page.locator(".cw-root").first
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=60_000)
    content = widget.locator("[data-role=content]")
    assert content.locator("input[type=checkbox][disabled]").count() == 2
    assert content.locator(".katex").count() == 2
    colours = "el => [getComputedStyle(el).color, getComputedStyle(el.closest('.cw-root')).backgroundColor]"
    RESULTS.mkdir(exist_ok=True)
    shots = {}
    try:
        for theme, file in (("JupyterLab Light", "theme-light.png"), ("JupyterLab Dark", "theme-dark.png")):
            page.evaluate("(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme)
            page.wait_for_function(
                "(theme) => document.body.dataset.jpThemeName === theme"
                " && !document.body.classList.contains('lm-mod-busy')",
                arg=theme,
            )
            page.wait_for_timeout(500)  # the theme's stylesheet settles
            shots[theme] = content.evaluate(colours)
            widget.screenshot(path=RESULTS / file)
            if os.environ.get("UPDATE_SCREENSHOTS"):
                shutil.copy(RESULTS / file, ROOT / "docs" / "images" / file)
    finally:
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")
    light, dark = shots["JupyterLab Light"], shots["JupyterLab Dark"]
    assert light[0] != dark[0] and light[1] != dark[1], shots
