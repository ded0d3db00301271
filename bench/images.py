"""What a figure or a photo costs to send (images.py): the bytes of the image block's data and its base64 text,
the pixels, the input tokens the API counts for it (width × height / 750), and the time to render and encode, for
typical matplotlib figures and a photo-like Pillow image. Best of five runs.

    .venv/bin/python bench/images.py
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import matplotlib
import numpy as np
from PIL import Image as PillowImage

from claude_widget.api.request_tokens import estimate_tokens
from claude_widget.context.images import image_of

matplotlib.use("Agg")
import matplotlib.pyplot as plt

RUNS = 5


def line_plot() -> object:
    figure, axes = plt.subplots()  # matplotlib's default 6.4 × 4.8 in
    x = np.linspace(0, 10, 500)
    axes.plot(x, np.sin(x), label="sin")
    axes.plot(x, np.cos(x), label="cos")
    axes.legend()
    axes.set_title("A typical line plot")
    return figure


def scatter() -> object:
    figure, axes = plt.subplots(figsize=(8, 6))
    rng = np.random.default_rng(0)
    axes.scatter(rng.normal(size=10_000), rng.normal(size=10_000), s=3, alpha=0.4)
    return figure


def dashboard() -> object:
    figure, grid = plt.subplots(2, 3, figsize=(16, 9))
    rng = np.random.default_rng(1)
    for axes in grid.flat:
        axes.hist(rng.normal(size=2_000), bins=40)
    return figure


def photo() -> object:
    rng = np.random.default_rng(2)
    smooth = np.cumsum(np.cumsum(rng.normal(size=(3000, 4000, 3)), axis=0), axis=1)
    scaled = (255 * (smooth - smooth.min()) / np.ptp(smooth)).astype(np.uint8)
    return PillowImage.fromarray(scaled)  # a 12-megapixel camera-sized image


def main() -> None:
    cases: list[tuple[str, Callable[[], object]]] = [
        ("line plot, 6.4 × 4.8 in", line_plot), ("scatter, 10,000 points, 8 × 6 in", scatter),
        ("2 × 3 histograms, 16 × 9 in", dashboard), ("photo-like image, 4000 × 3000 px", photo),
    ]  # fmt: skip
    print(f"{'':36} {'pixels':>12} {'format':>6} {'bytes':>9} {'base64':>9} {'tokens':>7} {'time':>8}")
    for name, make in cases:
        obj = make()
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            image = image_of(obj)
            times.append(time.perf_counter() - started)
        header = image.header
        tokens = -(-header.width * header.height // 750)
        print(f"{name:36} {header.width:>5} × {header.height:<5} {header.media_type[6:]:>6} {len(image.data):>9,}"
              f" {len(base64.b64encode(image.data)):>9,} {tokens:>7,} {min(times) * 1000:>6.0f} ms")  # fmt: skip
        plt.close("all")
    print(
        f"(as text, the same base64 would be ~{estimate_tokens('x' * 100_000):,} tokens per 100 KB: images are"
        " counted by pixels, not bytes)"
    )


if __name__ == "__main__":
    main()
