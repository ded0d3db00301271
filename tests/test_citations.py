"""Citations: numbering, markers after the cited text, footnotes, the history, the request. Pure: no HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from claude_widget import Chat
from claude_widget.engine.assembly import Assembler
from claude_widget.engine.citations import Citation, Citations, footnotes, with_citations
from claude_widget.engine.continuation import CONTINUE_PROMPT
from claude_widget.engine.events import Cited, TextDelta
from claude_widget.engine.options import StreamOptions
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.widget.fallback import answer_markdown

from . import sdk_events as sdk
from .conftest import TEST_KEY
from .test_assembly import feed


def page(start: int, end: int, text: str = "Revenue grew 12% in 2025.", doc: int = 0) -> dict[str, Any]:
    return {"type": "page_location", "cited_text": text, "document_index": doc, "document_title": "report.pdf",
            "start_page_number": start, "end_page_number": end}  # fmt: skip


def chars(start: int, end: int, text: str) -> dict[str, Any]:
    return {"type": "char_location", "cited_text": text, "document_index": 1, "document_title": None,
            "start_char_index": start, "end_char_index": end}  # fmt: skip


def test_a_cited_answer_reads_as_one_passage_with_a_marker_after_each_cited_part() -> None:
    a = Assembler()
    update = feed(a, [
        sdk.message_start(),
        *sdk.text_block(0, "According to the report, "),
        *sdk.cited_block(1, "revenue grew 12%", page(3, 4)),
        *sdk.text_block(2, " while "),
        *sdk.cited_block(3, "costs fell", page(5, 7, "Costs fell by a fifth."), chars(0, 20, "Costs were cut.")),
        *sdk.text_block(4, ". Revenue again"),
        *sdk.cited_block(5, ": 12%", page(3, 4)),  # the same passage again keeps its number
        sdk.message_delta(), sdk.message_stop(),
    ])  # fmt: skip
    assert a.text == "According to the report, revenue grew 12%[^1] while costs fell[^2][^3]. Revenue again: 12%[^1]"
    assert "".join(d.text for d in update.events if isinstance(d, TextDelta)) == a.text
    cited = [e.citation for e in update.events if isinstance(e, Cited)]
    assert [(c["number"], c["source"]) for c in cited] == [(1, "report.pdf, p. 3"), (2, "report.pdf, pp. 5–6"),
                                                           (3, "document 2")]  # fmt: skip
    assert [c.number for c in a.citations.items] == [1, 2, 3]
    # The history has the blocks as the API sent them, citations included, and no markers.
    content = a.message()["content"]
    kept = "According to the report, revenue grew 12% while costs fell. Revenue again: 12%"
    assert "".join(b["text"] for b in content) == kept
    assert content[1]["citations"] == [page(3, 4)]
    assert content[3]["citations"] == [page(5, 7, "Costs fell by a fifth."), chars(0, 20, "Costs were cut.")]
    assert "citations" not in content[0] or not content[0]["citations"]


def test_the_sources_of_a_block_cut_off_mid_stream_still_get_their_marker() -> None:
    a = Assembler()
    a.begin_attempt(continuing=False)
    feed(a, [sdk.message_start(), sdk.start(0, {"type": "text", "text": "", "citations": []}), sdk.text(0, "Growth"),
             sdk.citation(0, page(2, 3))])  # fmt: skip
    a.end_attempt()
    assert a.text == "Growth[^1]"


def test_a_source_that_comes_before_its_text_is_marked_after_it() -> None:
    a = Assembler()
    feed(a, [sdk.start(0, {"type": "text", "text": "", "citations": []}), sdk.citation(0, page(2, 3)),
             sdk.text(0, "Growth"), sdk.text(0, " slowed"), sdk.stop(0), *sdk.text_block(1, ".")])  # fmt: skip
    assert a.text == "Growth slowed[^1]."


def test_a_continuation_in_the_apis_order_cites_each_block_once_after_its_own_text() -> None:
    # The API sends a block's sources before its text. The continuation restarts before the cited sentence it had
    # already finished, then cites a new one: the repeat is dropped with its source, the new source is marked
    # after its own text (every marker waited for the end, the repeat's again), and the history keeps each source
    # on its own block (all of them went on the interrupted block).
    def cited(index: int, chunk: str, source: dict[str, Any]) -> list[Any]:
        return [sdk.start(index, {"type": "text", "text": "", "citations": []}), sdk.citation(index, source),
                sdk.text(index, chunk), sdk.stop(index)]  # fmt: skip

    units, costs = page(1, 2), page(3, 4, "Costs fell.")
    a = Assembler()
    a.begin_attempt(continuing=False)
    feed(a, [sdk.message_start(), *cited(0, "Units grew 4% in the north", units), sdk.start(1, {"type": "text",
             "text": ""}), sdk.text(1, ". Costs fe")])  # fmt: skip
    a.end_attempt()
    a.begin_attempt(continuing=True)
    feed(a, [sdk.message_start(), *cited(0, "Units grew 4% in the north", units), *sdk.text_block(1, ". Costs fell,"),
             *cited(2, " the report says.", costs), sdk.message_delta(), sdk.message_stop()])  # fmt: skip
    a.end_attempt()
    assert a.text == "Units grew 4% in the north[^1]. Costs fell, the report says.[^2]"
    assert a.message()["content"] == [
        {"type": "text", "text": "Units grew 4% in the north", "citations": [units]},
        {"type": "text", "text": ". Costs fell,"},
        {"type": "text", "text": " the report says.", "citations": [costs]},
    ]


def test_a_block_marked_where_it_was_cut_is_not_marked_again_when_continued() -> None:
    # Its source came before its text (as the API sends it), the connection dropped in its text: the marker
    # shows at the cut; the continuation's block cites the same source again (it showed twice).
    units = page(1, 2)
    a = Assembler()
    a.begin_attempt(continuing=False)
    feed(a, [sdk.message_start(), sdk.start(0, {"type": "text", "text": "", "citations": []}),
             sdk.citation(0, units), sdk.text(0, "Units grew 4%")])  # fmt: skip
    a.end_attempt()
    assert a.text == "Units grew 4%[^1]"
    a.begin_attempt(continuing=True)
    feed(a, [sdk.message_start(), sdk.start(0, {"type": "text", "text": "", "citations": []}), sdk.citation(0, units),
             sdk.text(0, " in the north"), sdk.stop(0), *sdk.text_block(1, ". More later."), sdk.message_delta(),
             sdk.message_stop()])  # fmt: skip
    a.end_attempt()
    assert a.text == "Units grew 4%[^1] in the north. More later."
    assert a.message()["content"] == [
        {"type": "text", "text": "Units grew 4% in the north", "citations": [units]},
        {"type": "text", "text": ". More later."},
    ]


def test_a_citation_says_where_its_passage_is() -> None:
    numbered = Citations()
    one, new = numbered.add(page(4, 5))
    assert new and one.source == "report.pdf, p. 4" and one.start == 4 and one.end == 5
    assert numbered.add(page(4, 5)) == (one, False)
    web = {"type": "web_search_result_location", "cited_text": "It rained.", "url": "https://example.com/a",
           "title": "Weather", "encrypted_index": "x"}  # fmt: skip
    found, _ = numbered.add(web)
    assert (found.number, found.source, found.url) == (2, "Weather", "https://example.com/a")
    untitled = Citation(3, "char_location", "x", document_index=0)
    assert untitled.source == "document 1"


def test_the_saved_markdown_ends_with_the_footnotes_quoting_each_passage() -> None:
    numbered = Citations()
    numbered.add(page(3, 4))
    numbered.add(chars(0, 20, "A <b>bold</b>\n  claim. " + "x" * 400))
    markdown = answer_markdown("Revenue grew[^1] and more[^2].", status="done", model="m",
                               citations=[c.to_dict() for c in numbered.items])  # fmt: skip
    _, notes = markdown.split("\n\n")
    first, second = notes.split("\n")
    assert first == "[^1]: “Revenue grew 12% in 2025.” (report.pdf, p. 3)"
    assert second.startswith("[^2]: “A &lt;b>bold&lt;/b> claim. xxx") and second.endswith("…” (document 2)")
    assert len(second) < 340
    assert footnotes([]) == ""


def test_the_footnotes_read_as_the_views_copy_writes_them() -> None:
    # The view's Copy writes the same footnotes (js/src/ui/answer_markdown.js), against the same examples.
    shared = json.loads((Path(__file__).parent / "fixtures" / "footnotes.json").read_text())
    for case in shared["cases"]:
        assert footnotes(case["citations"]) == case["footnotes"], case["name"]
    answer = shared["answer"]
    assert f"{answer['text']}\n\n{footnotes(answer['citations'])}" == answer["copied"]


def test_citations_are_asked_for_on_every_document_or_on_none() -> None:
    pdf = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}}
    notes = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "hi"}}
    messages = [{"role": "user", "content": [pdf, {"type": "text", "text": "Sum up"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "Done."}]},
                {"role": "user", "content": [notes, {"type": "text", "text": "And this?"}]}]  # fmt: skip
    on = StreamOptions().request(messages)["messages"]
    assert [b.get("citations") for m in on for b in m["content"] if b["type"] == "document"] == [{"enabled": True}] * 2
    assert "citations" not in pdf  # the conversation's own blocks are left as they are
    off = StreamOptions(citations=False).request(messages)["messages"]
    assert all("citations" not in b for m in off for b in m["content"])
    assert with_citations([{"role": "user", "content": "plain"}]) == [{"role": "user", "content": "plain"}]


# -- against the fake server, with the real SDK --------------------------------------------------------------


def report_pdf(path: Path) -> Path:
    """A two-page PDF with text (matplotlib writes it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path) as pdf:
        for title, body in [("Q3 report", "Units grew 4% in the north this quarter."),
                            ("Prices", "Prices held steady at about twenty dollars.")]:  # fmt: skip
            page = plt.figure(figsize=(8.27, 11.69))
            page.text(0.1, 0.9, title, fontsize=20)
            page.text(0.1, 0.8, body, fontsize=12)
            pdf.savefig(page)
            plt.close(page)
    return path


