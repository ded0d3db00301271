"""Cost of rendering a streamed answer in the browser: the real renderer against a naive full re-render.

Feeds a ~50,000-character answer (prose, code, tables, math) as 3-character deltas into the renderer
(js/src/content_renderer.js, bundled with the test harness) in headless Chromium, and reports:

- cost per delta at the start vs at the end (median over windows of deltas, every delta rendered, with a forced
  layout after each render);
- main-thread busy % when the deltas arrive at 1,000 a second and the renderer runs once per animation frame
  (more often than the view, which renders once per kernel message, at most ~30 a second); the longest frame's
  work and long tasks (> 50 ms);
- total main-thread time against a naive renderer that re-parses the whole text and sets `innerHTML` on every
  delta. The naive renderer is too slow to run on the whole answer (minutes), so its per-delta cost is sampled at
  evenly spaced lengths and integrated over all deltas; the integration is checked against a full naive run on
  a prefix of the answer.

    .venv/bin/python bench/render.py [--json PATH]

Absolute times on a shared machine are noisy; read the ratios. Not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.harness import build_harness, serve_directory  # noqa: E402
from tests.support.lab import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

STEP = 3
TARGET_CHARS = 50_000
WINDOW = 500  # deltas per window for the start/end medians
NAIVE_SAMPLES = 12  # lengths at which the naive renderer's per-delta cost is sampled
NAIVE_REPEATS = 5  # deltas measured at each sampled length
NAIVE_PREFIX_DELTAS = 1_500  # full naive run used to check the sampled estimate


def make_answer(target: int = TARGET_CHARS) -> str:
    """A deterministic answer shaped like a long technical reply: sections of prose, code, a table, math, a list."""
    parts: list[str] = []
    n = 0
    while sum(map(len, parts)) < target:
        n += 1
        parts.append(f"## Section {n}: streaming and rendering\n")
        parts.append(
            f"Paragraph {n} explains the idea with **bold words**, *emphasis*, `inline_code({n})` and a formula "
            f"$a_{n}^2 + b^2 = c^2$. The cost of each step should stay flat as the answer grows; a naive renderer "
            "re-parses everything on each token, which is quadratic overall. See [the docs](https://example.com/docs)."
            "\n"
        )
        parts.append(
            "```python\n"
            f"def step_{n}(values: list[float]) -> float:\n"
            '    """Sum the squares, skipping negatives."""\n'
            "    total = 0.0\n"
            "    for v in values:\n"
            "        if v < 0:\n"
            "            continue\n"
            "        total += v * v\n"
            f"    return total / {n}\n"
            "```\n"
        )
        parts.append(
            "| input | output | note |\n|:------|-------:|:----:|\n"
            + "".join(f"| {i} | {i * i} | row {i} of section {n} |\n" for i in range(1, 6))
        )
        parts.append(f"$$\n\\sum_{{i=1}}^{{{n}}} i^2 = \\frac{{{n}({n}+1)(2\\cdot {n}+1)}}{{6}}\n$$\n")
        parts.append(f"1. First point of section {n}\n2. Second point, with `code`\n   - a nested detail\n")
    return "\n".join(parts)


PER_DELTA = """async ([text, step]) => {
  const content = cw.mount("per-delta");
  const renderer = cw.createContentRenderer(content);
  const times = [];
  for (let end = step; end < text.length + step; end += step) {
    const t0 = performance.now();
    renderer.render(text.slice(0, Math.min(end, text.length)), false);
    content.offsetHeight;
    times.push(performance.now() - t0);
  }
  const t0 = performance.now();
  renderer.render(text, true);
  content.offsetHeight;
  const finalMs = performance.now() - t0;
  const fresh = cw.mount("fresh");
  cw.oneShot(fresh, text);
  const same = fresh.innerHTML === content.innerHTML;
  content.parentElement.remove();
  fresh.parentElement.remove();
  return { times, finalMs, same };
}"""

REAL_TIME = """async ([text, step, perSecond]) => {
  const content = cw.mount("real-time");
  const renderer = cw.createContentRenderer(content);
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push(e.duration);
  });
  observer.observe({ type: "longtask", buffered: false });
  const deltas = Math.ceil(text.length / step);
  let fed = 0, busy = 0, frames = 0, longestFrameWork = 0, frame = 0, lastFrameAt = 0, longestGap = 0;
  const start = performance.now();
  await new Promise((resolve) => {
    const paint = (now) => {
      frame = 0;
      if (lastFrameAt) longestGap = Math.max(longestGap, now - lastFrameAt);
      lastFrameAt = now;
      const t0 = performance.now();
      renderer.render(text.slice(0, Math.min(fed * step, text.length)), fed >= deltas);
      content.offsetHeight;
      const work = performance.now() - t0;
      busy += work;
      frames += 1;
      longestFrameWork = Math.max(longestFrameWork, work);
      if (fed >= deltas) resolve();
    };
    const feed = () => {
      const t0 = performance.now();
      fed = Math.min(deltas, Math.floor((t0 - start) * perSecond / 1000));
      if (!frame) frame = requestAnimationFrame(paint);
      busy += performance.now() - t0;
      if (fed < deltas) setTimeout(feed, 1);
    };
    feed();
  });
  const wall = performance.now() - start;
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  content.parentElement.remove();
  return { wall, busy, frames, longestFrameWork, longestGap, longTasks };
}"""

# Where the cost at the end comes from: the renderer alone, and the renderer plus a forced layout.
SPLIT = """([text, step, n]) => {
  // warm up the JIT on a throwaway view first, so the start is not charged for compilation
  const warmup = cw.mount("warm-up");
  const warm = cw.createContentRenderer(warmup);
  for (let end = step; end < 2000 * step; end += step) warm.render(text.slice(0, end), false);
  warmup.parentElement.remove();
  const content = cw.mount("split");
  const renderer = cw.createContentRenderer(content);
  const mean = (from, layout) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      renderer.render(text.slice(0, from + i * step), false);
      if (layout) content.offsetHeight;
      total += performance.now() - t0;
    }
    return total / n;
  };
  const out = {};
  out.startRender = mean(step, false);
  out.startLayout = mean(step + n * step, true);
  const endFrom = text.length - 2 * n * step;
  for (let end = (2 * n + 1) * step; end < endFrom; end += 50 * step) renderer.render(text.slice(0, end), false);
  out.endRender = mean(endFrom, false);
  out.endLayout = mean(endFrom + n * step, true);
  content.parentElement.remove();
  return out;
}"""

NAIVE_AT = """([text, lengths, repeats, step]) => {
  const content = cw.mount("naive");
  const out = [];
  for (const length of lengths) {
    const times = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      content.innerHTML = cw.renderMarkdown(text.slice(0, Math.min(length + r * step, text.length)));
      content.offsetHeight;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out.push(times[Math.floor(times.length / 2)]);
  }
  content.parentElement.remove();
  return out;
}"""

NAIVE_PREFIX = """([text, deltas, step]) => {
  const content = cw.mount("naive-prefix");
  let total = 0;
  for (let i = 1; i <= deltas; i++) {
    const t0 = performance.now();
    content.innerHTML = cw.renderMarkdown(text.slice(0, i * step));
    content.offsetHeight;
    total += performance.now() - t0;
  }
  content.parentElement.remove();
  return total;
}"""


def integrate(lengths: list[int], per_delta_ms: list[float], deltas: int, step: int) -> float:
    """Total ms over deltas 1..deltas, with per-delta cost interpolated linearly between sampled text lengths."""
    total = 0.0
    for i in range(1, deltas + 1):
        length = i * step
        j = max(k for k in range(len(lengths)) if lengths[k] <= length) if length >= lengths[0] else 0
        if j + 1 < len(lengths):
            a, b = lengths[j], lengths[j + 1]
            t = min(max((length - a) / (b - a), 0.0), 1.0)
            total += per_delta_ms[j] + t * (per_delta_ms[j + 1] - per_delta_ms[j])
        else:
            total += per_delta_ms[-1]
    return total


def run() -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    text = make_answer()
    deltas = -(-len(text) // STEP)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        directory = Path(tmp)
        build_harness(directory)
        server, base = serve_directory(directory)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.set_default_timeout(0)
        page.goto(f"{base}/harness.html")
        page.wait_for_function("() => window.cw !== undefined")
        version = browser.version

        per_delta = page.evaluate(PER_DELTA, [text, STEP])
        real_time = page.evaluate(REAL_TIME, [text, STEP, 1000])
        split = page.evaluate(SPLIT, [text, STEP, WINDOW])
        lengths = [round(1 + k * (len(text) - 1) / (NAIVE_SAMPLES - 1)) for k in range(NAIVE_SAMPLES)]
        naive_at = page.evaluate(NAIVE_AT, [text, lengths, NAIVE_REPEATS, STEP])
        prefix_lengths = [round(1 + k * (NAIVE_PREFIX_DELTAS * STEP - 1) / 5) for k in range(6)]
        prefix_at = page.evaluate(NAIVE_AT, [text, prefix_lengths, NAIVE_REPEATS, STEP])
        naive_prefix_ms = page.evaluate(NAIVE_PREFIX, [text, NAIVE_PREFIX_DELTAS, STEP])
        browser.close()
        server.shutdown()

    times: list[float] = per_delta["times"]
    start_ms = statistics.median(times[:WINDOW])
    end_ms = statistics.median(times[-WINDOW:])
    renderer_total = sum(times) + per_delta["finalMs"]
    naive_total = integrate(lengths, naive_at, deltas, STEP)
    prefix_estimate = integrate(prefix_lengths, prefix_at, NAIVE_PREFIX_DELTAS, STEP)
    return {
        "machine": f"{platform.machine()}, {platform.system()} {platform.release()}, Chromium {version}",
        "answer_chars": len(text),
        "deltas": deltas,
        "code_blocks": text.count("```python"),
        "tables": text.count("|:------|"),
        "display_math": text.count("$$\n") // 2,
        "streamed_equals_one_shot": per_delta["same"],
        "per_delta_ms_start": start_ms,
        "per_delta_ms_end": end_ms,
        "end_over_start": end_ms / start_ms,
        "per_delta_mean_ms_start": statistics.fmean(times[:WINDOW]),
        "per_delta_mean_ms_end": statistics.fmean(times[-WINDOW:]),
        "warm_render_only_ms_start": split["startRender"],
        "warm_render_only_ms_end": split["endRender"],
        "warm_render_layout_ms_start": split["startLayout"],
        "warm_render_layout_ms_end": split["endLayout"],
        "per_delta_ms_p99": sorted(times)[int(len(times) * 0.99)],
        "per_delta_ms_max": max(times),
        "final_render_ms": per_delta["finalMs"],
        "renderer_total_ms_every_delta": renderer_total,
        "realtime_wall_ms": real_time["wall"],
        "realtime_busy_ms": real_time["busy"],
        "realtime_busy_pct": 100 * real_time["busy"] / real_time["wall"],
        "realtime_frames": real_time["frames"],
        "realtime_longest_frame_work_ms": real_time["longestFrameWork"],
        "realtime_longest_frame_gap_ms": real_time["longestGap"],
        "realtime_long_tasks_ms": real_time["longTasks"],
        "naive_sampled_lengths": lengths,
        "naive_per_delta_ms": naive_at,
        "naive_total_ms_estimated": naive_total,
        "naive_prefix_deltas": NAIVE_PREFIX_DELTAS,
        "naive_prefix_ms_measured": naive_prefix_ms,
        "naive_prefix_ms_estimated": prefix_estimate,
        "naive_over_renderer_every_delta": naive_total / renderer_total,
        "naive_over_renderer_realtime": naive_total / real_time["busy"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    r = run()
    print(f"machine: {r['machine']}")
    print(
        f"answer: {r['answer_chars']:,} chars, {r['deltas']:,} deltas of {STEP} chars "
        f"({r['code_blocks']} code blocks, {r['tables']} tables, {r['display_math']} display formulas); "
        f"streamed == one-shot: {r['streamed_equals_one_shot']}"
    )
    print(
        f"per delta (median of {WINDOW}): start {r['per_delta_ms_start']:.3f} ms, end {r['per_delta_ms_end']:.3f} ms "
        f"-> end/start {r['end_over_start']:.2f}x "
        f"(p99 {r['per_delta_ms_p99']:.2f} ms, max {r['per_delta_ms_max']:.1f} ms); "
        f"final render {r['final_render_ms']:.1f} ms"
    )
    print(
        f"per delta (mean of {WINDOW}): start {r['per_delta_mean_ms_start']:.3f} ms, "
        f"end {r['per_delta_mean_ms_end']:.3f} ms; "
        f"JIT warm, renderer alone: start {r['warm_render_only_ms_start']:.3f} ms, "
        f"end {r['warm_render_only_ms_end']:.3f} ms; "
        f"renderer + forced layout: start {r['warm_render_layout_ms_start']:.3f} ms, "
        f"end {r['warm_render_layout_ms_end']:.3f} ms"
    )
    print(
        f"at 1,000 deltas/s, once per frame: busy {r['realtime_busy_pct']:.1f}% "
        f"of {r['realtime_wall_ms'] / 1000:.1f} s, "
        f"{r['realtime_frames']} frames, longest frame work {r['realtime_longest_frame_work_ms']:.1f} ms, "
        f"longest gap between frames {r['realtime_longest_frame_gap_ms']:.1f} ms, "
        f"long tasks (> 50 ms): {len(r['realtime_long_tasks_ms'])} {[round(t) for t in r['realtime_long_tasks_ms']]}"
    )
    print(
        f"naive per delta at {r['naive_sampled_lengths'][1]:,} / {r['answer_chars']:,} chars: "
        f"{r['naive_per_delta_ms'][1]:.1f} / {r['naive_per_delta_ms'][-1]:.1f} ms; naive prefix check "
        f"({r['naive_prefix_deltas']:,} deltas): measured {r['naive_prefix_ms_measured'] / 1000:.1f} s, "
        f"estimated {r['naive_prefix_ms_estimated'] / 1000:.1f} s"
    )
    print(
        f"total main-thread time: renderer {r['renderer_total_ms_every_delta'] / 1000:.1f} s rendering every delta, "
        f"{r['realtime_busy_ms'] / 1000:.1f} s once per frame; "
        f"naive (estimated) {r['naive_total_ms_estimated'] / 1000:.0f} s "
        f"-> {r['naive_over_renderer_every_delta']:.0f}x / {r['naive_over_renderer_realtime']:.0f}x less"
    )
    if args.json:
        args.json.write_text(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
