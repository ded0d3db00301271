"""Small things a person notices (issue 22, item 9), in JupyterLab + Chromium, in the light and the dark theme: a
code block scrolls sideways in a narrow widget instead of wrapping mid-token, its Copy button can be seen at rest,
and a finished answer's notices (cut at max_tokens; recovered) are drawn in JupyterLab's palette, readable in both
themes."""

from __future__ import annotations

from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import ROOT, Lab, show_widget

pytestmark = pytest.mark.browser
RESULTS = ROOT / "test-results"

LONG_LINE = (
    'summary = sales.groupby("region_of_the_store").agg(total_units_sold_this_quarter=("units_sold", "sum"))'
    ".reset_index()"
)
ANSWER = (
    'Group with `sales.groupby("region_of_the_store")` and sum the units:\n\n'
    f"```python\n{LONG_LINE}\nprint(summary)\n```\n\nThen look at the regions one by one."
)

# The contrast (WCAG) of an element's text on the colour behind it, and what hides it: everything in the page.
CONTRAST = """el => {
  const rgba = (c) => {  // "rgb(…)", "rgba(…)" or, from color-mix(), "color(srgb r g b / a)" in 0…1
    const m = c.replace(/^color\\(srgb/, "").match(/[\\d.]+/g).map(Number);
    const scale = c.startsWith("color(") ? 255 : 1;
    return [m[0] * scale, m[1] * scale, m[2] * scale, m[3] ?? 1];
  };
  const over = (top, bottom) => top.slice(0, 3).map((v, i) => v * top[3] + bottom[i] * (1 - top[3])).concat(1);
  let background = [255, 255, 255, 1];
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) layers.push(node);
  for (const node of layers.reverse()) {
    const bg = rgba(getComputedStyle(node).backgroundColor);
    if (bg[3] > 0) background = over(bg, background);
  }
  const text = over(rgba(getComputedStyle(el).color), background);
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [hi, lo] = [lum(text), lum(background)].sort((a, b) => b - a);
  let opacity = 1;
  for (const node of layers) opacity *= Number(getComputedStyle(node).opacity);
  return { contrast: (hi + 0.05) / (lo + 0.05), opacity, background };
}"""


