"""An image from the kernel as an API image block, sized to what the API accepts and prices well: a matplotlib
Figure or Axes (rendered as PNG), a Pillow image, anything with `_repr_png_` / `_repr_jpeg_`, or PNG, JPEG, GIF
or WebP bytes.

The long edge is brought down to `MAX_EDGE` pixels (what the API resizes to anyway, so more costs tokens and gains
nothing); the base64 text must stay within the API's 5 MB, and each side within 8,000 pixels. Plots stay PNG; a
photo becomes JPEG when that is smaller. matplotlib and Pillow are optional: used only on their own objects, and
Pillow to resize bytes that do not fit as they are.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

from ..api.limits import MAX_IMAGE_BASE64_BYTES, MAX_IMAGE_SIDE
from ..api.media import ImageHeader, has_image_signature, read_header

MAX_EDGE = 1568
FIGURE_DPI = 150  # at most: a figure larger than MAX_EDGE at this resolution is rendered at less
JPEG_QUALITY = 85
THUMBNAIL_EDGE = 96  # pixels: the chip shows it at half that, sharp on a high-density screen


@dataclass(frozen=True)
class Image:
    """The image as it is sent."""

    data: bytes
    header: ImageHeader

    @property
    def block(self) -> dict[str, Any]:
        source = {"type": "base64", "media_type": self.header.media_type, "data": base64.b64encode(self.data).decode()}
        return {"type": "image", "source": source}

    @property
    def label(self) -> str:
        kind = self.header.media_type.split("/")[1].upper()
        return f"Image · {self.header.width:,} × {self.header.height:,} {kind} · {human_size(len(self.data))}"


def is_image(obj: object) -> bool:
    """Whether `image_of` takes `obj` (checked without importing matplotlib or Pillow)."""
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return has_image_signature(bytes(obj[:16]))
    return _kind(obj) is not None


def image_of(obj: object, *, max_edge: int = MAX_EDGE) -> Image:
    """`obj` as an image the API takes; `ValueError` saying why if it cannot be made to fit."""
    max_edge = min(max_edge, MAX_IMAGE_SIDE)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return _from_bytes(bytes(obj), max_edge)
    kind = _kind(obj)
    if kind == "figure":
        return _from_figure(obj, max_edge)
    if kind == "pillow":
        return _from_pillow(obj, max_edge, photo=None)
    if kind == "repr":
        png = getattr(obj, "_repr_png_", None)
        data = png() if callable(png) else None
        if data is None:
            data = obj._repr_jpeg_()  # type: ignore[attr-defined]
        if isinstance(data, str):  # some objects return base64 text
            data = base64.b64decode(data)
        return _from_bytes(bytes(data), max_edge)
    raise TypeError(f"not an image: {type(obj).__name__}")


def thumbnail(data: str) -> str:
    """A small copy of a base64 image as a `data:` URL, for the widget's chip; "" without Pillow, or if it cannot
    decode the image (the image itself goes as it is)."""
    try:
        from PIL import Image as pillow
    except ImportError:
        return ""
    try:
        with pillow.open(io.BytesIO(base64.b64decode(data))) as opened:
            opened.draft("RGB", (THUMBNAIL_EDGE, THUMBNAIL_EDGE))  # a JPEG decodes at a fraction of its size
            small = opened.convert("RGBA" if opened.mode in ("RGBA", "LA", "PA", "P") else "RGB")
    except (OSError, ValueError):  # a format this Pillow cannot decode (WebP without libwebp): the chip's icon
        return ""
    small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), pillow.Resampling.LANCZOS)
    if small.mode == "RGBA" and small.getchannel("A").getextrema() == (255, 255):
        small = small.convert("RGB")  # a plot's PNG is opaque: JPEG is the smaller thumbnail
    fmt = "PNG" if small.mode == "RGBA" else "JPEG"
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(_encode(small, fmt)).decode()


def _kind(obj: object) -> str | None:
    module = type(obj).__module__.split(".")[0]
    if module == "matplotlib" and (hasattr(obj, "savefig") or hasattr(obj, "get_figure")):
        return "figure"
    if module == "PIL" and hasattr(obj, "save") and hasattr(obj, "size"):
        return "pillow"
    if callable(getattr(obj, "_repr_png_", None)) or callable(getattr(obj, "_repr_jpeg_", None)):
        return "repr"
    return None


def _fits(header: ImageHeader, size: int, max_edge: int) -> bool:
    return max(header.width, header.height) <= max_edge and _base64_size(size) <= MAX_IMAGE_BASE64_BYTES


def _from_bytes(data: bytes, max_edge: int) -> Image:
    header = read_header(data)
    if header is None:
        raise ValueError("these bytes are not a PNG, JPEG, GIF or WebP image")
    if _fits(header, len(data), max_edge):
        return Image(data, header)  # as given: nothing to gain from re-encoding
    pillow = _pillow(f"this {header.width} × {header.height} image ({human_size(len(data))}) must be resized to fit")
    with pillow.open(io.BytesIO(data)) as opened:
        opened.load()
        return _from_pillow(opened, max_edge, photo=header.media_type in ("image/jpeg", "image/webp"))


def _from_figure(obj: Any, max_edge: int) -> Image:
    figure = obj.get_figure() if not hasattr(obj, "savefig") else obj
    while hasattr(figure, "get_figure") and not hasattr(figure, "savefig"):  # a subfigure's parent
        figure = figure.get_figure()
    width, height = figure.get_size_inches()
    dpi = min(FIGURE_DPI, max_edge / max(width, height, 1e-6))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    data = buffer.getvalue()
    header = read_header(data)
    if header is not None and _fits(header, len(data), max_edge):
        return Image(data, header)
    return _from_bytes(data, max_edge)  # a tight bounding box can come out a little larger


def _from_pillow(image: Any, max_edge: int, *, photo: bool | None) -> Image:
    """Scaled down to `max_edge`, as PNG, or JPEG if it is a photo (no transparency) and that is smaller."""
    pillow = _pillow("")
    if max(image.size) > max_edge:
        image = image.copy()
        image.thumbnail((max_edge, max_edge), pillow.Resampling.LANCZOS)
    transparent = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):  # CMYK, YCbCr, 16-bit, float: not for PNG
        image = image.convert("RGBA" if transparent else "RGB")
    candidates = [_encode(image, "PNG")]
    if not transparent and photo is not False:
        candidates.append(_encode(image.convert("RGB"), "JPEG"))
    data = min(candidates, key=len)
    while _base64_size(len(data)) > MAX_IMAGE_BASE64_BYTES and max(image.size) > 256:  # a very noisy image: smaller
        image = image.resize((image.size[0] * 3 // 4, image.size[1] * 3 // 4), pillow.Resampling.LANCZOS)
        data = _encode(image.convert("RGB"), "JPEG") if not transparent else _encode(image, "PNG")
    header = read_header(data)
    if header is None or _base64_size(len(data)) > MAX_IMAGE_BASE64_BYTES:
        raise ValueError(f"cannot make this image fit the API's 5 MB limit (it is {image.size[0]} × {image.size[1]})")
    return Image(data, header)


def _encode(image: Any, fmt: str) -> bytes:
    buffer = io.BytesIO()
    # No `optimize`: it makes PNGs a few percent smaller at many times the time.
    options = {"quality": JPEG_QUALITY} if fmt == "JPEG" else {}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _pillow(why: str) -> Any:
    try:
        from PIL import Image as pillow
    except ImportError:
        raise ValueError(f"{why}: that needs Pillow (pip install pillow)") from None
    return pillow


def _base64_size(size: int) -> int:
    return 4 * ((size + 2) // 3)


def human_size(size: int) -> str:
    """Bytes as a reader says them: "44 bytes", "1.5 KB", "340 KB", "2.1 MB" (never "0 KB")."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    if size < 10 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"
