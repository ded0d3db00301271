"""Images with a question (images.py, image_header.py), and the fake server refusing what the API refuses
(fake_server/content.py): sized, encoded and checked before sending; the real SDK against the fake server."""

from __future__ import annotations

import base64
import io
import random

import matplotlib
import pytest
from PIL import Image as PillowImage

from claude_widget import Chat, StreamError
from claude_widget.api.limits import MAX_IMAGE_BASE64_BYTES
from claude_widget.api.media import read_header
from claude_widget.context.images import MAX_EDGE, human_size, image_of, is_image
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.content import content_problem

from .conftest import TEST_KEY

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def encoded(image: PillowImage.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def photo(width: int, height: int) -> PillowImage.Image:
    """Noise: compresses badly as PNG, like a photo."""
    return PillowImage.frombytes("RGB", (width, height), random.Random(0).randbytes(width * height * 3))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_the_header_gives_each_formats_media_type_and_size(fmt: str) -> None:
    header = read_header(encoded(PillowImage.new("RGB", (321, 123), "teal"), fmt))
    assert header is not None and (header.width, header.height) == (321, 123)
    assert header.media_type == f"image/{fmt.lower()}"
    assert read_header(b"not an image") is None and read_header(b"\x89PNG\r\n\x1a\n") is None


def test_sizes_read_as_a_person_says_them_never_0_kb() -> None:
    assert [human_size(n) for n in (1, 44, 1023, 1536, 340 * 1024, 2_200_000)] == [
        "1 byte", "44 bytes", "1023 bytes", "1.5 KB", "340 KB", "2.1 MB"]  # fmt: skip


def test_a_figure_is_a_png_at_most_the_recommended_size() -> None:
    figure, axes = plt.subplots(figsize=(16, 9))
    axes.plot([1, 3, 2])
    for obj in (figure, axes):
        image = image_of(obj)
        assert image.header.media_type == "image/png"
        assert max(image.header.width, image.header.height) <= MAX_EDGE
        assert max(image.header.width, image.header.height) > MAX_EDGE * 0.8  # not needlessly small
    small = plt.figure(figsize=(4, 3))
    assert image_of(small).header.width == pytest.approx(4 * 150, rel=0.15)  # 150 dpi, a tight bounding box
    plt.close("all")


def test_small_images_go_as_given_and_large_ones_are_scaled_down() -> None:
    png = encoded(PillowImage.new("RGB", (200, 100), "red"), "PNG")
    assert image_of(png).data == png
    big = encoded(PillowImage.new("RGB", (4000, 1000), "blue"), "PNG")
    scaled = image_of(big)
    assert (scaled.header.width, scaled.header.height) == (MAX_EDGE, MAX_EDGE // 4)
    assert scaled.header.media_type == "image/png"  # flat colours: PNG is smaller


def test_a_photo_becomes_jpeg_when_smaller_and_transparency_stays_png() -> None:
    image = image_of(photo(800, 600))
    assert image.header.media_type == "image/jpeg"
    transparent = photo(800, 600).convert("RGBA")
    assert image_of(transparent).header.media_type == "image/png"


def test_a_huge_noisy_image_is_brought_within_five_megabytes() -> None:
    data = encoded(photo(3000, 3000), "PNG")
    assert len(data) > MAX_IMAGE_BASE64_BYTES
    image = image_of(data, max_edge=3000)
    assert len(base64.b64encode(image.data)) <= MAX_IMAGE_BASE64_BYTES


def test_objects_that_draw_themselves_and_other_bytes() -> None:
    class Chart:
        def _repr_png_(self) -> bytes:
            return encoded(PillowImage.new("RGB", (50, 40)), "PNG")

    assert is_image(Chart()) and image_of(Chart()).header.width == 50
    assert not is_image(b"plain bytes") and not is_image(object())
    with pytest.raises(ValueError, match="not a PNG, JPEG, GIF or WebP image"):
        image_of(b"plain bytes")


def test_an_image_goes_as_an_image_block_before_the_question(server: FakeAnthropic) -> None:
    chat = Chat(api_key=TEST_KEY, base_url=server.url)
    _, axes = plt.subplots()
    axes.bar(["a", "b"], [3, 5])
    server.enqueue(Script(text="The bars differ."))
    chat.send("What's wrong with this plot?", axes).wait(timeout=10)
    [block, question] = server.message_requests()[0].body["messages"][0]["content"]
    assert block["type"] == "image" and block["source"]["media_type"] == "image/png"
    assert read_header(base64.b64decode(block["source"]["data"])) is not None
    assert question == {"type": "text", "text": "What's wrong with this plot?"}
    plt.close("all")


def block(data: bytes | str, media_type: str = "image/png") -> dict[str, object]:
    text = data if isinstance(data, str) else base64.b64encode(data).decode()
    source = {"type": "base64", "media_type": media_type, "data": text}
    return {
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image", "source": source}]}]
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (block(b"x", "image/bmp"), "messages.0.content.1.image.source.base64.media_type: Input should be "
                                   "'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"),
        (block(""), "messages.0.content.1.image.source.base64: image cannot be empty"),
        (block("not base64!"), "messages.0.content.1.image.source.base64: invalid base64 data"),
        (block("A" * (5 * 1024 * 1024 + 4)), "messages.0.content.1.image.source.base64: image exceeds 5 MB maximum:"
                                             " 5242884 bytes > 5242880 bytes"),
        (block(b"GIF89a\x01\x00\x01\x00", "image/png"), "messages.0.content.1.image.source.base64: The image was "
         "specified using the image/png media type, but the image appears to be a image/gif image"),
        (block(b"\x00" * 40), "messages.0.content.1.image.source.base64.data: Image does not match the provided "
                              "media type image/png"),
        (block(encoded(PillowImage.new("L", (8001, 2)), "PNG")), "messages.0.content.1.image.source.base64.data: "
         "At least one of the image dimensions exceed max allowed size: 8000 pixels"),
    ],
    ids=["media type", "empty", "base64", "5 MB", "mismatch", "unreadable", "8000 px"],
)  # fmt: skip
def test_the_fake_server_refuses_what_the_api_refuses(body: dict[str, object], message: str) -> None:
    assert content_problem(body) == message


def test_a_refused_image_ends_in_the_apis_error_and_sends_once(server: FakeAnthropic) -> None:
    chat = Chat(api_key=TEST_KEY, base_url=server.url, max_retries=2)
    w = chat.stream("hi")  # the engine alone: send a block the client would never build
    w.messages[-1]["content"] = block(b"\x00" * 40)["messages"][0]["content"]  # type: ignore[index]
    w.start()
    with pytest.raises(StreamError):
        w.wait(timeout=10)
    assert "Image does not match the provided media type image/png" in str(w.error)
    assert len(server.message_requests()) == 1  # a 400 is not retried
    assert content_problem(block(encoded(PillowImage.new("RGB", (10, 10)), "PNG"))) is None


@pytest.mark.parametrize("mode", ["CMYK", "I;16", "F", "P", "LA"])
def test_images_in_any_pillow_mode_are_sent(mode: str) -> None:
    image = image_of(PillowImage.new(mode, (40, 30)))
    assert image.header.media_type in ("image/png", "image/jpeg") and image.header.width == 40


def test_camera_jpeg_bytes_with_metadata_before_the_size_are_taken() -> None:
    exif = PillowImage.Exif()
    exif[0x010E] = "a long description " * 20  # ImageDescription: metadata before the frame header
    data = encoded(PillowImage.new("RGB", (120, 90), "gray"), "JPEG", exif=exif.tobytes())
    assert read_header(data[:64]) is None  # the size is further in than a short look reaches
    assert is_image(data) and image_of(data).header.width == 120


def test_a_thumbnail_is_small_and_never_fails_the_question() -> None:
    from claude_widget.context.images import THUMBNAIL_EDGE, thumbnail

    buffer = io.BytesIO()
    PillowImage.new("RGBA", (400, 100), (255, 0, 0, 128)).save(buffer, format="PNG")
    url = thumbnail(base64.b64encode(buffer.getvalue()).decode())
    assert url.startswith("data:image/png;base64,")  # transparency kept
    with PillowImage.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as small:
        assert small.size == (THUMBNAIL_EDGE, THUMBNAIL_EDGE // 4)
    assert thumbnail(base64.b64encode(b"GIF89a not really").decode()) == ""