def switch_theme(page: Any, theme: str) -> None:
    light = "true" if theme == "JupyterLab Light" else "false"
    page.evaluate("t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme)
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'", timeout=60_000)
    page.wait_for_timeout(500)  # the theme's stylesheet applied


def test_code_scrolls_in_a_narrow_widget_and_copy_and_the_notice_read_in_both_themes(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    recovered = "An answer that survives a dropped connection. " * 6
    slow_server.enqueue(
        Script(text=ANSWER, stop_reason="max_tokens", delay=0.005),
        Script(text=recovered, delay=0.005, fault="drop", fault_after=100),  # the second answer: dropped, then
        Script(text=recovered, delay=0.005),  # resumed by the kernel
    )
    widget = show_widget(page, lab, "small.ipynb", "from claude_widget import Chat\nw = Chat().send('go')\nw",
                         "w2 = Chat().send('again')\nw2")  # fmt: skip
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=60_000)
    second = page.locator(".cw-root").nth(1)
    page.wait_for_function("el => el.dataset.status === 'done'", arg=second.element_handle(), timeout=60_000)
    info = second.locator("[data-role=notice]")
    info.wait_for(state="visible")
    assert info.inner_text().startswith("Recovered") and info.get_attribute("data-tone") == "info"
    widget.evaluate("el => { el.style.width = '600px'; }")  # a narrow layout: a side-by-side panel, a small screen
    RESULTS.mkdir(exist_ok=True)

    # A code block keeps its lines whole and scrolls sideways (JupyterLab's output `pre` rule would wrap it mid-token).
    pre = widget.locator(".cw-code pre")
    style = pre.evaluate("p => { const s = getComputedStyle(p); return [s.whiteSpace, s.wordBreak, s.overflowX]; }")
    assert style == ["pre", "normal", "auto"]
    assert pre.evaluate("p => p.scrollWidth > p.clientWidth + 100")  # the long line runs on, to be scrolled to
    line_height = pre.evaluate("p => parseFloat(getComputedStyle(p).lineHeight)")
    assert pre.locator("code").evaluate("c => c.getBoundingClientRect().height") < 2.5 * line_height  # two lines
    # Inline code wraps at most between words, never inside its token: it fits whole on a line here.
    inline = widget.locator(".cw-content p code").first
    assert inline.evaluate("c => getComputedStyle(c).wordBreak") != "break-all"
    assert inline.evaluate("c => getComputedStyle(c).overflowWrap") != "anywhere"
    assert inline.evaluate("c => c.getClientRects().length") == 1

    copy = widget.locator("[data-role=copy-code]")
    notice = widget.locator("[data-role=notice]")
    notice.wait_for(state="visible")
    assert "token limit" in notice.inner_text()
    page.mouse.move(0, 0)  # the pointer away: the Copy button at rest
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        switch_theme(page, theme)
        name = "dark" if "Dark" in theme else "light"
        # Copy, at rest: fully opaque, its text readable (4.5:1) on what is behind it.
        seen = copy.evaluate(CONTRAST)
        assert seen["opacity"] == 1 and seen["contrast"] >= 4.5, (theme, seen)
        # The notice: the error banner's shape in JupyterLab's warning colour, its text readable on its tint.
        told = notice.locator(".cw-notice-text").evaluate(CONTRAST)
        assert told["contrast"] >= 4.5, (theme, told)
        red, _green, blue, _alpha = told["background"]
        assert red > blue, (theme, told)  # warm: the warning palette, not the info cyan
        edge = notice.evaluate(
            "n => { const s = getComputedStyle(n); const probe = document.createElement('span');"
            " probe.style.color = 'var(--jp-warn-color1)'; n.append(probe);"
            " const warn = getComputedStyle(probe).color; probe.remove();"
            " return [s.borderLeftWidth, s.borderLeftColor, warn]; }"
        )
        assert edge[0] == "4px" and edge[1] == edge[2], (theme, edge)
        # A notice that the answer is whole (it recovered) in JupyterLab's info colour, as readable.
        calm = info.locator(".cw-notice-text").evaluate(CONTRAST)
        assert calm["contrast"] >= 4.5 and calm["background"][2] > calm["background"][0], (theme, calm)
        info.screenshot(path=RESULTS / f"notice-recovered-{name}.png")
        widget.screenshot(path=RESULTS / f"small-things-{name}.png")
        widget.locator(".cw-code").screenshot(path=RESULTS / f"code-block-600px-{name}.png")
    switch_theme(page, "JupyterLab Light")


def test_the_error_banner_reads_in_both_themes(lab: Lab, page: Any, slow_server: FakeAnthropic) -> None:
    """The error banner in JupyterLab's palette, as the notice is: red when the request failed, amber while the kernel
    retries, its text readable (4.5:1) in the light and the dark theme (JupyterLab's --jp-error-color3 and
    --jp-warn-color3 stay light in the dark theme, so its orange and red text on them read at 3:1 or less)."""
    slow_server.enqueue(
        Script(status=400, error_message="max_tokens: 999999 > 64000, which is the maximum"),
        Script(status=529, headers={"retry-after": "600"}),  # Retry: overloaded, retried long after the test ends
    )
    widget = show_widget(page, lab, "banner.ipynb", "from claude_widget import Chat\nw = Chat().send('hi')\nw")
    widget.evaluate("el => { el.style.width = '600px'; }")
    banner = widget.locator("[data-role=error]")
    banner.wait_for(state="visible", timeout=60_000)

    def readable(tone: str) -> None:
        page.wait_for_function(f"el => el.dataset.tone === '{tone}'", arg=banner.element_handle(), timeout=60_000)
        for theme in ("JupyterLab Light", "JupyterLab Dark"):
            switch_theme(page, theme)
            seen = banner.locator("[data-role=error-text]").evaluate(CONTRAST)
            assert seen["contrast"] >= 4.5, (tone, theme, seen)
            red, green, blue, _alpha = seen["background"]
            assert red > blue, (tone, theme, seen)  # warm: the error or warning palette
            if tone == "error":
                assert red - green > 12, (tone, theme, seen)  # red, not the amber of a retry
            colour = "error" if tone == "error" else "warn"
            edge = banner.evaluate(
                "(n, colour) => { const s = getComputedStyle(n); const probe = document.createElement('span');"
                " probe.style.color = `var(--jp-${colour}-color1)`; n.append(probe);"
                " const want = getComputedStyle(probe).color; probe.remove();"
                " return [s.borderLeftWidth, s.borderLeftColor, want]; }",
                colour,
            )
            assert edge[0] == "4px" and edge[1] == edge[2], (tone, theme, edge)
            print(tone, theme, round(seen["contrast"], 2))
            name = "dark" if "Dark" in theme else "light"
            banner.screenshot(path=RESULTS / f"error-banner-{tone}-{name}.png")
            widget.screenshot(path=RESULTS / f"error-banner-widget-{tone}-{name}.png")
        switch_theme(page, "JupyterLab Light")

    readable("error")  # a 400: the request failed, Retry offered
    widget.locator("[data-role=retry]").click()
    readable("warn")  # a 529: the kernel waits, then retries by itself
    # Stop the wait, so its retry does not take a later test's script from the shared server.
    widget.locator("[data-role=stop]").click()
    page.wait_for_function("el => el.dataset.status === 'stopped'", arg=widget.element_handle(), timeout=60_000)