def test_a_cited_answer_streams_its_sources_into_the_widget(server: FakeAnthropic, tmp_path: Path) -> None:
    chat = Chat(api_key=TEST_KEY, base_url=server.url)
    text = "Units grew 4% in the north."
    server.enqueue(Script(text=text, citations=((0, 26, (page(1, 2, "Units grew 4% in the north this quarter."),)),)))
    w = chat.send("What grew?", report_pdf(tmp_path / "report.pdf"))
    assert w.wait(timeout=10) == "Units grew 4% in the north[^1]."
    [document, _] = server.message_requests()[0].body["messages"][0]["content"]
    assert document["citations"] == {"enabled": True}
    assert [(c["number"], c["source"], c["cited_text"]) for c in w.citations] == [
        (1, "report.pdf, p. 1", "Units grew 4% in the north this quarter.")
    ]
    assert w.markdown.endswith("[^1]: “Units grew 4% in the north this quarter.” (report.pdf, p. 1)")
    assert chat.history[1]["content"][0]["citations"][0]["start_page_number"] == 1  # sent back as the API sent it


def test_without_citations_documents_go_as_they_are(server: FakeAnthropic, tmp_path: Path) -> None:
    chat = Chat(api_key=TEST_KEY, base_url=server.url, citations=False)
    server.enqueue(Script(text="Fine."))
    notes = tmp_path / "notes.md"
    notes.write_text("The west region fell behind this quarter.\n")
    chat.send("Sum up", notes).wait(timeout=10)
    [document, _] = server.message_requests()[0].body["messages"][0]["content"]
    assert "citations" not in document


