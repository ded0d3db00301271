"""The tutorial notebooks read as tutorials: what nbval checks is in its cell metadata, not in comments a reader sees,
and what they tell a reader to do works in a running notebook. (nbval runs them: scripts/test.sh, pyproject.toml.)"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbval.plugin import find_comment_markers, find_metadata_tags

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_nbval_reads_its_markers_from_metadata_and_no_cell_shows_them(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for cell in code:
        assert list(find_comment_markers(cell.source)) == [], cell.source  # no "# NBVAL_CHECK_OUTPUT" for a reader
        assert "NBVAL" not in cell.source and "nbval" not in cell.source.lower()
        tags = cell.metadata.get("tags", [])
        assert len(list(find_metadata_tags(cell.metadata))) == len([t for t in tags if t.startswith("nbval")]), tags
    checked = [cell for cell in code if dict(find_metadata_tags(cell.metadata)).get("check")]
    assert checked, f"{path.name}: no cell's output is checked"
    assert all(cell.outputs for cell in checked)  # the output nbval compares with is saved


def test_the_quickstart_says_how_to_set_a_key_in_a_running_notebook() -> None:
    [quickstart] = [path for path in NOTEBOOKS if path.name == "quickstart.ipynb"]
    text = "".join(cell.source for cell in nbformat.read(quickstart, as_version=4).cells)
    assert "%env ANTHROPIC_API_KEY=" in text and "Chat(api_key=" in text
    assert "restart the kernel" not in text  # the kernel inherits the server's environment: a restart does not help
