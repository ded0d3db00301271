"""`%claude_code` in JupyterLab: a code block of the last answer lands in a new cell below the current one."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Lab, open_notebook

pytestmark = pytest.mark.browser

RUN_CELL = """i => { const nb = window.jupyterapp.shell.currentWidget; nb.content.activeCellIndex = i;
                     window.jupyterapp.commands.execute('notebook:run-cell'); }"""
FINISHED = """i => { const nb = window.jupyterapp.shell.currentWidget;
                       return nb.content.widgets[i].model.executionCount
                         && nb.sessionContext.session.kernel.status === 'idle'; }"""
SOURCES = "() => window.jupyterapp.shell.currentWidget.content.widgets.map(cell => cell.model.sharedModel.getSource())"


def test_claude_code_puts_the_answers_code_into_a_new_cell_below(lab: Lab, page: Any) -> None:
    ask = "%load_ext claude_widget\nfrom claude_widget import Chat\nw = Chat(offline=True).send('Explain SSE')\nawait w"
    lab.add_notebook("code.ipynb", ask, "%claude_code 2", "print('the cell after')")
    open_notebook(page, lab, "code.ipynb")
    page.evaluate(RUN_CELL, 0)
    page.wait_for_function(FINISHED, arg=0, timeout=60_000)  # `await w`: the answer is complete
    page.evaluate(RUN_CELL, 1)
    page.wait_for_function(f"() => ({SOURCES})().length === 4", timeout=30_000)
    sources = page.evaluate(SOURCES)
    assert sources[1] == "%claude_code 2"
    assert sources[2].startswith("import anthropic\n\nclient = anthropic.Anthropic()")  # the answer's second block
    assert sources[3] == "print('the cell after')"