def test_the_offline_demo_quotes_each_document_with_its_page(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\n- Check the west region's returns first.\n")
    w = Chat(offline=True).send("Summarize", report_pdf(tmp_path / "report.pdf"), notes)
    text = w.wait(timeout=30)
    assert "- *report.pdf*, page 1: “Units grew 4% in the north this quarter.”[^1]" in text
    assert "- *report.pdf*, page 2: “Prices held steady at about twenty dollars.”[^2]" in text
    assert "- *notes.md*: “Check the west region's returns first.”[^3]" in text
    by_number = {c["number"]: c for c in w.citations}
    assert by_number[2]["source"] == "report.pdf, p. 2"
    assert (by_number[3]["type"], by_number[3]["start"], by_number[3]["end"]) == ("char_location", 11, 49)
    assert notes.read_text()[11:49] == "Check the west region's returns first."


@pytest.mark.parametrize(
    ("cut", "repeat"),
    [(40, 0), (28, 0), (26, 0), (40, 30)],
    ids=["mid-sentence", "as a cited block starts", "as a plain block starts", "restarting before the cited block"],
)
def test_an_answer_continued_after_a_drop_keeps_its_citations(server: FakeAnthropic, cut: int, repeat: int) -> None:
    # The cited first sentence and its source arrive, then the connection drops: cut characters in, before the
    # second sentence's source; the answer is continued, repeating `repeat` characters first, and the continuation
    # cites what its own blocks say. A cited answer is one passage split into blocks where its citations change:
    # cut as a block starts, it was asked again from the top (the text shown twice, the history without the first
    # attempt's citations); a repeat reaching into the cited block was not recognised (shown twice, the second
    # time without its marker); a repeated cited block's source was marked again at the end, and kept in the
    # history on the block it interrupted.
    text = "Units grew 4% in the north. Costs fell by a fifth, the report says."
    cited, costs = page(1, 2, "Units grew 4% in the north this quarter."), page(3, 4, "Costs fell.")
    answer = Script(text=text, citations=((0, 26, (cited,)), (28, 67, (costs,))))
    server.enqueue(replace(answer, fault="drop", fault_after=cut), replace(answer, repeat_tail=repeat))
    chat = Chat(api_key=TEST_KEY, base_url=server.url)
    w = chat.send("What changed?")
    assert w.wait(timeout=10) == "Units grew 4% in the north[^1]. Costs fell by a fifth, the report says.[^2]"
    assert [(c["number"], c["source"]) for c in w.citations] == [(1, "report.pdf, p. 1"), (2, "report.pdf, p. 3")]
    assert w.markdown.endswith("[^1]: “Units grew 4% in the north this quarter.” (report.pdf, p. 1)\n"
                               "[^2]: “Costs fell.” (report.pdf, p. 3)")  # fmt: skip
    # continued, not asked again; the history keeps each source on its block, as the API sent it
    assert server.message_requests()[1].body["messages"][-1]["content"] == CONTINUE_PROMPT
    content = chat.history[1]["content"]
    assert content[0] == {"type": "text", "text": "Units grew 4% in the north", "citations": [cited]}
    assert content[-1] == {"type": "text", "text": text[28:], "citations": [costs]}
    assert "".join(b["text"] for b in content) == text
    assert [b.get("citations") for b in content[1:-1]] == [None] * len(content[1:-1])


def test_a_source_a_continuation_cites_is_marked_after_its_own_text(server: FakeAnthropic) -> None:
    # The connection drops in the first, plain sentence; the continuation streams the rest of it, then a cited
    # sentence, then more plain text. Every block of the continuation was taken as more of the interrupted one:
    # its marker came at the end of the answer, and the history cited the whole of it.
    text = "Sales rose in spring. Units grew 4% in the north, the report says. More next week."
    units = page(1, 2, "Units grew 4% in the north this quarter.")
    answer = Script(text=text, citations=((22, 48, (units,)),))
    server.enqueue(replace(answer, fault="drop", fault_after=10), answer)
    chat = Chat(api_key=TEST_KEY, base_url=server.url)
    w = chat.send("What changed?")
    assert (
        w.wait(timeout=10) == "Sales rose in spring. Units grew 4% in the north[^1], the report says. More next week."
    )
    assert [(c["number"], c["source"]) for c in w.citations] == [(1, "report.pdf, p. 1")]
    assert server.message_requests()[1].body["messages"][-1]["content"] == CONTINUE_PROMPT
    assert chat.history[1]["content"] == [
        {"type": "text", "text": "Sales rose in spring. "},
        {"type": "text", "text": "Units grew 4% in the north", "citations": [units]},
        {"type": "text", "text": ", the report says. More next week."},
    ]
