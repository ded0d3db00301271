"""Files by path with a question (files.py), and the fake server refusing the documents the API refuses: the real SDK
against the fake server, the request checked block by block."""

from __future__ import annotations

import base64
import io
import random
import re
from pathlib import Path

import pytest
from PIL import Image as PillowImage
from pypdf import PdfWriter

from claude_widget import Chat, StreamError
from claude_widget.context import files
from claude_widget.context.files import file_content
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.content import content_problem

from .conftest import TEST_KEY


def pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def chat(server: FakeAnthropic) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, max_retries=1)


def test_a_pdf_and_a_text_file_go_as_documents_in_order(server: FakeAnthropic, chat: Chat, tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(pdf(3))
    (tmp_path / "notes.md").write_text("# Notes\n\nRevenue grew 4%.\n")
    server.enqueue(Script(text="Summary."))
    chat.send("Summarize the findings", tmp_path / "report.pdf", str(tmp_path / "notes.md")).wait(timeout=10)
    report, notes, question = server.message_requests()[0].body["messages"][0]["content"]
    assert report["type"] == "document" and report["title"] == "report.pdf"
    assert report["source"]["media_type"] == "application/pdf"
    assert base64.b64decode(report["source"]["data"]) == (tmp_path / "report.pdf").read_bytes()
    text = {"type": "text", "media_type": "text/plain", "data": "# Notes\n\nRevenue grew 4%.\n"}
    cited = {"enabled": True}  # citations are on by default, on every document
    assert notes == {"type": "document", "title": "notes.md", "source": text, "citations": cited}
    assert report["citations"] == cited
    assert question == {"type": "text", "text": "Summarize the findings"}
    assert file_content(tmp_path / "report.pdf").label.startswith("report.pdf · 3 pages · ")


def test_a_pdf_over_the_page_limit_is_refused_with_the_apis_words_before_sending(
    server: FakeAnthropic, chat: Chat, tmp_path: Path
) -> None:
    (tmp_path / "book.pdf").write_bytes(pdf(101))
    with pytest.raises(
        ValueError, match=re.escape("book.pdf has 101 pages: A maximum of 100 PDF pages may be provided.")
    ):
        chat.send("Summarize", tmp_path / "book.pdf")
    (tmp_path / "fake.pdf").write_bytes(b"hello")
    with pytest.raises(ValueError, match=re.escape("fake.pdf: not a PDF")):
        chat.send("Summarize", tmp_path / "fake.pdf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    with pytest.raises(ValueError, match=re.escape("broken.pdf: could not read this PDF")):
        chat.send("Summarize", tmp_path / "broken.pdf")
    assert server.message_requests() == [] and chat.turns == []


def test_a_small_csv_is_summarised_like_a_dataframe(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("region,units\n" + "".join(f"{'north' if i % 3 else 'south'},{i}\n" for i in range(300)))
    [block] = file_content(path).blocks
    assert block["text"].startswith("DataFrame `sales.csv`: 300 rows × 2 columns.")
    assert "| units | int64 | 0 | min 0 · median 149.5 · mean 149.5 · max 299" in block["text"]
    tsv = tmp_path / "sales.tsv"
    tsv.write_text("a\tb\n1\t2\n")
    assert file_content(tsv).blocks[0]["text"].startswith("DataFrame `sales.tsv`: 1 rows × 2 columns.")


def test_a_large_csv_is_summarised_from_its_head_and_random_lines_with_its_size_estimated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "WHOLE_CSV_BYTES", 1_000_000)  # a smaller file does as well, and is quicker to write
    path = tmp_path / "events.csv"
    rng = random.Random(1)
    rows = 100_000
    with path.open("w") as file:
        file.write("id,kind,value\n")
        for i in range(rows):
            file.write(f"{i},{rng.choice(['click', 'view', 'buy'])},{rng.random():.6f}\n")
    assert path.stat().st_size > files.WHOLE_CSV_BYTES
    [block] = file_content(path).blocks
    text = block["text"]
    estimated = int(text.split("about ")[1].split(" rows")[0].replace(",", ""))
    assert abs(estimated - rows) / rows < 0.05
    assert "its first 5,000 data rows and 5,000 read at random offsets (seed 0)" in text
    assert "DataFrame `events.csv`: 10,000 rows × 3 columns." in text
    assert "| kind | str | 0 | 3 distinct" in text


def test_an_image_file_goes_as_an_image(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    PillowImage.new("RGB", (64, 48), "olive").save(path, format="JPEG")
    content = file_content(path)
    assert content.blocks[0]["type"] == "image" and content.label == "photo.jpg · 64 × 48"


def test_files_that_cannot_be_sent_say_why(tmp_path: Path, chat: Chat) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope.md: no such file \(a string after the prompt is taken as a"):
        chat.send("Read", "nope.md")
    with pytest.raises(IsADirectoryError, match=re.escape("a directory")):
        chat.send("Read", tmp_path)
    (tmp_path / "table.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match=r"table.xlsx: cannot send a .xlsx file; send\(\) takes PDFs, text files"):
        chat.send("Read", tmp_path / "table.xlsx")
    (tmp_path / "blob.dat").write_bytes(b"\x00\x01\x02")
    with pytest.raises(ValueError, match=re.escape("blob.dat: a binary file")):
        chat.send("Read", tmp_path / "blob.dat")
    (tmp_path / "latin.txt").write_bytes("café".encode("latin-1"))
    with pytest.raises(ValueError, match=re.escape("latin.txt: not UTF-8 text")):
        chat.send("Read", tmp_path / "latin.txt")
    (tmp_path / "huge.txt").write_text("word " * 150_000)
    with pytest.raises(ValueError, match=re.escape("huge.txt is about 187,500 tokens, more than 150,000: too long")):
        chat.send("Read", tmp_path / "huge.txt")
    assert chat.turns == []


def document(data: bytes, media_type: str = "application/pdf") -> dict[str, object]:
    source = {"type": "base64", "media_type": media_type, "data": base64.b64encode(data).decode()}
    return {"type": "document", "source": source}


def test_the_fake_server_refuses_the_documents_the_api_refuses() -> None:
    def body(*blocks: dict[str, object]) -> dict[str, object]:
        return {"messages": [{"role": "user", "content": [*blocks, {"type": "text", "text": "hi"}]}]}

    assert content_problem(body(document(pdf(60)), document(pdf(40)))) is None
    assert content_problem(body(document(pdf(60)), document(pdf(41)))) == (
        "messages.0.content.1.pdf.source.base64.data: A maximum of 100 PDF pages may be provided.")  # fmt: skip
    assert content_problem(body(document(b"%PDF-1.4 nonsense"))) == "Could not process PDF"
    assert content_problem(body(document(pdf(1), "application/msword"))) == (
        "messages.0.content.0.document.source.base64.media_type: Input should be 'application/pdf'")  # fmt: skip


def test_a_request_over_32_mb_gets_the_apis_413(server: FakeAnthropic, chat: Chat) -> None:
    w = chat.send("x" * (33 * 1024 * 1024))
    with pytest.raises(StreamError):
        w.wait(timeout=30)
    assert server.message_requests()[0].status == 413
    assert w.error is not None and w.error["kind"] == "too_large"  # "Request exceeds the maximum size", said plainly


def test_a_csv_that_is_not_a_table_goes_as_text(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text('a,b\n1,2\n"unclosed,3\n')
    [block] = file_content(path).blocks
    assert block["type"] == "document" and block["source"]["data"].startswith("a,b\n")
